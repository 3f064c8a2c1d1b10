package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.function.UnaryOperator;

/**
 * Rooms in H2. A room keeps its kind (public or private) and its creator, who gets an owner member row in the
 * creating transaction; quotas count rooms that are not DMs. Deleting a room deletes its members, sanctions,
 * reactions and read markers with it.
 */
public final class H2RoomStore implements RoomStore {
  private static final String INSERT = "INSERT INTO rooms (id, name, topic, created_by, created_at, kind) SELECT ?, ?, ?, ?, ?, ?"
      + " WHERE NOT EXISTS (SELECT 1 FROM rooms WHERE id = ?)";
  private static final UnaryOperator<String> SQL = UnaryOperator.identity();

  private final Pool pool;

  public H2RoomStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Boolean> create(Room room, String createdBy) {
    // MERGE ... KEY would overwrite; an INSERT guarded by NOT EXISTS keeps the first one and tells.
    return pool.withTransaction(conn -> insert(conn, room, createdBy))
        .recover(err -> exists(room.id()).compose(found -> found ? Future.succeededFuture(false) : Future.failedFuture(err)));
  }

  @Override
  public Future<Created> create(Room room, String createdBy, Quota quota) {
    return pool.withTransaction(conn -> conn.preparedQuery(RoomQueries.COUNTS)
        .execute(Tuple.of(room.id(), createdBy))
        .compose(rows -> {
          Row counts = rows.iterator().next();
          if (counts.getLong(0) > 0) {
            return Future.succeededFuture(Created.EXISTS);
          }
          if (counts.getLong(1) >= quota.perUser()) {
            return Future.succeededFuture(Created.USER_QUOTA);
          }
          if (counts.getLong(2) >= quota.total()) {
            return Future.succeededFuture(Created.SERVER_FULL);
          }
          return insert(conn, room, createdBy).map(inserted -> inserted ? Created.CREATED : Created.EXISTS);
        }))
        .recover(err -> exists(room.id()).compose(found -> found ? Future.succeededFuture(Created.EXISTS) : Future.failedFuture(err)));
  }

  private static Future<Boolean> insert(SqlConnection conn, Room room, String createdBy) {
    long now = System.currentTimeMillis();
    return conn.preparedQuery(INSERT)
        .execute(Tuple.of(room.id(), room.name(), room.topic(), createdBy, now, RoomQueries.kind(room), room.id()))
        .compose(rows -> rows.rowCount() == 1 && createdBy != null
            ? RoomQueries.addOwner(conn, SQL, room.id(), createdBy, now).map(true)
            : Future.succeededFuture(rows.rowCount() == 1));
  }

  @Override
  public Future<Page> page(String after, String query, int limit) {
    RoomQueries.Statement q = RoomQueries.page(after, query, limit, null, true);
    return pool.withTransaction(conn -> conn.preparedQuery(q.sql()).execute(q.args()).map(rows -> RoomQueries.toPage(rows, limit)));
  }

  @Override
  public Future<Page> page(String after, String query, int limit, String viewer) {
    RoomQueries.Statement q = RoomQueries.page(after, query, limit, viewer, false);
    return pool.withTransaction(conn -> conn.preparedQuery(q.sql()).execute(q.args()).map(rows -> RoomQueries.toPage(rows, limit)));
  }

  /** The text with LIKE's wildcards and its escape character taken literally. */
  static String likeEscape(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  @Override
  public Future<Boolean> exists(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT 1 FROM rooms WHERE id = ?").execute(Tuple.of(id)).map(rows -> rows.size() > 0));
  }

  @Override
  public Future<Room> get(String id) {
    return pool.withTransaction(conn -> RoomQueries.get(conn, SQL, id));
  }

  @Override
  public Future<Boolean> update(String id, String name, String topic, Boolean archived) {
    return pool.withTransaction(conn -> RoomQueries.update(conn, SQL, id, name, topic, archived));
  }

  /** Deletes the room with its members, sanctions, reactions and read markers (its messages: the message store). */
  @Override
  public Future<Boolean> delete(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM rooms WHERE id = ?").execute(Tuple.of(id))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
            : RoomQueries.deleteRows(conn, SQL, id).map(true)));
  }
}
