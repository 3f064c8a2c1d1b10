package dev.vertxchat.store;

import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@link ConversationStore} in H2 or PostgreSQL: the same statements, placeholders written {@code ?} and numbered for
 * PostgreSQL by {@code sql} (as {@link SqlAccountStore}). A row that may or may not be there is changed by an UPDATE
 * and, when it changed nothing, an INSERT, in one transaction; two such transactions racing for the same new row make
 * one fail on the primary key, and that one runs again once (then its UPDATE finds the row). {@code users.name_key}
 * holds the SHA-256 (hex) of the look-alike key, as {@code accounts.name_key} does. The DM list and unread counts
 * read the messages table: with H2 they first wait for the journal's copy ({@link Stores#conversations(MessageStore)}).
 * Longer than 300 lines because it is the whole conversation store of both databases: members, sanctions, DMs, users,
 * prefs and read markers, each a few statements.
 */
final class SqlConversationStore implements ConversationStore {
  private static final String UNIQUE_VIOLATION = "23505";
  /** Unread counts look at no more than this many messages per room. */
  private static final int COUNT_LOOK = COUNT_CAP + 1;

  private final Pool pool;
  private final UnaryOperator<String> sql;
  private final boolean postgres;
  /** Completes once the messages table holds every message appended before (H2: the journal's copy). */
  private final Supplier<Future<Void>> messagesCurrent;

  SqlConversationStore(Pool pool, boolean postgres, Supplier<Future<Void>> messagesCurrent) {
    this.pool = pool;
    this.postgres = postgres;
    this.sql = postgres ? PgDatabase::numbered : UnaryOperator.identity();
    this.messagesCurrent = messagesCurrent;
  }

  private Future<RowSet<Row>> run(SqlConnection conn, String statement, Tuple args) {
    return conn.preparedQuery(sql.apply(statement)).execute(args);
  }

