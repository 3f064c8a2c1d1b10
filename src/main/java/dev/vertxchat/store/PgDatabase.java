package dev.vertxchat.store;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The PostgreSQL database the nodes of a cluster share ({@code store.type = postgres}): its pool, its
 * schema (versioned migrations, applied once however many nodes start at once) and its health check.
 */
public final class PgDatabase {
  private static final Logger LOG = LoggerFactory.getLogger(PgDatabase.class);
  /** When "not reachable" was last logged: an outage fails every request, the log says so once per 10 s. */
  private static final java.util.concurrent.atomic.AtomicLong LAST_UNREACHABLE_LOG = new java.util.concurrent.atomic.AtomicLong();
  /** Connecting to an unreachable server fails after this long (a send then fails with 5001, not later). */
  static final int CONNECT_TIMEOUT_MS = 3_000;
  /** A request waits at most this long for a free connection of the pool. */
  static final int POOL_WAIT_SECONDS = 5;
  /** {@code pg_advisory_xact_lock} keys: one for the migrations, one for room creation under a quota. */
  static final long MIGRATE_LOCK = 0x7663_6861_7400_0001L;
  static final long ROOM_CREATE_LOCK = 0x7663_6861_7400_0002L;

  /**
   * Ordered schema migrations; a migration, once released, is never edited, only followed by a new one.
   * Version 1 is the H2 schema as it stands (rooms, accounts with both name keys, messages with their
   * tombstone flag, bans, settings) plus what several nodes need: the {@code message_ids} sequence and one
   * head row per room ({@link PgMessageStore}). A message's text is {@code BYTEA} (its UTF-8): PostgreSQL's
   * text types cannot hold U+0000, which a chat message may contain.
   */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          "CREATE TABLE rooms (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, topic VARCHAR(256) NOT NULL,"
              + " created_by VARCHAR(64), created_at BIGINT NOT NULL)",
          "CREATE INDEX rooms_created_by ON rooms (created_by)",
          "CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, name_key VARCHAR(128) NOT NULL,"
              + " name_upper_key VARCHAR(128), password_hash VARCHAR(256) NOT NULL, created_at BIGINT NOT NULL,"
              + " CONSTRAINT accounts_name_key UNIQUE (name_key), CONSTRAINT accounts_name_upper_key UNIQUE (name_upper_key))",
          "CREATE TABLE name_keys_version (version VARCHAR(64) NOT NULL)",
          "CREATE TABLE messages (id BIGINT PRIMARY KEY, room_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL,"
              + " user_name VARCHAR(64) NOT NULL, text BYTEA NOT NULL, ts BIGINT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT FALSE)",
          "CREATE INDEX messages_room_id ON messages (room_id, id)",
          // PostgreSQL counts characters (code points): a ban reason is at most 200 of them
          "CREATE TABLE bans (user_id VARCHAR(128) PRIMARY KEY, reason VARCHAR(200), banned_by VARCHAR(128) NOT NULL,"
              + " since BIGINT NOT NULL)",
          "CREATE TABLE settings (name VARCHAR(64) PRIMARY KEY, setting_value VARCHAR(256) NOT NULL)",
          "CREATE SEQUENCE message_ids AS BIGINT",
          "CREATE TABLE room_heads (room_id VARCHAR(64) PRIMARY KEY, last_id BIGINT NOT NULL)"),
      // conversations (issue 13), as H2's version 6 (Database): room kinds, edits, replies, mentions, search text
      // (TEXT: it has no U+0000), members, mutes and bans per room, reactions, users seen, blocks, read markers.
      // Existing rooms become public; existing messages get a search text in lower case (texts holding U+0000
      // get none: SearchText.normalize's NFKC is Java's, for new messages)
      List.of(
          "ALTER TABLE rooms ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'public'",
          "ALTER TABLE rooms ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE",
          "ALTER TABLE messages ADD COLUMN edited BIGINT",
          "ALTER TABLE messages ADD COLUMN reply_to BIGINT",
          "ALTER TABLE messages ADD COLUMN mention_ids VARCHAR(2200)",
          "ALTER TABLE messages ADD COLUMN search_text TEXT",
          "CREATE INDEX messages_reply_to ON messages (reply_to)",
          "UPDATE messages SET search_text = LOWER(CONVERT_FROM(text, 'UTF8')) WHERE deleted = FALSE"
              + " AND POSITION('\\x00'::BYTEA IN text) = 0",
          "CREATE TABLE room_members (room_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT NULL, user_name VARCHAR(128),"
              + " role VARCHAR(16) NOT NULL, added_by VARCHAR(128), since BIGINT NOT NULL, PRIMARY KEY (room_id, user_id))",
          "CREATE INDEX room_members_user ON room_members (user_id)",
          "CREATE TABLE room_sanctions (room_id VARCHAR(64) NOT NULL, user_id VARCHAR(128) NOT NULL, user_name VARCHAR(128),"
              + " kind VARCHAR(8) NOT NULL, until BIGINT NOT NULL, by_user VARCHAR(128), since BIGINT NOT NULL,"
              + " PRIMARY KEY (room_id, user_id, kind))",
          "CREATE TABLE reactions (message_id BIGINT NOT NULL, room_id VARCHAR(64) NOT NULL, emoji VARCHAR(32) NOT NULL,"
              + " user_id VARCHAR(128) NOT NULL, user_name VARCHAR(128), ts BIGINT NOT NULL, PRIMARY KEY (message_id, emoji, user_id))",
          "CREATE INDEX reactions_room ON reactions (room_id)",
          "CREATE TABLE users (user_id VARCHAR(128) PRIMARY KEY, name VARCHAR(128) NOT NULL, name_key VARCHAR(128) NOT NULL,"
              + " dms BOOLEAN NOT NULL DEFAULT TRUE, seen_at BIGINT NOT NULL)",
          "CREATE INDEX users_name_key ON users (name_key)",
          "CREATE TABLE user_blocks (user_id VARCHAR(128) NOT NULL, blocked_id VARCHAR(128) NOT NULL, blocked_name VARCHAR(128),"
              + " since BIGINT NOT NULL, PRIMARY KEY (user_id, blocked_id))",
          "CREATE TABLE read_markers (user_id VARCHAR(128) NOT NULL, room_id VARCHAR(64) NOT NULL, last_read BIGINT NOT NULL,"
              + " PRIMARY KEY (user_id, room_id))",
          "CREATE INDEX read_markers_room ON read_markers (room_id)",
          // the creators of existing rooms become their owners
          "INSERT INTO room_members (room_id, user_id, user_name, role, added_by, since) SELECT r.id, r.created_by,"
              + " (SELECT a.name FROM accounts a WHERE a.id = r.created_by), 'owner', r.created_by, r.created_at FROM rooms r"
              + " WHERE r.created_by IS NOT NULL"));

  private PgDatabase() {}

  /**
   * A pool of at most {@code size} connections to {@code url} ({@code postgresql://} or {@code postgres://
   * user:password@host:port/database}). Connections are opened on demand: an unreachable server fails
   * the requests made meanwhile within a few seconds, and the pool connects again once it is back.
   */
  public static Pool pool(Vertx vertx, String url, int size) {
    PgConnectOptions connect = PgConnectOptions.fromUri(url);
    LOG.info("PostgreSQL store at {}", redacted(url));
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setConnectionTimeout(POOL_WAIT_SECONDS))
        .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /** The URL without its password (for logs). */
  public static String redacted(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return url;
    }
    int colon = url.indexOf(':', scheme + 3);
    return colon < 0 || colon > at ? url : url.substring(0, colon) + ":***" + url.substring(at);
  }

  /**
   * Creates or upgrades the schema in one transaction that first takes an advisory lock: of several
   * nodes starting at once, one migrates, the others wait for its commit and then find nothing to do.
   */
  public static Future<Void> migrate(Pool pool) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(MIGRATE_LOCK))
        // "already exists, skipping" is a NOTICE the client would log as a warning at every start
        .compose(v -> conn.query("SET LOCAL client_min_messages = warning").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL)").execute())
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
      chain = chain.compose(v -> conn.preparedQuery("INSERT INTO schema_version (version) VALUES ($1)")
          .execute(Tuple.of(version)).<Void>mapEmpty())
          .onSuccess(v -> LOG.info("PostgreSQL schema migrated to version {}", version));
    }
    return chain;
  }

  /** One round trip to the database (the readiness check). */
  public static Future<Void> ping(Pool pool) {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /**
   * The failure as the send pipeline and the history handler should see it: the database out of reach (no
   * connection, the connection lost, no free connection in time, the server shutting down) becomes a
   * {@link ChatException} with {@link ErrorCodes#UNAVAILABLE}, logged as one line; anything else (a bug, a
   * constraint) stays as it is.
   */
  static Throwable unreachable(Throwable err) {
    boolean down = err instanceof ConnectException || err instanceof ClosedConnectionException || err instanceof TimeoutException
        || err instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"));
    if (!down) {
      return err;
    }
    // the cause names the database's host and port: it goes to the log (once per 10 s at most), never to a client
    long now = System.currentTimeMillis();
    long last = LAST_UNREACHABLE_LOG.get();
    if (now - last >= 10_000 && LAST_UNREACHABLE_LOG.compareAndSet(last, now)) {
      LOG.warn("PostgreSQL is not reachable: {}", err.toString());
    }
    return new ChatException(ErrorCodes.UNAVAILABLE, "the database is not reachable; nothing was stored, try again later");
  }

  /**
   * The statement with its {@code ?} placeholders numbered as PostgreSQL wants them ({@code $1, $2, ...}),
   * so that a statement shared with H2 is written once. The statements this is used on have no {@code ?}
   * inside a literal.
   */
  static String numbered(String sql) {
    StringBuilder out = new StringBuilder(sql.length() + 16);
    int n = 0;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '?') {
        out.append('$').append(++n);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
