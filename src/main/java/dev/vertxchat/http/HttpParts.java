package dev.vertxchat.http;

import dev.vertxchat.auth.AuthService;
import dev.vertxchat.auth.Bans;
import dev.vertxchat.auth.SignInSettings;
import dev.vertxchat.bridge.ConnectionRegistry;
import dev.vertxchat.bridge.RoomCatchUp;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.chat.Moderation;
import dev.vertxchat.auth.PasswordHasher;
import dev.vertxchat.auth.PasswordHashing;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.chat.Access;
import dev.vertxchat.chat.Membership;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.metrics.ChatMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.vertxchat.store.AccountStore;
import dev.vertxchat.store.JournalStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.function.Supplier;

/**
 * What every HTTP verticle instance of a service shares, made once by the composition root: the
 * configuration, tokens, sign-in service and its limits, the client-address rules, the chat side's
 * membership (for the bridge) and the service's health (liveness, readiness, draining).
 */
public final class HttpParts {
  final ChatConfig config;
  final TokenService tokens;
  final AuthService auth;
  final SignInThrottle throttle;
  final ClientAddress addresses;
  final Origins origins;
  final Membership membership;
  /** Who may read which room, asked by the bridge before a join; null: any existing room ({@link #access(Access)}). */
  Access access;
  final Health health;
  /** TLS on the port, null without ({@link #open}). */
  Tls tls;
  final ChatMetrics metrics;
  /** The registry served on {@code /metrics}; null when metrics are off. */
  final PrometheusMeterRegistry meters;
  /** The admin API's parts: bans, sign-in settings, the chat side's moderation, the live bridge connections. */
  final Bans bans;
  final SignInSettings settings;
  final Moderation moderation;
  /** This process as a node of a cluster, null for a single process ({@link #cluster}). */
  ClusterNode node;
  /** Where the bridge fills gaps in a room's order from; null for a single process (one publisher, in order). */
  RoomCatchUp catchUp;
  final ConnectionRegistry registry;
  private final WorkerExecutor hashing;

  private HttpParts(Vertx vertx, ChatConfig config, TokenService tokens, AccountStore accounts, Membership membership,
                    Supplier<Future<Void>> databaseCheck, JournalStatus journal, ChatMetrics metrics,
                    PrometheusMeterRegistry meters, Admin admin) {
    this.bans = admin.bans();
    this.settings = admin.settings();
    this.moderation = admin.moderation();
    this.registry = new ConnectionRegistry(vertx, admin.node());
    this.config = config;
    this.metrics = metrics;
    this.meters = meters;
    this.tokens = tokens;
    this.membership = membership;
    this.health = new Health(vertx, databaseCheck, journal);
    this.addresses = new ClientAddress(config.trustedProxies());
    this.origins = new Origins(config.allowedOrigins(), config.publicOrigin());
    this.throttle = new SignInThrottle(vertx, config, addresses, metrics);
    this.hashing = vertx.createSharedWorkerExecutor(PasswordHashing.EXECUTOR, config.hashThreads());
    this.auth = new AuthService(accounts, tokens,
        new PasswordHashing(new PasswordHasher(), hashing, config.hashQueue()), throttle, settings, bans, metrics);
  }

  /**
   * What the admin API acts on, made once per service by the composition root.
   *
   * @param bans       banned users (the same {@link Bans} the {@link TokenService} checks)
   * @param settings   guest sign-in and registration, switchable at run time
   * @param moderation the chat side's operator actions (null: the admin routes that need it answer 503)
   * @param node       this node of a cluster ({@link ClusterNode#of}): the admin API then lists and closes the
   *                   connections of every node; null in a single process
   */
  public record Admin(Bans bans, SignInSettings settings, Moderation moderation, ClusterNode node) {
    /** A single process's. */
    public Admin(Bans bans, SignInSettings settings, Moderation moderation) {
      this(bans, settings, moderation, null);
    }
  }

  /**
   * @param accounts      where accounts are kept
   * @param membership    the chat side's owner of rooms and presence
   * @param databaseCheck completes when the database answers (the ready check of {@code /health})
   * @param journal       the journal's copy into the database (the ready check), null when there is none
   */
  public static HttpParts create(Vertx vertx, ChatConfig config, TokenService tokens, AccountStore accounts,
                                 Membership membership, Supplier<Future<Void>> databaseCheck, JournalStatus journal) {
    return create(vertx, config, tokens, accounts, membership, databaseCheck, journal, ChatMetrics.none(), null,
        new Admin(Bans.none(), SignInSettings.fixed(config.guests(), config.registration()), null));
  }

  /**
   * @param metrics the service's chat metrics
   * @param meters  the registry {@code metrics.publicPort} serves on the public port's {@code /metrics}; null when metrics are off
   * @param admin   the admin API's parts
   */
  public static HttpParts create(Vertx vertx, ChatConfig config, TokenService tokens, AccountStore accounts,
                                 Membership membership, Supplier<Future<Void>> databaseCheck, JournalStatus journal,
                                 ChatMetrics metrics, PrometheusMeterRegistry meters, Admin admin) {
    return new HttpParts(vertx, config, tokens, accounts, membership, databaseCheck, journal, metrics, meters, admin);
  }

  /**
   * This service is a node of a cluster: rooms are published by every node, so the bridge orders them by their
   * {@code prev} header and reads gaps from {@code catchUp}; the ready check includes the node's membership.
   * Call before the HTTP verticles start.
   */
  public void cluster(ClusterNode node, RoomCatchUp catchUp) {
    this.node = node;
    this.catchUp = catchUp;
    health.clusterCheck(node::healthy);
  }

  /** The chat side's room access rules, for the bridge's joins; call before the HTTP verticles start. */
  public void access(Access access) {
    this.access = access;
  }

  /** The live bridge connections of this service, over every HTTP verticle instance. */
  public ConnectionRegistry connections() {
    return registry;
  }

  /**
   * Reads the TLS certificate when configured (a {@link dev.vertxchat.config.ConfigException} when unusable);
   * in a cluster, this node then answers the other nodes for its connections.
   */
  public Future<Void> open(Vertx vertx) {
    return Tls.open(vertx, config).compose(opened -> {
      tls = opened;
      return registry.open();
    });
  }

  /** TLS on the port (reload, the certificate served), null without TLS. */
  public Tls tls() {
    return tls;
  }

  /** The service's liveness and readiness ({@link HealthRoutes} serves them). */
  public Health health() {
    return health;
  }

  /**
   * The first step of a stop: readiness turns 503 ("draining") and the returned future completes after
   * {@code shutdown.drainGraceMs}, when the HTTP verticles may close their connections.
   */
  public Future<Void> drain() {
    return health.drain(config.drainGraceMs());
  }

  /** Releases the password-hashing threads; after the HTTP verticles have stopped. */
  public Future<Void> close() {
    if (tls != null) {
      tls.close();
    }
    return registry.stop().eventually(hashing::close);
  }
}
