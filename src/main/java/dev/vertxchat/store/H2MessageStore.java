package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The {@code messages} table in H2: the queryable copy of the {@link MessageJournal}. Pages are read
 * through the shared pool; rows are written only by the journal ({@link JournalIndexer}), in large
 * batches with the ids the journal allocated, and {@code MERGE} makes copying a batch twice (a retry
 * after an unclear failure, a replay at start) harmless.
 */
public final class H2MessageStore {
  private static final String COLUMNS = "id, room_id, user_id, user_name, text, ts, reply_to, mention_ids, search_text";
  private static final UnaryOperator<String> SQL = UnaryOperator.identity();
  private static final PageQuery.TextColumn TEXT = Row::getString;
  private static final String UNIQUE_VIOLATION = "23505";
  private final Pool pool;

  public H2MessageStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores the envelopes (chat messages with their ids) in one transaction of a plain JDBC connection
   * (one JDBC batch); the caller runs on a worker thread.
   */
  static void insert(Connection conn, List<Envelope> batch) throws SQLException {
    write(conn, batch, false);
  }

  /** {@link #insert}, replacing rows that are there already. */
  static void merge(Connection conn, List<Envelope> batch) throws SQLException {
    write(conn, batch, true);
  }

  /**
   * Whether an insert failed because some of its rows are there already. A JDBC batch reports that as a
   * {@link java.sql.BatchUpdateException} (not a {@link java.sql.SQLIntegrityConstraintViolationException}),
   * with the SQL state of the first failure: 23505, unique violation.
   */
  static boolean isDuplicateKey(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static void write(Connection conn, List<Envelope> batch, boolean merge) throws SQLException {
    conn.setAutoCommit(false);
    try (PreparedStatement st = conn.prepareStatement(merge
        ? "MERGE INTO messages (" + COLUMNS + ") KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        : "INSERT INTO messages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Envelope e : batch) {
        st.setLong(1, e.id());
        st.setString(2, e.room());
        st.setString(3, e.user().id());
        st.setString(4, e.user().name());
        st.setString(5, e.text());
        st.setLong(6, e.ts());
        // a record journaled by an older version has neither: nulls; the search text is computed here anyway
        Long replyTo = e.replyToId();
        if (replyTo == null) {
          st.setNull(7, Types.BIGINT);
        } else {
          st.setLong(7, replyTo);
        }
        st.setString(8, PageQuery.mentionColumn(e.mentions()));
        st.setString(9, SearchText.normalize(e.text()));
        st.addBatch();
      }
      st.executeBatch();
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        conn.rollback();
      } catch (SQLException ignored) {
        // the connection is discarded by the caller
      }
      throw e;
    }
  }

