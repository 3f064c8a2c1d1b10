package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/**
 * The embedded H2 database under the data directory, reached through one {@link Pool} per data
 * directory that every verticle of the process shares (same name, {@code shared=true}).
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String POOL_NAME = "vertxchat-h2";
  private static final String USER = "sa";
  private static final String PASSWORD = "";

  /** Ordered schema migrations; a migration, once released, is never edited, only followed by a new one. */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          "CREATE TABLE rooms (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, topic VARCHAR(256) NOT NULL,"
              + " created_by VARCHAR(64), created_at BIGINT NOT NULL)",
          "CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, name_key VARCHAR(128) NOT NULL,"
              + " password_hash VARCHAR(256) NOT NULL, created_at BIGINT NOT NULL, CONSTRAINT accounts_name_key UNIQUE (name_key))",
          "CREATE TABLE messages (id BIGINT PRIMARY KEY, room_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL,"
              + " user_name VARCHAR(64) NOT NULL, text CHARACTER VARYING NOT NULL, ts BIGINT NOT NULL)",
          "CREATE INDEX messages_room_id ON messages (room_id, id)"),
      // the per-user room quota counts a user's rooms at every create
      List.of("CREATE INDEX rooms_created_by ON rooms (created_by)"),
      // names are compared by look-alike keys (auth/Names): a second key column, and the version of the
      // comparison that made the keys (H2AccountStore.rekeyIfStale recomputes them when it changes).
      // IF NOT EXISTS: H2 commits DDL at once, so a start that fails later in this step runs it again
      List.of(
          "ALTER TABLE accounts ADD COLUMN IF NOT EXISTS name_upper_key VARCHAR(128)",
          "CREATE UNIQUE INDEX IF NOT EXISTS accounts_name_upper_key ON accounts (name_upper_key)",
          "CREATE TABLE IF NOT EXISTS name_keys_version (version VARCHAR(64) NOT NULL)"),
      // the admin API: bans, settings changed at run time, messages deleted by an operator (kept as
      // tombstones without text), and the highest message id ever stored (rows of a deleted room go,
      // their ids are never given out again)
      List.of(
          "CREATE TABLE IF NOT EXISTS bans (user_id VARCHAR(128) PRIMARY KEY, reason VARCHAR(200),"
              + " banned_by VARCHAR(128) NOT NULL, since BIGINT NOT NULL)",
          "CREATE TABLE IF NOT EXISTS settings (name VARCHAR(64) PRIMARY KEY, setting_value VARCHAR(256) NOT NULL)",
          "ALTER TABLE messages ADD COLUMN IF NOT EXISTS deleted BOOLEAN DEFAULT FALSE NOT NULL",
          "CREATE TABLE IF NOT EXISTS message_ids (top BIGINT NOT NULL)"),
      // a ban reason is at most 200 code points: up to 400 UTF-16 units, which is what H2 counts
      List.of("ALTER TABLE bans ALTER COLUMN reason SET DATA TYPE VARCHAR(400)"),
      // conversations (issue 13): room kinds, edits, replies, mentions, search text, members, mutes and bans per
      // room, reactions, the users the server has seen, blocks, read markers. Existing rooms become public; existing
      // messages get a search text in lower case (SearchText.normalize's NFKC is Java's: new messages only)
      List.of(
          "ALTER TABLE rooms ADD COLUMN IF NOT EXISTS kind VARCHAR(16) DEFAULT 'public' NOT NULL",
          "ALTER TABLE rooms ADD COLUMN IF NOT EXISTS archived BOOLEAN DEFAULT FALSE NOT NULL",
          "ALTER TABLE messages ADD COLUMN IF NOT EXISTS edited BIGINT",
          "ALTER TABLE messages ADD COLUMN IF NOT EXISTS reply_to BIGINT",
          "ALTER TABLE messages ADD COLUMN IF NOT EXISTS mention_ids VARCHAR(2200)",
          "ALTER TABLE messages ADD COLUMN IF NOT EXISTS search_text CHARACTER VARYING",
          "CREATE INDEX IF NOT EXISTS messages_reply_to ON messages (reply_to)",
          "UPDATE messages SET search_text = LOWER(REPLACE(text, CHAR(0), '')) WHERE deleted = FALSE AND search_text IS NULL",
          "CREATE TABLE IF NOT EXISTS room_members (room_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT NULL,"
              + " user_name VARCHAR(128), role VARCHAR(16) NOT NULL, added_by VARCHAR(128), since BIGINT NOT NULL,"
              + " PRIMARY KEY (room_id, user_id))",
          "CREATE INDEX IF NOT EXISTS room_members_user ON room_members (user_id)",
          "CREATE TABLE IF NOT EXISTS room_sanctions (room_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT NULL,"
              + " user_name VARCHAR(128), kind VARCHAR(8) NOT NULL, until BIGINT NOT NULL, by_user VARCHAR(128),"
              + " since BIGINT NOT NULL, PRIMARY KEY (room_id, user_id, kind))",
          "CREATE TABLE IF NOT EXISTS reactions (message_id BIGINT NOT NULL, room_id VARCHAR(64) NOT NULL,"
              + " emoji VARCHAR(32) NOT NULL, user_id VARCHAR(128) NOT NULL, user_name VARCHAR(128), ts BIGINT NOT NULL,"
              + " PRIMARY KEY (message_id, emoji, user_id))",
          "CREATE INDEX IF NOT EXISTS reactions_room ON reactions (room_id)",
          "CREATE TABLE IF NOT EXISTS users (user_id VARCHAR(128) PRIMARY KEY, name VARCHAR(128) NOT NULL,"
              + " name_key VARCHAR(128) NOT NULL, dms BOOLEAN DEFAULT TRUE NOT NULL, seen_at BIGINT NOT NULL)",
          "CREATE INDEX IF NOT EXISTS users_name_key ON users (name_key)",
          "CREATE TABLE IF NOT EXISTS user_blocks (user_id VARCHAR(128) NOT NULL, blocked_id VARCHAR(128) NOT NULL,"
              + " blocked_name VARCHAR(128), since BIGINT NOT NULL, PRIMARY KEY (user_id, blocked_id))",
          "CREATE TABLE IF NOT EXISTS read_markers (user_id VARCHAR(128) NOT NULL, room_id VARCHAR(64) NOT NULL,"
              + " last_read BIGINT NOT NULL, PRIMARY KEY (user_id, room_id))",
          "CREATE INDEX IF NOT EXISTS read_markers_room ON read_markers (room_id)",
          // the creators of existing rooms become their owners
          "INSERT INTO room_members (room_id, user_id, user_name, role, added_by, since) SELECT r.id, r.created_by,"
              + " (SELECT a.name FROM accounts a WHERE a.id = r.created_by), 'owner', r.created_by, r.created_at FROM rooms r"
              + " WHERE r.created_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = r.created_by)"));

  private Database() {}

  /**
   * The JDBC URL of the database file. {@code WRITE_DELAY=0} makes every commit reach the file before
   * the commit returns, so an acknowledged message survives a crash of the process;
   * {@code DB_CLOSE_ON_EXIT=FALSE} leaves closing to the service's own orderly shutdown.
   */
  public static String url(String dataDir) {
    Path file = Path.of(dataDir).toAbsolutePath().resolve("chat");
    return "jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
  }

  public static Pool pool(Vertx vertx, String dataDir, int size) {
    return JDBCPool.pool(vertx,
        new JDBCConnectOptions().setJdbcUrl(url(dataDir)).setUser(USER).setPassword(PASSWORD),
        // shared by name: the name must differ per database, or a second service in the same Vert.x
        // instance (tests do this) would silently get the first one's pool
        new PoolOptions().setMaxSize(size).setShared(true).setName(POOL_NAME + ":" + url(dataDir)));
  }

  /**
   * A plain JDBC connection to the same database as {@link #pool}, for code that writes large batches on
   * a thread of its own (the journal's indexer); the caller closes it. Blocking.
   */
  public static Connection connect(String dataDir) throws SQLException {
    return DriverManager.getConnection(url(dataDir), USER, PASSWORD);
  }

  /** Creates or upgrades the schema; safe to call at every start. */
  public static Future<Void> migrate(Pool pool) {
    return pool.withTransaction(conn -> conn
        .query("CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL)").execute()
        .compose(v -> conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_version").execute())
        .compose(rows -> apply(conn, rows.iterator().next().getInteger(0))));
  }

  private static Future<Void> apply(SqlConnection conn, int current) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = current; i < MIGRATIONS.size(); i++) {
      int version = i + 1;
      for (String sql : MIGRATIONS.get(i)) {
        chain = chain.compose(v -> conn.query(sql).execute().mapEmpty());
      }
      chain = chain.compose(v -> conn.preparedQuery("INSERT INTO schema_version (version) VALUES (?)")
          .execute(Tuple.of(version)).<Void>mapEmpty())
          .onSuccess(v -> LOG.info("Database schema migrated to version {}", version));
    }
    return chain;
  }

  /**
   * Every statement of the stores runs inside {@code withTransaction}: vertx-jdbc-client 5.0.10 leaves a
   * pooled connection with auto-commit off after its first transaction, so a write outside an
   * explicit transaction could be silently never committed.
   */
  public static Future<Void> ping(Pool pool) {
    return pool.withTransaction(conn -> conn.query("SELECT 1").execute()).mapEmpty();
  }

  /**
   * Makes the database files ({@code chat.mv.db}, and the trace or temporary files H2 may leave next to
   * it) readable by the owner only. H2 creates its file with the process's default permissions, so this
   * runs right after the first connection has created it, and at every start. Blocking.
   */
  public static void restrictFiles(String dataDir) {
    DataFiles.restrictFiles(Path.of(dataDir).toAbsolutePath(), name -> name.startsWith("chat."));
  }
}
