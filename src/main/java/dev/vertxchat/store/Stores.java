package dev.vertxchat.store;

import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import dev.vertxchat.store.AccountStore.NameKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.function.Function;

/**
 * The service's stores, opened once at start for the configured {@code store.type}: the pool, the schema
 * (created or migrated), the name keys recomputed when their comparison changed, and the stores over
 * that pool.
 * <ul>
 *   <li>{@code h2} (the default, one process): the embedded database under the data directory. Messages go
 *   through the journal, which the chat side opens over {@link #pool()} and the data directory, so
 *   {@link #messages()} is null here.</li>
 *   <li>{@code postgres}: the database at {@code store.postgres.url} that every node of a cluster shares;
 *   {@link #messages()} is a {@link PgMessageStore}.</li>
 * </ul>
 */
public final class Stores {
  /** Two services deployed in one Vert.x instance (tests) start at once: one migrates H2 at a time. */
  private static final String H2_MIGRATE_LOCK = "vertxchat.migrate";
  private static final long H2_MIGRATE_WAIT_MS = 60_000;

  private final Pool pool;
  private final boolean postgres;
  private final RoomStore rooms;
  private final AccountStore accounts;
  private final BanStore bans;
  private final SettingsStore settings;
  private final MessageStore messages;
  private final ConversationStore conversations;

  private Stores(Pool pool, boolean postgres, Function<String, NameKeys> keys) {
    this.pool = pool;
    this.postgres = postgres;
    if (postgres) {
      rooms = new PgRoomStore(pool);
      accounts = new PgAccountStore(pool, keys);
      bans = new PgBanStore(pool);
      settings = new PgSettingsStore(pool);
      messages = new PgMessageStore(pool);
    } else {
      rooms = new H2RoomStore(pool);
      accounts = new H2AccountStore(pool, keys);
      bans = new H2BanStore(pool);
      settings = new H2SettingsStore(pool);
      messages = null;
    }
    conversations = new SqlConversationStore(pool, postgres, Future::succeededFuture);
  }

  /**
   * Opens the configured store and makes its schema current.
   *
   * @param keysVersion the version of the name comparison ({@code auth.Names.KEYS_VERSION})
   * @param keys        a name's comparison keys ({@code auth.Names::keys})
   */
  public static Future<Stores> open(Vertx vertx, ChatConfig config, String keysVersion, Function<String, NameKeys> keys) {
    return config.postgres() ? openPostgres(vertx, config, keysVersion, keys) : openH2(vertx, config, keysVersion, keys);
  }

  private static Future<Stores> openH2(Vertx vertx, ChatConfig config, String keysVersion, Function<String, NameKeys> keys) {
    Pool pool = Database.pool(vertx, config.dataDir(), config.storePoolSize());
    return vertx.sharedData().getLocalLockWithTimeout(H2_MIGRATE_LOCK, H2_MIGRATE_WAIT_MS)
        .compose(lock -> Database.migrate(pool)
            .compose(v -> H2AccountStore.rekeyIfStale(vertx, pool, keysVersion, keys))
            .eventually(() -> {
              lock.release();
              return Future.succeededFuture();
            }))
        // H2 has created its file by now, with the process's default permissions
        .compose(v -> vertx.executeBlocking(() -> {
          Database.restrictFiles(config.dataDir());
          return new Stores(pool, false, keys);
        }, false))
        .recover(err -> pool.close().transform(ar -> Future.failedFuture(err)));
  }

  private static Future<Stores> openPostgres(Vertx vertx, ChatConfig config, String keysVersion, Function<String, NameKeys> keys) {
    String url = config.storePostgresUrl();
    Pool pool;
    try {
      pool = PgDatabase.pool(vertx, url, config.storePostgresPoolSize());
    } catch (IllegalArgumentException e) {
      // the parser's message may quote the URL, password included
      return Future.failedFuture(new ConfigException(ConfigKeys.STORE_POSTGRES_URL,
          "is not a PostgreSQL URL postgresql://user:password@host:5432/database"));
    }
    return PgDatabase.migrate(pool)
        .compose(v -> PgAccountStore.rekeyIfStale(vertx, pool, keysVersion, keys))
        .map(v -> new Stores(pool, true, keys))
        .recover(err -> pool.close().transform(ar -> Future.failedFuture(new IllegalStateException(
            "the PostgreSQL store at " + PgDatabase.redacted(url) + " could not be opened: " + err.getMessage(), err))));
  }

  /** The pool of the database (H2: the journal and the chat side's message table use it too). */
  public Pool pool() {
    return pool;
  }

  /** Whether this is the PostgreSQL store ({@code store.type = postgres}). */
  public boolean postgres() {
    return postgres;
  }

  public RoomStore rooms() {
    return rooms;
  }

  public AccountStore accounts() {
    return accounts;
  }

  public BanStore bans() {
    return bans;
  }

  public SettingsStore settings() {
    return settings;
  }

  /**
   * The message store for PostgreSQL; null for H2, where the chat side builds its journaled store from
   * {@link #pool()} and the data directory.
   */
  public MessageStore messages() {
    return messages;
  }

  /**
   * Members, sanctions, DMs, users, prefs and read markers (both databases). With H2 its DM list and unread counts
   * may not count messages still in the journal: the chat side uses {@link #conversations(MessageStore)}.
   */
  public ConversationStore conversations() {
    return conversations;
  }

  /**
   * {@link #conversations()} for the chat side, over the message store it appends to: with H2 (a
   * {@link JournaledMessageStore}) the DM list and unread counts first wait for the journal's copy into the table, as
   * history does, so they count every message appended before.
   */
  public ConversationStore conversations(MessageStore messages) {
    return messages instanceof JournaledMessageStore journaled
        ? new SqlConversationStore(pool, postgres, journaled::caughtUp) : conversations;
  }

  /**
   * The conversation store of an H2 database whose pool was opened without {@link #open} (tests, in-process cluster
   * nodes), over the chat side's message store as {@link #conversations(MessageStore)}.
   */
  public static ConversationStore h2Conversations(Pool pool, MessageStore messages) {
    return messages instanceof JournaledMessageStore journaled ? new SqlConversationStore(pool, false, journaled::caughtUp)
        : new SqlConversationStore(pool, false, Future::succeededFuture);
  }

  /** One round trip to the database (the readiness check). */
  public Future<Void> ping() {
    return postgres ? PgDatabase.ping(pool) : Database.ping(pool);
  }

  /** Closes the pool. */
  public Future<Void> close() {
    return pool.close();
  }
}
