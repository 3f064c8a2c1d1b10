package dev.vertxchat.chat;

import dev.vertxchat.bus.Room;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.cluster.NodeRequests;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.metrics.ChatMetrics;
import dev.vertxchat.store.H2MessageStore;
import dev.vertxchat.store.H2RoomStore;
import dev.vertxchat.store.JournalStatus;
import dev.vertxchat.store.JournaledMessageStore;
import dev.vertxchat.store.MessageJournal;
import dev.vertxchat.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.nio.file.Path;

/**
 * The chat side of one service, in one process: the single owner of every piece of chat state. It holds
 * the room directory and membership ({@link Membership}), the rate limits, the disk watch, the message
 * store and the send pipeline (id allocation and publication). The composition root opens it once
 * and hands it to every chat verticle instance (which serve the {@code chat.*} addresses with it) and
 * to the bridge (which asks {@link #membership()} to join and leave). A cluster implementation replaces
 * what is behind {@link Membership} and the pipeline's store, not the callers.
 */
public final class LocalChat {
  /** The key of the one server-wide message bucket. */
  static final String GLOBAL = "all";

  final ChatConfig config;
  final RoomStore rooms;
  final RoomDirectory directory;
  final LocalMembership membership;
  final RateLimiter sendLimiter;
  final RateLimiter typingLimiter;
  /** One bucket for every user's messages together: what the storage takes in, whoever sends. */
  final RateLimiter globalLimiter;
  final DiskSpace disk;
  final ChatMetrics metrics;
  private final Vertx vertx;
  private final long sweepTimer;
  private MessageJournal journal;
  private JournaledMessageStore messages;
  SendPipeline pipeline;
  private Moderation moderation;

  private LocalChat(Vertx vertx, ChatConfig config, Pool pool, ChatMetrics metrics, ClusterNode node) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.rooms = new H2RoomStore(pool);
    this.directory = new RoomDirectory(vertx, rooms, new RoomStore.Quota(config.roomsPerUser(), config.maxRooms()),
        config.requestTimeoutMs(), NodeRequests.of(vertx, node));
    this.membership = new LocalMembership(vertx.eventBus(), directory, metrics);
    this.sendLimiter = new RateLimiter(config.messagesPerSecond(), config.messageBurst());
    this.typingLimiter = new RateLimiter(config.typingPerSecond(), Math.max(1, config.typingPerSecond() * 3));
    this.globalLimiter = new RateLimiter(config.globalMessagesPerSecond(), Math.max(1, config.globalMessagesPerSecond() * 2));
    this.disk = new DiskSpace(vertx, Path.of(config.dataDir()), config.storeMinFreeDiskBytes());
    this.sweepTimer = vertx.setPeriodic(60_000, id -> {
      sendLimiter.sweep();
      typingLimiter.sweep();
    });
  }

  /**
   * Opens the chat side over the service's database: replays the message journal, creates the default
   * rooms, starts the disk watch. The calling context owns the journal's threads and timer; {@link #close}
   * must run there too. The send pipeline is owned by the first chat verticle instance that starts.
   */
  public static Future<LocalChat> open(Vertx vertx, ChatConfig config, Pool pool) {
    return open(vertx, config, pool, ChatMetrics.none());
  }

  /** As {@link #open(Vertx, ChatConfig, Pool)}, counting sends, joins and the journal's copy in {@code metrics}. */
  public static Future<LocalChat> open(Vertx vertx, ChatConfig config, Pool pool, ChatMetrics metrics) {
    return open(vertx, config, pool, metrics, null);
  }

  /**
   * As {@link #open(Vertx, ChatConfig, Pool, ChatMetrics)}, as a node of {@code node}'s cluster (null: a single
   * process): the room directory keeps no negative answers, creates rooms under a cluster-wide lock, and
   * forgets the rooms deleted on any node.
   */
  public static Future<LocalChat> open(Vertx vertx, ChatConfig config, Pool pool, ChatMetrics metrics, ClusterNode node) {
    LocalChat chat = new LocalChat(vertx, config, pool, metrics, node);
    MessageJournal.Options journal = new MessageJournal.Options(config.storeFsync(), config.storeIndexIntervalMs(),
        config.storeIndexBatchMax(), config.storeMaxUnindexed());
    return MessageJournal.open(vertx, config.dataDir(), journal, metrics::journalCopied)
        .compose(opened -> {
          chat.journal = opened;
          metrics.journalBacklog(opened::unindexed);
          chat.messages = new JournaledMessageStore(opened, new H2MessageStore(pool));
          chat.pipeline = new SendPipeline(vertx, chat.messages, config.storeBatchMax(), config.storeCommitDelayMs(),
              chat.directory::gone);
          chat.moderation = new Moderation(vertx, chat);
          return chat.createDefaultRooms();
        })
        .compose(v -> chat.directory.open())
        .compose(v -> chat.disk.start())
        .map(chat)
        .onFailure(err -> chat.close());
  }

  public Membership membership() {
    return membership;
  }

  /** The journal's copy into the database, for the ready check; after {@link #open}. */
  public JournalStatus journalStatus() {
    return journal;
  }

  /** The operators' actions on rooms and messages (the admin API). */
  public Moderation moderation() {
    return moderation;
  }

  JournaledMessageStore messages() {
    return messages;
  }

  /**
   * Everything accepted is stored, acknowledged and copied into the table; then the store closes.
   * Call once, after the verticles that use this have stopped.
   */
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    disk.stop();
    directory.close();
    Future<Void> drained = pipeline == null ? Future.succeededFuture() : pipeline.drain();
    return drained.eventually(() -> journal == null ? Future.succeededFuture() : journal.close());
  }

  private Future<Void> createDefaultRooms() {
    Future<Void> chain = Future.succeededFuture();
    for (Object o : config.roomDefaults()) {
      JsonObject r = (JsonObject) o;
      Room room = new Room(r.getString("id"), r.getString("name", r.getString("id")), r.getString("topic", ""), 0);
      chain = chain.compose(v -> rooms.create(room, null).<Void>mapEmpty());
    }
    return chain;
  }
}
