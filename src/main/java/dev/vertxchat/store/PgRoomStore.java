package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.function.UnaryOperator;

/**
 * Rooms in PostgreSQL (as {@link H2RoomStore}: kinds, the creator's owner row, quotas without DMs). A room is
 * created with its head row ({@link PgMessageStore}).
 * A create under a quota takes an advisory lock for its transaction first, so the counts and the insert
 * are exact across every node of a cluster, not only within one process.
 */
public final class PgRoomStore implements RoomStore {
  private static final String INSERT = "INSERT INTO rooms (id, name, topic, created_by, created_at, kind) VALUES ($1, $2, $3, $4, $5, $6)"
      + " ON CONFLICT (id) DO NOTHING";
  private static final String INSERT_HEAD = "INSERT INTO room_heads (room_id, last_id) VALUES ($1, 0) ON CONFLICT (room_id) DO NOTHING";

  private static final UnaryOperator<String> SQL = PgDatabase::numbered;

  private final Pool pool;

  public PgRoomStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Boolean> create(Room room, String createdBy) {
    return pool.withTransaction(conn -> insert(conn, room, createdBy));
  }

  @Override
  public Future<Created> create(Room room, String createdBy, Quota quota) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(PgDatabase.ROOM_CREATE_LOCK))
        .compose(v -> conn.preparedQuery(PgDatabase.numbered(RoomQueries.COUNTS)).execute(Tuple.of(room.id(), createdBy)))
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
        }));
  }

  private static Future<Boolean> insert(SqlConnection conn, Room room, String createdBy) {
    long now = System.currentTimeMillis();
    return conn.preparedQuery(INSERT)
        .execute(Tuple.of(room.id(), room.name(), room.topic(), createdBy, now, RoomQueries.kind(room)))
        .compose(rows -> rows.rowCount() == 1
            ? conn.preparedQuery(INSERT_HEAD).execute(Tuple.of(room.id()))
                .compose(v -> createdBy == null ? Future.succeededFuture() : RoomQueries.addOwner(conn, SQL, room.id(), createdBy, now))
                .map(true)
            : Future.succeededFuture(false));
  }

  @Override
  public Future<Page> page(String after, String query, int limit) {
    return page(RoomQueries.page(after, query, limit, null, true), limit);
  }

  @Override
  public Future<Page> page(String after, String query, int limit, String viewer) {
    return page(RoomQueries.page(after, query, limit, viewer, false), limit);
  }

  private Future<Page> page(RoomQueries.Statement q, int limit) {
    return pool.preparedQuery(SQL.apply(q.sql())).execute(q.args()).map(rows -> RoomQueries.toPage(rows, limit));
  }

  @Override
  public Future<Boolean> exists(String id) {
    return pool.preparedQuery("SELECT 1 FROM rooms WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.size() > 0);
  }

  /**
   * Deletes the room with its messages, head row, members, sanctions, reactions and read markers in one transaction
   * (the head locked first, as a batch of the room locks it): a room created again under the same id afterwards, on any node, starts empty and keeps what
   * is sent to it (the message store's later {@code deleteRoom} leaves an existing room alone).
   */
  @Override
  public Future<Boolean> delete(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT last_id FROM room_heads WHERE room_id = $1 FOR UPDATE")
        .execute(Tuple.of(id))
        .compose(v -> conn.preparedQuery("DELETE FROM rooms WHERE id = $1").execute(Tuple.of(id)))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
            : PgMessageStore.deleteRoom(conn, id, false).compose(v -> RoomQueries.deleteRows(conn, SQL, id)).map(true)));
  }

  @Override
  public Future<Room> get(String id) {
    return pool.withConnection(conn -> RoomQueries.get(conn, SQL, id));
  }

  @Override
  public Future<Boolean> update(String id, String name, String topic, Boolean archived) {
    return pool.withConnection(conn -> RoomQueries.update(conn, SQL, id, name, topic, archived));
  }
}
