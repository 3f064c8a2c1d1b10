package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * What {@link H2RoomStore} and {@link PgRoomStore} do alike since rooms have kinds and members (issue 13): the same
 * statements, placeholders written {@code ?} and numbered for PostgreSQL by {@code sql}.
 */
final class RoomQueries {
  /** A room row as {@link #room} reads it. */
  static final String COLUMNS = "id, name, topic, kind, archived";
  /**
   * The ids of the rooms a user may read (two parameters: the user id twice): not banned from it, and public or
   * with a member row of the user (private rooms, DMs).
   */
  static final String READABLE = "SELECT r.id FROM rooms r WHERE NOT EXISTS (SELECT 1 FROM room_sanctions s"
      + " WHERE s.room_id = r.id AND s.user_id = ? AND s.kind = 'ban') AND (r.kind = 'public'"
      + " OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = r.id AND rm.user_id = ?))";
  /** The per-user and total counts of a quota: rooms that are not DMs. */
  static final String COUNTS = "SELECT (SELECT COUNT(*) FROM rooms WHERE id = ?),"
      + " (SELECT COUNT(*) FROM rooms WHERE created_by = ? AND kind <> 'dm'), (SELECT COUNT(*) FROM rooms WHERE kind <> 'dm')";

  /** A statement with {@code ?} placeholders and its arguments. */
  record Statement(String sql, Tuple args) {}

  private RoomQueries() {}

  static Room room(Row row) {
    return new Room(row.getString(0), row.getString(1), row.getString(2), 0, row.getString(3), Boolean.TRUE.equals(row.getBoolean(4)));
  }

  /** The kind a room is stored with: public unless private (DMs are made by {@link ConversationStore#openDm}). */
  static String kind(Room room) {
    return Room.PRIVATE.equals(room.kind()) ? Room.PRIVATE : Room.PUBLIC;
  }

  static Future<Room> get(SqlConnection conn, UnaryOperator<String> sql, String id) {
    return conn.preparedQuery(sql.apply("SELECT " + COLUMNS + " FROM rooms WHERE id = ?")).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : room(rows.iterator().next()));
  }

  static Future<Boolean> update(SqlConnection conn, UnaryOperator<String> sql, String id, String name, String topic, Boolean archived) {
    List<String> set = new ArrayList<>();
    Tuple args = Tuple.tuple();
    if (name != null) {
      set.add("name = ?");
      args.addString(name);
    }
    if (topic != null) {
      set.add("topic = ?");
      args.addString(topic);
    }
    if (archived != null) {
      set.add("archived = ?");
      args.addBoolean(archived);
    }
    if (set.isEmpty()) {
      return conn.preparedQuery(sql.apply("SELECT 1 FROM rooms WHERE id = ?")).execute(Tuple.of(id)).map(rows -> rows.size() > 0);
    }
    args.addString(id);
    return conn.preparedQuery(sql.apply("UPDATE rooms SET " + String.join(", ", set) + " WHERE id = ?")).execute(args)
        .map(rows -> rows.rowCount() > 0);
  }

  /**
   * The statement of a page of rooms (see {@link RoomStore#page(String, String, int, String)}); with {@code viewer}
   * {@code all}: every room (the old page), else public rooms and the viewer's private ones.
   */
  static Statement page(String after, String query, int limit, String viewer, boolean all) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM rooms WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    if (!all) {
      sql.append(" AND (kind = 'public' OR kind = 'private' AND EXISTS (SELECT 1 FROM room_members m"
          + " WHERE m.room_id = rooms.id AND m.user_id = ?))");
      params.addString(viewer == null ? "" : viewer);
    }
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
    return new Statement(sql.toString(), params);
  }

  static RoomStore.Page toPage(RowSet<Row> rows, int limit) {
    List<Room> out = new ArrayList<>(Math.min(rows.size(), limit));
    for (Row row : rows) {
      if (out.size() == limit) {
        return new RoomStore.Page(out, out.get(limit - 1).id());
      }
      out.add(room(row));
    }
    return new RoomStore.Page(out, null);
  }

  /**
   * The creator's member row (role owner) of a room just created, named as the server last saw them (the id when it
   * never did).
   */
  static Future<Void> addOwner(SqlConnection conn, UnaryOperator<String> sql, String room, String createdBy, long now) {
    return conn.preparedQuery(sql.apply("SELECT name FROM users WHERE user_id = ? UNION ALL SELECT name FROM accounts WHERE id = ?"))
        .execute(Tuple.of(createdBy, createdBy))
        .compose(rows -> {
          String name = rows.size() == 0 ? createdBy : rows.iterator().next().getString(0);
          return conn.preparedQuery(sql.apply("INSERT INTO room_members (room_id, user_id, user_name, role, added_by, since)"
                  + " VALUES (?, ?, ?, ?, ?, ?)"))
              .execute(Tuple.of(room, createdBy, name, ConversationStore.OWNER, createdBy, now));
        })
        .mapEmpty();
  }

  /** Deletes a room's members, sanctions, reactions and read markers (with the room's row, in its transaction). */
  static Future<Void> deleteRows(SqlConnection conn, UnaryOperator<String> sql, String room) {
    Future<Void> chain = Future.succeededFuture();
    for (String table : List.of("room_members", "room_sanctions", "reactions", "read_markers")) {
      chain = chain.compose(v -> conn.preparedQuery(sql.apply("DELETE FROM " + table + " WHERE room_id = ?")).execute(Tuple.of(room)).mapEmpty());
    }
    return chain;
  }
}
