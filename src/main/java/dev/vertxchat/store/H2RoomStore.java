package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

public final class H2RoomStore implements RoomStore {
  private final Pool pool;

  public H2RoomStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Boolean> create(Room room, String createdBy) {
    // MERGE ... KEY would overwrite; an INSERT guarded by NOT EXISTS keeps the first one and tells.
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO rooms (id, name, topic, created_by, created_at) SELECT ?, ?, ?, ?, ?"
            + " WHERE NOT EXISTS (SELECT 1 FROM rooms WHERE id = ?)")
        .execute(Tuple.of(room.id(), room.name(), room.topic(), createdBy, System.currentTimeMillis(), room.id()))
        .map(rows -> rows.rowCount() == 1))
        .recover(err -> exists(room.id()).compose(found -> found ? Future.succeededFuture(false) : Future.failedFuture(err)));
  }

  @Override
  public Future<List<Room>> list() {
    return pool.withTransaction(conn -> conn.query("SELECT id, name, topic FROM rooms ORDER BY id").execute().map(rows -> {
      List<Room> out = new ArrayList<>(rows.size());
      for (Row row : rows) {
        out.add(new Room(row.getString(0), row.getString(1), row.getString(2), 0));
      }
      return out;
    }));
  }

  @Override
  public Future<Boolean> exists(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT 1 FROM rooms WHERE id = ?").execute(Tuple.of(id)).map(rows -> rows.size() > 0));
  }
}
