package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

public final class H2RoomStore implements RoomStore {
  private static final String INSERT = "INSERT INTO rooms (id, name, topic, created_by, created_at) SELECT ?, ?, ?, ?, ?"
      + " WHERE NOT EXISTS (SELECT 1 FROM rooms WHERE id = ?)";

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
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT (SELECT COUNT(*) FROM rooms WHERE id = ?),"
            + " (SELECT COUNT(*) FROM rooms WHERE created_by = ?), (SELECT COUNT(*) FROM rooms)")
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
    return conn.preparedQuery(INSERT)
        .execute(Tuple.of(room.id(), room.name(), room.topic(), createdBy, System.currentTimeMillis(), room.id()))
        .map(rows -> rows.rowCount() == 1);
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
      String pattern = "%" + likeEscape(query.toLowerCase(Locale.ROOT)) + "%";
      sql.append(" AND (LOWER(id) LIKE ? ESCAPE '\\' OR LOWER(name) LIKE ? ESCAPE '\\')");
      params.addString(pattern).addString(pattern);
    }
    // one row more than asked tells whether another page follows
    sql.append(" ORDER BY id LIMIT ?");
    params.addInteger(limit + 1);
    return pool.withTransaction(conn -> conn.preparedQuery(sql.toString()).execute(params).map(rows -> toPage(rows, limit)));
  }

  static Page toPage(RowSet<Row> rows, int limit) {
    List<Room> out = new ArrayList<>(Math.min(rows.size(), limit));
    for (Row row : rows) {
      if (out.size() == limit) {
        return new Page(out, out.get(limit - 1).id());
      }
      out.add(new Room(row.getString(0), row.getString(1), row.getString(2), 0));
    }
    return new Page(out, null);
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
  public Future<Boolean> delete(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM rooms WHERE id = ?").execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0));
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