  /** A transaction, run again once when it lost a race for a new row (a primary key violation). */
  private <T> Future<T> retrying(Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work).recover(err -> duplicate(err) ? pool.withTransaction(work) : Future.failedFuture(err));
  }

  private static boolean duplicate(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof SQLException e && UNIQUE_VIOLATION.equals(e.getSQLState())
          || t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code update}; when it changed no row, {@code insert}. */
  private Future<Void> upsert(SqlConnection conn, String update, Tuple updateArgs, String insert, Tuple insertArgs) {
    return run(conn, update, updateArgs)
        .compose(rows -> rows.rowCount() > 0 ? Future.succeededFuture() : run(conn, insert, insertArgs).mapEmpty());
  }

  // ---- rooms: members and sanctions ----

  @Override
  public Future<RoomAccess> access(String room, long now) {
    return pool.withTransaction(conn -> run(conn, "SELECT " + RoomQueries.COLUMNS + ", created_by FROM rooms WHERE id = ?", Tuple.of(room))
        .compose(found -> {
          if (found.size() == 0) {
            return Future.succeededFuture(null);
          }
          Row row = found.iterator().next();
          Future<RowSet<Row>> members = run(conn,
              "SELECT user_id, user_name, role, added_by, since FROM room_members WHERE room_id = ? ORDER BY since, user_id", Tuple.of(room));
          Future<RowSet<Row>> sanctions = run(conn, "SELECT user_id, user_name, kind, until, by_user, since"
              + " FROM room_sanctions WHERE room_id = ? AND (kind = 'ban' OR until > ?) ORDER BY since, user_id", Tuple.of(room, now));
          return Future.all(members, sanctions).map(v -> {
            Map<String, Member> byUser = new LinkedHashMap<>();
            for (Row m : members.result()) {
              byUser.put(m.getString(0), new Member(user(m, 0), m.getString(2), m.getString(3), m.getLong(4)));
            }
            Map<String, Map<String, Sanction>> sanctioned = new LinkedHashMap<>();
            for (Row s : sanctions.result()) {
              sanctioned.computeIfAbsent(s.getString(0), k -> new HashMap<>()).put(s.getString(2),
                  new Sanction(user(s, 0), s.getString(2), s.getLong(3), s.getString(4), s.getLong(5)));
            }
            return new RoomAccess(RoomQueries.room(row), row.getString(5), byUser, sanctioned);
          });
        }));
  }

  /** The user of a row's id column and the name column after it (the id when the name is unknown). */
  private static UserRef user(Row row, int idColumn) {
    String id = row.getString(idColumn);
    String name = row.getString(idColumn + 1);
    return new UserRef(id, name == null ? id : name);
  }

  /** Adds a member row, or changes an existing one's role (and name), keeping who added them and when. */
  @Override
  public Future<Void> putMember(String room, UserRef user, String role, String by, long now) {
    return retrying(conn -> upsert(conn,
        "UPDATE room_members SET role = ?, user_name = ? WHERE room_id = ? AND user_id = ?", Tuple.of(role, user.name(), room, user.id()),
        "INSERT INTO room_members (room_id, user_id, user_name, role, added_by, since) VALUES (?, ?, ?, ?, ?, ?)",
        Tuple.of(room, user.id(), user.name(), role, by, now)));
  }

  @Override
  public Future<Boolean> removeMember(String room, String userId) {
    return pool.withTransaction(conn -> run(conn, "DELETE FROM room_members WHERE room_id = ? AND user_id = ?", Tuple.of(room, userId))
        .map(rows -> rows.rowCount() > 0));
  }

  /** Puts a sanction in force; one already there of that kind is replaced (its end, who, since). */
  @Override
  public Future<Void> sanction(String room, UserRef user, String kind, long until, String by, long now) {
    return retrying(conn -> upsert(conn,
        "UPDATE room_sanctions SET user_name = ?, until = ?, by_user = ?, since = ? WHERE room_id = ? AND user_id = ? AND kind = ?",
        Tuple.of(user.name(), until, by, now, room, user.id(), kind),
        "INSERT INTO room_sanctions (room_id, user_id, user_name, kind, until, by_user, since) VALUES (?, ?, ?, ?, ?, ?, ?)",
        Tuple.of(room, user.id(), user.name(), kind, until, by, now)));
  }

  @Override
  public Future<Boolean> lift(String room, String userId, String kind) {
    return pool.withTransaction(conn -> run(conn, "DELETE FROM room_sanctions WHERE room_id = ? AND user_id = ? AND kind = ?",
        Tuple.of(room, userId, kind)).map(rows -> rows.rowCount() > 0));
  }

  // ---- direct messages ----

  /**
   * Creates the DM room (kind dm, empty name and topic, created by {@code a}) with both member rows. The per-user quota
   * counts the DMs {@code a} created. On PostgreSQL the room-creation advisory lock makes the counts exact across nodes.
   */
  @Override
  public Future<RoomStore.Created> openDm(String roomId, UserRef a, UserRef b, int perUser, int total, long now) {
    return pool.withTransaction(conn -> (postgres
            ? conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(PgDatabase.ROOM_CREATE_LOCK)).mapEmpty()
            : Future.<Void>succeededFuture())
        .compose(v -> run(conn, "SELECT (SELECT COUNT(*) FROM rooms WHERE id = ?),"
            + " (SELECT COUNT(*) FROM rooms WHERE created_by = ? AND kind = 'dm'), (SELECT COUNT(*) FROM rooms WHERE kind = 'dm')",
            Tuple.of(roomId, a.id())))
        .compose(rows -> {
          Row counts = rows.iterator().next();
          if (counts.getLong(0) > 0) {
            return Future.succeededFuture(RoomStore.Created.EXISTS);
          }
          if (counts.getLong(1) >= perUser) {
            return Future.succeededFuture(RoomStore.Created.USER_QUOTA);
          }
          if (counts.getLong(2) >= total) {
            return Future.succeededFuture(RoomStore.Created.SERVER_FULL);
          }
          String member = "INSERT INTO room_members (room_id, user_id, user_name, role, added_by, since) VALUES (?, ?, ?, ?, ?, ?)";
          return run(conn, "INSERT INTO rooms (id, name, topic, created_by, created_at, kind) VALUES (?, '', '', ?, ?, 'dm')",
              Tuple.of(roomId, a.id(), now))
              .compose(v -> postgres ? run(conn, "INSERT INTO room_heads (room_id, last_id) VALUES (?, 0)", Tuple.of(roomId))
                  : Future.succeededFuture())
              .compose(v -> run(conn, member, Tuple.of(roomId, a.id(), a.name(), MEMBER, a.id(), now)))
              .compose(v -> run(conn, member, Tuple.of(roomId, b.id(), b.name(), MEMBER, a.id(), now)))
              .map(RoomStore.Created.CREATED);
        }))
        // two opens of the same DM racing: the primary key decides, the other one finds it
        .recover(err -> duplicate(err) ? Future.succeededFuture(RoomStore.Created.EXISTS) : Future.failedFuture(err));
  }

  /** The other user named as the server last saw them; most recent message first, then the newest DM. */
  @Override
  public Future<List<Dm>> dms(String userId, int limit) {
    return messagesCurrent.get().compose(ready -> pool.withTransaction(conn -> run(conn, "SELECT x.room_id, x.user_id, x.user_name, x.last_id FROM (SELECT r.id AS room_id,"
            + " o.user_id, COALESCE(u.name, o.user_name) AS user_name, r.created_at,"
            + " COALESCE((SELECT MAX(g.id) FROM messages g WHERE g.room_id = r.id), 0) AS last_id"
            + " FROM room_members me JOIN rooms r ON r.id = me.room_id AND r.kind = 'dm'"
            + " JOIN room_members o ON o.room_id = r.id AND o.user_id <> me.user_id"
            + " LEFT JOIN users u ON u.user_id = o.user_id WHERE me.user_id = ?) x"
            + " ORDER BY x.last_id DESC, x.created_at DESC, x.room_id LIMIT ?", Tuple.of(userId, limit))
        .map(rows -> {
          List<Dm> out = new ArrayList<>(rows.size());
          rows.forEach(row -> out.add(new Dm(row.getString(0), user(row, 1), row.getLong(3))));
          return out;
        })));
  }

  // ---- users, prefs, blocks ----

  @Override
  public Future<Void> seen(UserRef user, String nameKey, long now) {
    String key = SqlAccountStore.stored(nameKey);
    return retrying(conn -> upsert(conn,
        "UPDATE users SET name = ?, name_key = ?, seen_at = ? WHERE user_id = ?", Tuple.of(user.name(), key, now, user.id()),
        "INSERT INTO users (user_id, name, name_key, dms, seen_at) VALUES (?, ?, ?, TRUE, ?)", Tuple.of(user.id(), user.name(), key, now)));
  }

  /** A user the server has seen, or else a registered account (which may not have used the service yet). */
  @Override
  public Future<UserRef> user(String userId) {
    return pool.withTransaction(conn -> run(conn, "SELECT user_id, name FROM users WHERE user_id = ?"
        + " UNION ALL SELECT id, name FROM accounts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM users WHERE user_id = ?)",
        Tuple.of(userId, userId, userId))
        .map(rows -> rows.size() == 0 ? null : user(rows.iterator().next(), 0)));
  }

  /**
   * Users seen with that key, and accounts whose look-alike key ({@code auth.Names.key}) it is that were never seen;
   * accounts first, then the most recently seen.
   */
  @Override
  public Future<List<UserRef>> usersByNameKey(String nameKey, int limit) {
    String key = SqlAccountStore.stored(nameKey);
    return pool.withTransaction(conn -> run(conn, "SELECT id, name FROM (SELECT u.user_id AS id, u.name AS name,"
            + " CASE WHEN EXISTS (SELECT 1 FROM accounts a WHERE a.id = u.user_id) THEN 0 ELSE 1 END AS acct, u.seen_at AS at"
            + " FROM users u WHERE u.name_key = ? UNION ALL SELECT a.id, a.name, 0, 0 FROM accounts a WHERE a.name_key = ?"
            + " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = a.id)) x ORDER BY acct, at DESC, id LIMIT ?",
        Tuple.of(key, key, limit))
        .map(rows -> {
          List<UserRef> out = new ArrayList<>(rows.size());
          rows.forEach(row -> out.add(user(row, 0)));
          return out;
        }));
  }

  /** DMs on unless turned off (also for a user never seen); blocked users in the order they were blocked. */
  @Override
  public Future<Prefs> prefs(String userId) {
    return pool.withTransaction(conn -> {
      Future<RowSet<Row>> dms = run(conn, "SELECT dms FROM users WHERE user_id = ?", Tuple.of(userId));
      Future<RowSet<Row>> blocked = run(conn,
          "SELECT blocked_id, blocked_name FROM user_blocks WHERE user_id = ? ORDER BY since, blocked_id", Tuple.of(userId));
      return Future.all(dms, blocked).map(v -> {
        boolean on = dms.result().size() == 0 || Boolean.TRUE.equals(dms.result().iterator().next().getBoolean(0));
        List<UserRef> list = new ArrayList<>();
        blocked.result().forEach(row -> list.add(user(row, 0)));
        return new Prefs(on, list);
      });
    });
  }

  /** A user never seen gets a row named by their id (the next {@link #seen} names them). */
  @Override
  public Future<Void> setDms(String userId, boolean on) {
    return retrying(conn -> upsert(conn, "UPDATE users SET dms = ? WHERE user_id = ?", Tuple.of(on, userId),
        "INSERT INTO users (user_id, name, name_key, dms, seen_at) VALUES (?, ?, '', ?, 0)", Tuple.of(userId, userId, on)));
  }

  @Override
  public Future<Boolean> block(String userId, UserRef blocked) {
    return retrying(conn -> run(conn, "SELECT 1 FROM user_blocks WHERE user_id = ? AND blocked_id = ?", Tuple.of(userId, blocked.id()))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(false)
            : run(conn, "INSERT INTO user_blocks (user_id, blocked_id, blocked_name, since) VALUES (?, ?, ?, ?)",
                Tuple.of(userId, blocked.id(), blocked.name(), System.currentTimeMillis())).map(true)));
  }

  @Override
  public Future<Boolean> unblock(String userId, String blockedId) {
    return pool.withTransaction(conn -> run(conn, "DELETE FROM user_blocks WHERE user_id = ? AND blocked_id = ?", Tuple.of(userId, blockedId))
        .map(rows -> rows.rowCount() > 0));
  }

  @Override
  public Future<Boolean> blocks(String userId, String otherId) {
    return pool.withTransaction(conn -> run(conn, "SELECT 1 FROM user_blocks WHERE user_id = ? AND blocked_id = ?", Tuple.of(userId, otherId))
        .map(rows -> rows.size() > 0));
  }

  // ---- read markers ----

  @Override
  public Future<Long> markRead(String userId, String room, long id) {
    return retrying(conn -> upsert(conn,
        "UPDATE read_markers SET last_read = GREATEST(last_read, ?) WHERE user_id = ? AND room_id = ?", Tuple.of(id, userId, room),
        "INSERT INTO read_markers (user_id, room_id, last_read) VALUES (?, ?, ?)", Tuple.of(userId, room, id))
        .compose(v -> run(conn, "SELECT last_read FROM read_markers WHERE user_id = ? AND room_id = ?", Tuple.of(userId, room)))
        .map(rows -> rows.iterator().next().getLong(0)));
  }

  /**
   * Rooms with a read marker of the user that they may still read (public and not banned, or with a member row), and
   * private rooms and DMs with a member row of theirs; the most recent message first (then by room id).
   */
  @Override
  public Future<List<Unread>> unread(String userId, int limit) {
    return messagesCurrent.get().compose(ready -> pool.withTransaction(conn -> run(conn, "SELECT x.room_id, x.last_read FROM (SELECT k.room_id, k.last_read FROM read_markers k"
            + " WHERE k.user_id = ? AND k.room_id IN (" + RoomQueries.READABLE + ")"
            + " UNION ALL SELECT rm.room_id, 0 FROM room_members rm JOIN rooms r ON r.id = rm.room_id AND r.kind <> 'public'"
            + " WHERE rm.user_id = ? AND NOT EXISTS (SELECT 1 FROM read_markers k WHERE k.user_id = rm.user_id AND k.room_id = rm.room_id)) x"
            + " ORDER BY COALESCE((SELECT MAX(g.id) FROM messages g WHERE g.room_id = x.room_id), 0) DESC, x.room_id LIMIT ?",
        Tuple.of(userId, userId, userId, userId, limit))
        .compose(rows -> {
          List<Future<Unread>> counts = new ArrayList<>(rows.size());
          rows.forEach(row -> counts.add(counts(conn, userId, row.getString(0), row.getLong(1))));
          return Future.all(counts).map(v -> counts.stream().map(Future::result).toList());
        })));
  }

  @Override
  public Future<Unread> unread(String userId, String room) {
    return messagesCurrent.get().compose(ready -> pool.withTransaction(conn -> run(conn,
            "SELECT last_read FROM read_markers WHERE user_id = ? AND room_id = ?", Tuple.of(userId, room))
        .compose(rows -> counts(conn, userId, room, rows.size() == 0 ? 0 : rows.iterator().next().getLong(0)))));
  }

  /**
   * Chat messages after the marker, not deleted, not the user's own, capped; and those of the newest
   * {@link #COUNT_LOOK} of them that mention the user. Both read at most COUNT_LOOK rows of the room after the
   * marker (by its id index), however long the room: a count never reads a room's whole history.
   */
  private Future<Unread> counts(SqlConnection conn, String userId, String room, long lastRead) {
    String after = "FROM messages WHERE room_id = ? AND id > ? AND deleted = FALSE AND user_id <> ?";
    String mention = "%," + H2RoomStore.likeEscape(userId) + ",%";
    return run(conn, "SELECT (SELECT COUNT(*) FROM (SELECT 1 " + after + " LIMIT " + COUNT_LOOK + ") a),"
            + " (SELECT COUNT(*) FROM (SELECT mention_ids " + after + " ORDER BY id DESC LIMIT " + COUNT_LOOK + ") b"
            + " WHERE b.mention_ids LIKE ? ESCAPE '\\')",
        Tuple.of(room, lastRead, userId, room, lastRead, userId, mention))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Unread(room, lastRead, (int) Math.min(COUNT_CAP, row.getLong(0)), (int) Math.min(COUNT_CAP, row.getLong(1)));
        });
  }
}
