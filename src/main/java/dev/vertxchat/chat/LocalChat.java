package dev.vertxchat.chat;

import dev.vertxchat.bus.Room;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.cluster.NodeRequests;
import dev.vertxchat.cluster.RateBuckets;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.metrics.ChatMetrics;
import dev.vertxchat.store.H2MessageStore;
import dev.vertxchat.store.H2RoomStore;
import dev.vertxchat.store.JournalStatus;
import dev.vertxchat.store.JournaledMessageStore;
import dev.vertxchat.store.MessageJournal;
import dev.vertxchat.store.ConversationStore;
import dev.vertxchat.store.MessageStore;
import dev.vertxchat.store.RoomStore;
import dev.vertxchat.store.SearchText;
import dev.vertxchat.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.nio.file.Path;
import java.util.function.Function;

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
  final Membership membership;
  final RateLimiter sendLimiter;
  /** The per-user message rate: {@link #sendLimiter} alone in one process, then the cluster's bucket in a cluster. */
  final MessageRate sendRate;
  final RateLimiter typingLimiter;
  /** Searches per user: {@link #SEARCHES_PER_SECOND}, burst {@link #SEARCH_BURST}. */
  final RateLimiter searchLimiter;
  static final int SEARCHES_PER_SECOND = 1;
  static final int SEARCH_BURST = 5;
  /**
   * Searches this process runs at once, all users together: a search may read through every message, so a crowd of
   * users (free guests) searching must not take every database connection and CPU from history reads and sends.
   */
  static final int SEARCHES_AT_ONCE = 2;
  final java.util.concurrent.atomic.AtomicInteger searchesRunning = new java.util.concurrent.atomic.AtomicInteger();
  /** One bucket for every user's messages together: what the storage takes in, whoever sends. */
  final RateLimiter globalLimiter;
  final DiskSpace disk;
  final ChatMetrics metrics;
  private final Vertx vertx;
  private final long sweepTimer;
  private MessageJournal journal;
  private MessageStore messages;
  SendPipeline pipeline;
  private Moderation moderation;
  /** Who may do what in a room; started and stopped with this (set by {@link #open}, as the next four). */
  Access access;
  /** Members, roles, sanctions, DMs, users, markers. */
  ConversationStore conversations;
  /** Records each user who makes a request, for DMs by id or name. */
  Profiles profiles;
  Mentions mentions;
  /** Edit, delete, react, read markers, search; the notices of a stored message. */
  Conversations talk;
  /** Direct conversations and the users' DM settings. */
  Dms dms;

  private LocalChat(Vertx vertx, ChatConfig config, RoomStore rooms, ChatMetrics metrics, ClusterNode node) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.rooms = rooms;
    this.directory = new RoomDirectory(vertx, rooms, new RoomStore.Quota(config.roomsPerUser(), config.maxRooms()),
        config.requestTimeoutMs(), NodeRequests.of(vertx, node));
    this.sendLimiter = new RateLimiter(config.messagesPerSecond(), config.messageBurst());
    if (node == null) {
      this.membership = new LocalMembership(vertx.eventBus(), directory, metrics);
      this.sendRate = MessageRate.local(sendLimiter);
    } else {
      this.membership = new ClusterMembership(vertx, node, directory, metrics);
      this.sendRate = new ClusterMessageRate(vertx, sendLimiter,
          new RateBuckets(node.hazelcast(), config.messagesPerSecond(), config.messageBurst()));
    }
    this.typingLimiter = new RateLimiter(config.typingPerSecond(), Math.max(1, config.typingPerSecond() * 3));
    this.searchLimiter = new RateLimiter(SEARCHES_PER_SECOND, SEARCH_BURST);
    this.globalLimiter = new RateLimiter(config.globalMessagesPerSecond(), Math.max(1, config.globalMessagesPerSecond() * 2));
    this.disk = new DiskSpace(vertx, Path.of(config.dataDir()), config.storeMinFreeDiskBytes());
    this.sweepTimer = vertx.setPeriodic(60_000, id -> {
      sendLimiter.sweep();
      typingLimiter.sweep();
      searchLimiter.sweep();
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

  /** As {@link #open(Vertx, ChatConfig, Pool, ChatMetrics)}, as a node of {@code node}'s cluster (null: a single process). */
  public static Future<LocalChat> open(Vertx vertx, ChatConfig config, Pool pool, ChatMetrics metrics, ClusterNode node) {
    return open(vertx, config, new H2RoomStore(pool), null, pool, messages -> Stores.h2Conversations(pool, messages),
        PLAIN_KEY, metrics, node);
  }

  /**
   * A name's look-alike key where the composition root gives none (tests over a pool): NFKC in lower case. The
   * service uses {@code auth.Names::key} ({@link #open(Vertx, ChatConfig, Stores, ChatMetrics, ClusterNode, Function)}).
   */
  static final Function<String, String> PLAIN_KEY = SearchText::normalize;

  /**
   * The chat side over the service's stores ({@link Stores#open}): with PostgreSQL, messages go straight to
   * its store (ids drawn under the rooms' head locks, no local journal); with H2, through the journal. As a node
   * of a cluster when {@code node} is not null: presence ({@link ClusterMembership}) and the per-user message rate
   * ({@link ClusterMessageRate}) are the cluster's; the typing and server-wide limits stay this node's; the room
   * directory keeps no negative answers, creates rooms under a cluster-wide lock, and forgets the rooms deleted on
   * any node. Null: the single-process service.
   */
  public static Future<LocalChat> open(Vertx vertx, ChatConfig config, Stores stores, ChatMetrics metrics, ClusterNode node) {
    return open(vertx, config, stores, metrics, node, PLAIN_KEY);
  }

  /**
   * As {@link #open(Vertx, ChatConfig, Stores, ChatMetrics, ClusterNode)}, comparing names (mentions, DMs by name)
   * by {@code nameKey} ({@code auth.Names::key}, which chat may not import).
   */
  public static Future<LocalChat> open(Vertx vertx, ChatConfig config, Stores stores, ChatMetrics metrics, ClusterNode node,
                                       Function<String, String> nameKey) {
    return open(vertx, config, stores.rooms(), stores.messages(), stores.pool(), stores::conversations, nameKey, metrics, node);
  }

  private static Future<LocalChat> open(Vertx vertx, ChatConfig config, RoomStore rooms, MessageStore shared, Pool pool,
                                        Function<MessageStore, ConversationStore> conversations,
                                        Function<String, String> nameKey, ChatMetrics metrics, ClusterNode node) {
    LocalChat chat = new LocalChat(vertx, config, rooms, metrics, node);
    Future<MessageStore> store;
    if (shared != null) {
      store = Future.succeededFuture(shared);
    } else {
      MessageJournal.Options journal = new MessageJournal.Options(config.storeFsync(), config.storeIndexIntervalMs(),
          config.storeIndexBatchMax(), config.storeMaxUnindexed());
      store = MessageJournal.open(vertx, config.dataDir(), journal, metrics::journalCopied).map(opened -> {
        chat.journal = opened;
        metrics.journalBacklog(opened::unindexed);
        return new JournaledMessageStore(opened, new H2MessageStore(pool));
      });
    }
    return store
        .compose(opened -> {
          chat.messages = opened;
          // the conversation store counts unread messages over the same message store (H2: after the journal's copy)
          chat.conversations = conversations.apply(opened);
          chat.access = new Access(vertx, chat.conversations);
          chat.profiles = new Profiles(chat.conversations, nameKey);
          chat.mentions = new Mentions(chat.conversations, nameKey);
          chat.pipeline = new SendPipeline(vertx, chat.messages, config.storeBatchMax(), config.storeCommitDelayMs(),
              chat.directory::gone);
          chat.moderation = new Moderation(vertx, chat);
          chat.talk = new Conversations(vertx, chat);
          chat.dms = new Dms(vertx, chat, nameKey);
          return chat.createDefaultRooms();
        })
        .compose(v -> chat.directory.open())
        .compose(v -> chat.access.start())
        .compose(v -> chat.disk.start())
        .map(chat)
        .onFailure(err -> chat.close());
  }

  public Membership membership() {
    return membership;
  }

  /** The journal's copy into the database, for the ready check; after {@link #open}; null without a journal (PostgreSQL). */
  public JournalStatus journalStatus() {
    return journal;
  }

  /** Where the history is read from (the fan-out's catch-up reads it too); after {@link #open}. */
  public MessageStore messageStore() {
    return messages;
  }

  /** Who may do what in a room; the bridge asks it before a join. */
  public Access access() {
    return access;
  }

  /** The operators' actions on rooms and messages (the admin API). */
  public Moderation moderation() {
    return moderation;
  }

  MessageStore messages() {
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
    if (access != null) {
      access.stop();
    }
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