  /** The highest id ever stored, 0 when there is none. */
  static long maxId(Connection conn) throws SQLException {
    conn.setAutoCommit(true);
    // the ids of a deleted room's messages count too (message_ids keeps the highest when rows go)
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT GREATEST("
        + "(SELECT COALESCE(MAX(id), 0) FROM messages), (SELECT COALESCE(MAX(top), 0) FROM message_ids))")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** See {@link MessageStore#page}. */
  public Future<List<Envelope>> page(String room, Long before, Long after, int limit) {
    return pool.withTransaction(conn -> PageQuery.of(room, before, after, limit).run(conn, SQL, TEXT));
  }

  /** See {@link MessageStore#get}. */
  Future<Envelope> get(String room, long id) {
    return pool.withTransaction(conn -> PageQuery.one(room, id).run(conn, SQL, TEXT)).map(found -> found.isEmpty() ? null : found.get(0));
  }

  /** See {@link MessageStore#edit}. */
  Future<Boolean> edit(String room, long id, String text, long ts) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE messages SET text = ?, search_text = ?, edited = ?"
            + " WHERE id = ? AND room_id = ? AND deleted = FALSE")
        .execute(Tuple.of(text, SearchText.normalize(text), ts, id, room)).map(rows -> rows.rowCount() > 0));
  }

  /** See {@link MessageStore#react}. */
  Future<Integer> react(String room, long id, String emoji, UserRef user, boolean on, long ts) {
    return pool.withTransaction(conn -> react(conn, SQL, room, id, emoji, user, on, ts));
  }

  /**
   * Adds or removes a reaction in {@code conn}'s transaction, the message's row locked first (so a delete of the
   * message, which removes its reactions, is wholly before or after); answers the emoji's count, -1 when the
   * message is not there or deleted. Both databases.
   */
  static Future<Integer> react(SqlConnection conn, UnaryOperator<String> sql, String room, long id, String emoji, UserRef user,
                               boolean on, long ts) {
    return conn.preparedQuery(sql.apply("SELECT deleted FROM messages WHERE id = ? AND room_id = ? FOR UPDATE")).execute(Tuple.of(id, room))
        .compose(rows -> {
          if (rows.size() == 0 || Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))) {
            return Future.succeededFuture(-1);
          }
          Future<?> change = on
              ? conn.preparedQuery(sql.apply("SELECT 1 FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?"))
                  .execute(Tuple.of(id, emoji, user.id()))
                  .compose(found -> found.size() > 0 ? Future.succeededFuture()
                      : conn.preparedQuery(sql.apply("INSERT INTO reactions (message_id, room_id, emoji, user_id, user_name, ts)"
                          + " VALUES (?, ?, ?, ?, ?, ?)")).execute(Tuple.of(id, room, emoji, user.id(), user.name(), ts)))
              : conn.preparedQuery(sql.apply("DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?"))
                  .execute(Tuple.of(id, emoji, user.id()));
          return change.compose(v -> conn.preparedQuery(sql.apply("SELECT COUNT(*) FROM reactions WHERE message_id = ? AND emoji = ?"))
              .execute(Tuple.of(id, emoji)).map(count -> (int) (long) count.iterator().next().getLong(0)));
        });
  }

  /** See {@link MessageStore#search}. */
  Future<MessageStore.SearchPage> search(String userId, String room, List<String> terms, Long before, int limit) {
    return pool.withTransaction(conn -> search(conn, SQL, TEXT, userId, room, terms, before, limit));
  }

  /** A page of search results (both databases): one row more than asked tells whether another page follows. */
  static Future<MessageStore.SearchPage> search(SqlConnection conn, UnaryOperator<String> sql, PageQuery.TextColumn text,
                                                String userId, String room, List<String> terms, Long before, int limit) {
    return PageQuery.search(userId, room, terms, before, limit + 1).run(conn, sql, text).map(found -> {
      if (found.size() <= limit) {
        return new MessageStore.SearchPage(found, null);
      }
      List<Envelope> page = found.subList(0, limit);
      return new MessageStore.SearchPage(List.copyOf(page), page.get(limit - 1).id());
    });
  }

  /**
   * Removes a message's text, keeping its row as a tombstone ({@link Envelope#DELETED} in pages); the
   * message must be in the table already (see {@link JournaledMessageStore#delete}).
   *
   * @return false when the room has no message with that id
   */
  Future<Boolean> delete(String room, long id) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE messages SET text = '', deleted = TRUE, search_text = NULL"
            + " WHERE id = ? AND room_id = ?")
        .execute(Tuple.of(id, room))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
            : conn.preparedQuery("DELETE FROM reactions WHERE message_id = ? AND room_id = ?").execute(Tuple.of(id, room)).map(true)));
  }

  /**
   * Deletes every message of a room; the highest id ever stored is kept in {@code message_ids}, so the
   * ids of the deleted rows are never given out again after a restart.
   */
  Future<Void> deleteRoom(String room) {
    return pool.withTransaction(conn -> conn.query("SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM messages),"
            + " (SELECT COALESCE(MAX(top), 0) FROM message_ids))").execute()
        .compose(rows -> {
          long top = rows.iterator().next().getLong(0);
          return conn.query("DELETE FROM message_ids").execute()
              .compose(v -> conn.preparedQuery("INSERT INTO message_ids (top) VALUES (?)").execute(Tuple.of(top)));
        })
        .compose(v -> conn.preparedQuery("DELETE FROM messages WHERE room_id = ?").execute(Tuple.of(room)))
        .compose(v -> conn.preparedQuery("DELETE FROM reactions WHERE room_id = ?").execute(Tuple.of(room)))
        .mapEmpty());
  }
}
