package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a room's history as both message tables give it ({@link MessageStore#page}): the statement (with
 * {@code ?} placeholders), its arguments, and the rows turned into envelopes, oldest first. The tables differ only
 * in how the text column is read ({@link #envelopes}).
 */
record PageQuery(String sql, Tuple args, boolean descending) {
  private static final String SELECT = "SELECT id, room_id, user_id, user_name, text, ts, deleted FROM messages WHERE room_id = ?";

  static PageQuery of(String room, Long before, Long after, int limit) {
    Tuple args = Tuple.of(room);
    String sql;
    if (after != null) {
      sql = SELECT + " AND id > ?" + (before != null ? " AND id < ?" : "") + " ORDER BY id ASC LIMIT ?";
      args.addLong(after);
    } else {
      sql = SELECT + (before != null ? " AND id < ?" : "") + " ORDER BY id DESC LIMIT ?";
    }
    if (before != null) {
      args.addLong(before);
    }
    args.addInteger(limit);
    return new PageQuery(sql, args, after == null);
  }

  /** The rows as envelopes, oldest first: a deleted message as a tombstone; {@code text} reads the text column. */
  List<Envelope> envelopes(RowSet<Row> rows, Function<Row, String> text) {
    List<Envelope> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(Boolean.TRUE.equals(row.getBoolean(6))
          ? new Envelope(row.getLong(0), row.getString(1), Envelope.DELETED, null, null, row.getLong(5))
          : Envelope.chat(row.getLong(0), row.getString(1), new UserRef(row.getString(2), row.getString(3)),
              text.apply(row), row.getLong(5)));
    }
    if (descending) {
      Collections.reverse(out);
    }
    return out;
  }
}
