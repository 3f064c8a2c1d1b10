package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Messages as both message tables give them ({@link MessageStore#page}, {@link MessageStore#get},
 * {@link MessageStore#search}): the statement (with {@code ?} placeholders) and its arguments, and {@link #run}, which
 * turns the rows into envelopes with their extra fields ({@code more}): {@code edited}, the {@code replyTo} quote,
 * the number of {@code replies}, {@code reactions} and {@code mentions}. Two statements per call: the messages (the
 * quote by a join, the reply count by a subquery) and the reactions of all of them. The tables differ only in how
 * the text column is read ({@link TextColumn}).
 */
record PageQuery(String sql, Tuple args, boolean descending) {
  /** Reads a text column (H2: a string; PostgreSQL: UTF-8 bytes). */
  interface TextColumn {
    String read(Row row, int column);
  }

  /** A quote's text and a notice's excerpt are at most this many code points. */
  static final int QUOTE_CODE_POINTS = 200;
  /** A reaction lists at most this many users (the first by time). */
  static final int REACTION_USERS = 20;

  private static final String SELECT = "SELECT m.id, m.room_id, m.user_id, m.user_name, m.text, m.ts, m.deleted, m.edited,"
      + " m.reply_to, m.mention_ids,"
      + " (SELECT COUNT(*) FROM messages r WHERE r.reply_to = m.id AND r.room_id = m.room_id AND r.deleted = FALSE),"
      + " q.id, q.user_id, q.user_name, q.text, q.deleted"
      + " FROM messages m LEFT JOIN messages q ON q.id = m.reply_to AND q.room_id = m.room_id WHERE ";
  private static final String REACTIONS = "SELECT message_id, emoji, user_id, user_name, c FROM (SELECT message_id, emoji,"
      + " user_id, user_name, ROW_NUMBER() OVER (PARTITION BY message_id, emoji ORDER BY ts, user_id) AS n,"
      + " COUNT(*) OVER (PARTITION BY message_id, emoji) AS c, MIN(ts) OVER (PARTITION BY message_id, emoji) AS f"
      + " FROM reactions WHERE message_id IN (%s)) x WHERE n <= " + REACTION_USERS + " ORDER BY message_id, f, emoji, n";

  /** One page of a room's history (see {@link MessageStore#page}); {@link #run} gives it oldest first. */
  static PageQuery of(String room, Long before, Long after, int limit) {
    Tuple args = Tuple.of(room);
    String sql;
    if (after != null) {
      sql = SELECT + "m.room_id = ? AND m.id > ?" + (before != null ? " AND m.id < ?" : "") + " ORDER BY m.id ASC LIMIT ?";
      args.addLong(after);
    } else {
      sql = SELECT + "m.room_id = ?" + (before != null ? " AND m.id < ?" : "") + " ORDER BY m.id DESC LIMIT ?";
    }
    if (before != null) {
      args.addLong(before);
    }
    args.addInteger(limit);
    return new PageQuery(sql, args, after == null);
  }

  /** One message of a room (see {@link MessageStore#get}). */
  static PageQuery one(String room, long id) {
    return new PageQuery(SELECT + "m.room_id = ? AND m.id = ?", Tuple.of(room, id), false);
  }

  /**
   * Search results (see {@link MessageStore#search}), newest first: up to {@code rows} messages whose search text
   * contains every term (LIKE's wildcards taken literally).
   */
  static PageQuery search(String userId, String room, List<String> terms, Long before, int rows) {
    StringBuilder sql = new StringBuilder(SELECT).append("m.deleted = FALSE");
    Tuple args = Tuple.tuple();
    for (String term : terms) {
      sql.append(" AND m.search_text LIKE ? ESCAPE '\\'");
      args.addString("%" + H2RoomStore.likeEscape(term) + "%");
    }
    if (before != null) {
      sql.append(" AND m.id < ?");
      args.addLong(before);
    }
    if (room != null) {
      sql.append(" AND m.room_id = ?");
      args.addString(room);
    } else {
      sql.append(" AND m.room_id IN (").append(RoomQueries.READABLE).append(')');
      args.addString(userId).addString(userId);
    }
    sql.append(" ORDER BY m.id DESC LIMIT ?");
    args.addInteger(rows);
    // newest first: not reversed
    return new PageQuery(sql.toString(), args, false);
  }

  /** Runs the statement on {@code conn} ({@code sql} numbers placeholders where the database wants it). */
  Future<List<Envelope>> run(SqlConnection conn, UnaryOperator<String> sql, TextColumn text) {
    return conn.preparedQuery(sql.apply(this.sql)).execute(args).compose(rows -> {
      List<Row> messages = new ArrayList<>(rows.size());
      rows.forEach(messages::add);
      if (descending) {
        Collections.reverse(messages);
      }
      List<Long> ids = messages.stream().filter(row -> !Boolean.TRUE.equals(row.getBoolean(6))).map(row -> row.getLong(0)).toList();
      if (ids.isEmpty()) {
        return Future.succeededFuture(envelopes(messages, text, Map.of()));
      }
      String in = String.join(", ", Collections.nCopies(ids.size(), "?"));
      return conn.preparedQuery(sql.apply(REACTIONS.formatted(in))).execute(Tuple.from(ids))
          .map(reactions -> envelopes(messages, text, reactions(reactions)));
    });
  }

  private static List<Envelope> envelopes(List<Row> rows, TextColumn text, Map<Long, JsonArray> reactions) {
    List<Envelope> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      long id = row.getLong(0);
      if (Boolean.TRUE.equals(row.getBoolean(6))) {
        out.add(new Envelope(id, row.getString(1), Envelope.DELETED, null, null, row.getLong(5)));
        continue;
      }
      JsonObject more = new JsonObject();
      Long edited = row.getLong(7);
      if (edited != null) {
        more.put("edited", edited);
      }
      Long replyTo = row.getLong(8);
      if (replyTo != null) {
        JsonObject quote = new JsonObject().put("id", replyTo);
        if (row.getLong(11) != null) {
          if (Boolean.TRUE.equals(row.getBoolean(15))) {
            quote.put("deleted", true);
          } else {
            quote.put("user", new UserRef(row.getString(12), row.getString(13)).toJson()).put("text", excerpt(text.read(row, 14)));
          }
        }
        more.put("replyTo", quote);
      }
      long replies = row.getLong(10);
      if (replies > 0) {
        more.put("replies", replies);
      }
      JsonArray reacted = reactions.get(id);
      if (reacted != null) {
        more.put("reactions", reacted);
      }
      List<String> mentions = mentionIds(row.getString(9));
      if (!mentions.isEmpty()) {
        more.put("mentions", new JsonArray(new ArrayList<>(mentions)));
      }
      out.add(Envelope.chat(id, row.getString(1), new UserRef(row.getString(2), row.getString(3)), text.read(row, 4), row.getLong(5))
          .withMore(more));
    }
    return out;
  }

  /** The reactions by message: emoji in {@link MessageStore#REACTION_ORDER}, each with its count and first users. */
  private static Map<Long, JsonArray> reactions(RowSet<Row> rows) {
    Map<Long, Map<String, JsonObject>> byMessage = new LinkedHashMap<>();
    for (Row row : rows) {
      JsonObject emoji = byMessage.computeIfAbsent(row.getLong(0), k -> new LinkedHashMap<>())
          .computeIfAbsent(row.getString(1), e -> new JsonObject().put("emoji", e).put("count", row.getLong(4))
              .put("users", new JsonArray()));
      emoji.getJsonArray("users").add(new UserRef(row.getString(2), row.getString(3)).toJson());
    }
    Map<Long, JsonArray> out = new LinkedHashMap<>();
    byMessage.forEach((id, emojis) -> {
      List<JsonObject> list = new ArrayList<>(emojis.values()); // by first reaction
      list.sort(Comparator.comparingInt(e -> {
        int at = MessageStore.REACTION_ORDER.indexOf(e.getString("emoji"));
        return at < 0 ? Integer.MAX_VALUE : at;
      }));
      out.put(id, new JsonArray(new ArrayList<>(list)));
    });
    return out;
  }

  /** The first {@value #QUOTE_CODE_POINTS} code points of a text. */
  static String excerpt(String text) {
    return text.codePointCount(0, text.length()) <= QUOTE_CODE_POINTS ? text
        : text.substring(0, text.offsetByCodePoints(0, QUOTE_CODE_POINTS));
  }

  /** The {@code mention_ids} column ({@code ",id1,id2,"}) of a message's mentions; null for none. */
  static String mentionColumn(List<String> ids) {
    if (ids.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder(",");
    for (String id : ids) {
      if (out.length() + id.length() + 1 > 2200) {
        break;
      }
      out.append(id).append(',');
    }
    return out.length() == 1 ? null : out.toString();
  }

  private static List<String> mentionIds(String column) {
    if (column == null || column.length() < 2) {
      return List.of();
    }
    return List.of(column.substring(1, column.length() - 1).split(","));
  }
}
