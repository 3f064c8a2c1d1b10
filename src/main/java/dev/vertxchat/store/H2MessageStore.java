package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Messages in H2. Ids are allocated inside the inserting transaction from the highest stored id, so
 * callers must not append concurrently (the send pipeline serializes its batches); a concurrent append
 * fails on the primary key instead of storing anything twice.
 */
public final class H2MessageStore implements MessageStore {
  private static final String COLUMNS = "id, room_id, user_id, user_name, text, ts";
  private final Pool pool;

  public H2MessageStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<List<Envelope>> append(List<NewMessage> batch, long ts) {
    if (batch.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.withTransaction(conn -> conn.query("SELECT COALESCE(MAX(id), 0) FROM messages").execute()
        .compose(rows -> {
          long next = rows.iterator().next().getLong(0) + 1;
          List<Tuple> tuples = new ArrayList<>(batch.size());
          List<Envelope> stored = new ArrayList<>(batch.size());
          for (NewMessage m : batch) {
            long id = next++;
            tuples.add(Tuple.of(id, m.room(), m.user().id(), m.user().name(), m.text(), ts));
            stored.add(Envelope.chat(id, m.room(), m.user(), m.text(), ts));
          }
          return conn.preparedQuery("INSERT INTO messages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
              .executeBatch(tuples).map(r -> stored);
        }));
  }

  @Override
  public Future<List<Envelope>> page(String room, Long before, Long after, int limit) {
    String sql;
    Tuple args = Tuple.of(room);
    if (after != null) {
      sql = "SELECT " + COLUMNS + " FROM messages WHERE room_id = ? AND id > ?"
          + (before != null ? " AND id < ?" : "") + " ORDER BY id ASC LIMIT ?";
      args.addLong(after);
    } else {
      sql = "SELECT " + COLUMNS + " FROM messages WHERE room_id = ?"
          + (before != null ? " AND id < ?" : "") + " ORDER BY id DESC LIMIT ?";
    }
    if (before != null) {
      args.addLong(before);
    }
    args.addInteger(limit);
    boolean descending = after == null;
    return pool.withTransaction(conn -> conn.preparedQuery(sql).execute(args).map(rows -> {
      List<Envelope> out = new ArrayList<>(rows.size());
      for (Row row : rows) {
        out.add(Envelope.chat(row.getLong(0), row.getString(1), new UserRef(row.getString(2), row.getString(3)),
            row.getString(4), row.getLong(5)));
      }
      if (descending) {
        Collections.reverse(out);
      }
      return out;
    }));
  }
}
