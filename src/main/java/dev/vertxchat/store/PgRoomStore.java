package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.Locale;

/**
 * Rooms in PostgreSQL (as {@link H2RoomStore}). A room is created with its head row ({@link PgMessageStore}).
 * A create under a quota takes an advisory lock for its transaction first, so the counts and the insert
 * are exact across every node of a cluster, not only within one process.
 */
public final class PgRoomStore implements RoomStore {
  private static final String INSERT = "INSERT INTO rooms (id, name, topic, created_by, created_at) VALUES ($1, $2, $3, $4, $5)"
      + " ON CONFLICT (id) DO NOTHING";
  private static final String INSERT_HEAD = "INSERT INTO room_heads (room_id, last_id) VALUES ($1, 0) ON CONFLICT (room_id) DO NOTHING";

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
        .compose(v -> conn.preparedQuery("SELECT (SELECT COUNT(*) FROM rooms WHERE id = $1),"
            + " (SELECT COUNT(*) FROM rooms WHERE created_by = $2), (SELECT COUNT(*) FROM rooms)")
            .execute(Tuple.of(room.id(), createdBy)))
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
    return conn.preparedQuery(INSERT)
        .execute(Tuple.of(room.id(), room.name(), room.topic(), createdBy, System.currentTimeMillis()))
        .compose(rows -> rows.rowCount() == 1
            ? conn.preparedQuery(INSERT_HEAD).execute(Tuple.of(room.id())).map(true)
            : Future.succeededFuture(false));
  }

  @Override
  public Future<Page> page(String after, String query, int limit) {
    StringBuilder sql = new StringBuilder("SELECT id, name, topic FROM rooms WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    if (after != null) {
      sql.append(" AND id > ?");
      params.addString(after);
    }
    if (query != null) {
      String pattern = "%" + H2RoomStore.likeEscape(query.toLowerCase(Locale.ROOT)) + "%";
      sql.append(" AND (LOWER(id) LIKE ? ESCAPE '\\' OR LOWER(name) LIKE ? ESCAPE '\\')");
      params.addString(pattern).addString(pattern);
    }
    // one row more than asked tells whether another page follows
    sql.append(" ORDER BY id LIMIT ?");
    params.addInteger(limit + 1);
    return pool.preparedQuery(PgDatabase.numbered(sql.toString())).execute(params).map(rows -> H2RoomStore.toPage(rows, limit));
  }

  @Override
  public Future<Boolean> exists(String id) {
    return pool.preparedQuery("SELECT 1 FROM rooms WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.size() > 0);
  }

  @Override
  /**
   * Deletes the room with its messages and head row in one transaction (the head locked first, as a batch of the
   * room locks it): a room created again under the same id afterwards, on any node, starts empty and keeps what
   * is sent to it (the message store's later {@code deleteRoom} leaves an existing room alone).
   */
  public Future<Boolean> delete(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT last_id FROM room_heads WHERE room_id = $1 FOR UPDATE")
        .execute(Tuple.of(id))
        .compose(v -> conn.preparedQuery("DELETE FROM rooms WHERE id = $1").execute(Tuple.of(id)))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
            : PgMessageStore.deleteRoom(conn, id, false).map(true)));
  }

  // TODO(issue 13, store helper): implement
  @Override
  public Future<Room> get(String id) {
    return Future.failedFuture(new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public Future<Boolean> update(String id, String name, String topic, Boolean archived) {
    return Future.failedFuture(new UnsupportedOperationException("not implemented yet"));
  }

  @Override
  public Future<Page> page(String after, String query, int limit, String viewer) {
    return Future.failedFuture(new UnsupportedOperationException("not implemented yet"));
  }
}
