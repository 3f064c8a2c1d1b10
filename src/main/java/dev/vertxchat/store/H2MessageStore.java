package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The {@code messages} table in H2: the queryable copy of the {@link MessageJournal}. Pages are read
 * through the shared pool; rows are written only by the journal ({@link JournalIndexer}), in large
 * batches with the ids the journal allocated, and {@code MERGE} makes copying a batch twice (a retry
 * after an unclear failure, a replay at start) harmless.
 */
public final class H2MessageStore {
  private static final String COLUMNS = "id, room_id, user_id, user_name, text, ts";
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
        ? "MERGE INTO messages (" + COLUMNS + ") KEY (id) VALUES (?, ?, ?, ?, ?, ?)"
        : "INSERT INTO messages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Envelope e : batch) {
        st.setLong(1, e.id());
        st.setString(2, e.room());
        st.setString(3, e.user().id());
        st.setString(4, e.user().name());
        st.setString(5, e.text());
        st.setLong(6, e.ts());
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
    PageQuery query = PageQuery.of(room, before, after, limit);
    return pool.withTransaction(conn -> conn.preparedQuery(query.sql()).execute(query.args())
        .map(rows -> query.envelopes(rows, row -> row.getString(4))));
  }

  /**
   * Removes a message's text, keeping its row as a tombstone ({@link Envelope#DELETED} in pages); the
   * message must be in the table already (see {@link JournaledMessageStore#delete}).
   *
   * @return false when the room has no message with that id
   */
  Future<Boolean> delete(String room, long id) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE messages SET text = '', deleted = TRUE WHERE id = ? AND room_id = ?")
        .execute(Tuple.of(id, room)).map(rows -> rows.rowCount() > 0));
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
        .mapEmpty());
  }
}
