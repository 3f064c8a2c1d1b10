package dev.vertxchat;

import dev.vertxchat.auth.Bans;
import dev.vertxchat.auth.JwtSecret;
import dev.vertxchat.auth.Names;
import dev.vertxchat.auth.SignInSettings;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.chat.ChatVerticle;
import dev.vertxchat.chat.LocalChat;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import dev.vertxchat.config.ConfigLoader;
import dev.vertxchat.http.AdminRoutes;
import dev.vertxchat.http.AdminVerticle;
import dev.vertxchat.http.HealthRoutes;
import dev.vertxchat.http.HttpParts;
import dev.vertxchat.http.HttpVerticle;
import dev.vertxchat.metrics.ChatMetrics;
import dev.vertxchat.metrics.MetricsBackend;
import dev.vertxchat.store.DataFiles;
import dev.vertxchat.store.Stores;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.bridge.RoomCatchUp;
import io.vertx.core.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The composition root and the deployment plan, the only place that knows every package: builds the
 * effective configuration, checks it, prepares the data directory and the database schema, opens the
 * parts each service has once (the database pool, the chat side with its state, the HTTP side's shared
 * parts), then deploys every entry of {@code deployments} in order, each with its own deployment
 * options. The service's own verticles get those parts; any other class named there is deployed by
 * name with the effective configuration.
 *
 * <p>Deployed once per process: it is the composition root. The launcher's {@code -instances N} reaches
 * it as {@code scale}, which multiplies every entry's instances ({@link Launcher}). Undeployed, it stops
 * the entries in reverse order, and no entry's event-bus consumers go away before every entry has
 * stopped ({@link StopOrder}); then it closes the parts (the chat side drains its pipeline and closes
 * the journal) and the database pool.
 *
 * <p>Longer than 300 lines because it is the composition root: every part of the service (metrics, the
 * database, chat, the admin API's state, TLS, the deployment plan and the admin listener) is made and
 * wired here, in the order start and stop need.
 */
public class MainVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  private final int scale;
  private final String configSource;
  private Stores stores;
  /** The admin API's state; in a cluster each listens to the other nodes until it is closed. */
  private Bans bans;
  private SignInSettings settings;
  /** This process as a node of a cluster ({@code -cluster}); null for a single process. */
  private ClusterNode node;
  private LocalChat chat;
  private HttpParts http;
  /** The registry served on {@code /metrics}; null when metrics are off. */
  private PrometheusMeterRegistry registry;
  /** True when the registry is this service's own (Vert.x was started without metrics); closed at stop. */
  private boolean ownRegistry;
  private ChatMetrics metrics = ChatMetrics.none();
  /** The HS256 secret of the service's own tokens, resolved once at start; not part of the configuration. */
  private String jwtSecret;
  private String deployed = "nothing";
  /** Set by {@link #abandonStart()}: the process stops while this starts. */
  private volatile boolean abandoned;
  /** The plan's stop order; armed ({@link StopOrder#planDeployed}) once the whole start has succeeded. */
  private StopOrder stopOrder;

  /** As an in-process deployment (tests): the deployment config is the config file's part, plan as written. */
  public MainVerticle() {
    this(1, null);
  }

  /**
   * @param scale        multiplies the instances of every entry of {@code deployments} (the launcher's {@code -instances})
   * @param configSource the name of the file the deployment config was read from (the launcher's {@code -conf}),
   *                     null when none was given: then {@code conf/config.json} is read when it exists
   */
  public MainVerticle(int scale, String configSource) {
    if (scale < 1) {
      throw new IllegalArgumentException("scale must be at least 1, got " + scale);
    }
    this.scale = scale;
    this.configSource = configSource;
  }

  @Override
  public Future<?> start() {
    long began = System.nanoTime();
    Future<ChatConfig> started = ConfigLoader.load(vertx, config(), configSource, config -> LogFormat.apply(config.logFormat()))
        .compose(config -> vertx.executeBlocking(() -> prepare(config), false))
        // the database: migrated, and with H2 its files made owner-only (Stores)
        .compose(config -> Stores.open(vertx, config, Names.KEYS_VERSION, Names::keys).map(opened -> {
          stores = opened;
          return config;
        }))
        .compose(config -> openParts(config).map(config))
        .compose(config -> deployAll(config).map(config))
        .compose(config -> deployAdmin(config).map(config));
    // a start the launcher abandoned is never completed: Vert.x has failed the deployment already
    return Future.future(result -> started.onComplete(ar -> {
      if (abandoned) {
        closeAbandoned(ar);
      } else {
        result.handle(ar.mapEmpty());
      }
    }))
        .onSuccess(v -> {
          // only a service that started drains when it stops: a failed start is rolled back at once
          stopOrder.planDeployed();
          ChatConfig config = started.result();
          LOG.info("vertx-chat started in {} ms ({}{}, data dir {}, transport {})",
              (System.nanoTime() - began) / 1_000_000, listening(config), deployed,
              Path.of(config.dataDir()).toAbsolutePath(),
              vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO");
        })
        .onFailure(err -> {
          metrics.close(); // nothing of a service that did not start stays in the registry
          // a ConfigException is printed by the launcher as one line; anything else deserves its trace here
          if (!(err instanceof ConfigException)) {
            LOG.error("Start-up failed", err);
          }
        });
  }

  /**
   * The process began to stop while this started (the launcher's shutdown hook: SIGTERM, SIGINT): Vert.x
   * 5.0.10 then fails this deployment at once ("Verticle un-deployed") and closes what its context
   * opened, the database pool among them, so the start fails on the way ("Pool closed") or completes
   * late. Completing the start's future then makes Vert.x complete its own start promise a second time,
   * which it reports as an unhandled {@code IllegalStateException: Promise already completed}; so the
   * start's future is left alone, and the launcher calls this before Vert.x undeploys anything.
   */
  public void abandonStart() {
    abandoned = true;
  }

  /** What an abandoned start opened is closed as {@link #stop()} closes it; one line says why. */
  private void closeAbandoned(AsyncResult<ChatConfig> ar) {
    LOG.info("Start-up abandoned: the service is stopping ({})", ar.succeeded() ? "it had started"
        : String.valueOf(ar.cause().getMessage()));
    stop().onFailure(err -> LOG.debug("Closing after an abandoned start-up: {}", err.toString()));
  }

  @Override
  public Future<?> stop() {
    // the deployed verticles have stopped by now, in the plan's reverse order (StopOrder)
    Future<Void> parts = http == null ? Future.succeededFuture() : http.close();
    return parts
        .eventually(() -> bans == null ? Future.succeededFuture() : bans.close())
        .eventually(() -> settings == null ? Future.succeededFuture() : settings.close())
        .eventually(() -> chat == null ? Future.succeededFuture() : chat.close())
        .eventually(() -> stores == null ? Future.succeededFuture() : stores.close())
        .eventually(() -> {
          metrics.close();
          if (ownRegistry) {
            registry.close();
          }
          return Future.succeededFuture();
        });
  }

  /** The parts every verticle instance of this service shares; this context owns the chat side's send pipeline. */
  private Future<Void> openParts(ChatConfig config) {
    RoomMessage.registerCodec(vertx);
    openMetrics(config);
    node = ClusterNode.of(vertx);
    return LocalChat.open(vertx, config, stores, metrics, node, Names::key).compose(opened -> {
      chat = opened;
      // the admin API's state, read once: bans (checked on every token) and the sign-in settings
      // (in a cluster, a change on any node reaches every node)
      return Bans.load(vertx, stores.bans(), node).compose(bans -> SignInSettings.load(vertx, stores.settings(),
          config.guests(), config.registration(), node).compose(settings -> {
            this.bans = bans;
            this.settings = settings;
            http = HttpParts.create(vertx, config, new TokenService(vertx, config, jwtSecret, bans, metrics),
                stores.accounts(), chat.membership(), stores::ping, chat.journalStatus(),
                metrics, registry, new HttpParts.Admin(bans, settings, chat.moderation(), node));
            http.access(chat.access()); // joins are checked: private rooms, bans (issue 13)
            if (node != null) {
              // rooms are published by every node: each orders them (prev header) and fills gaps from the store
              http.cluster(node, RoomCatchUp.over(chat.messageStore()));
            }
            return http.open(vertx);
          }));
    });
  }

  /**
   * The registry Vert.x's metrics go to (the launcher and the tests create Vert.x with
   * {@link MetricsBackend#builder}); a registry of the service's own when Vert.x was started without
   * metrics; none when {@code metrics.enabled} is false. The chat's meters go there.
   */
  private void openMetrics(ChatConfig config) {
    if (!config.metricsEnabled()) {
      return;
    }
    registry = MetricsBackend.registry(vertx);
    if (registry == null) {
      LOG.warn("Vert.x was started without metrics: /metrics serves the chat's, the JVM's and the process's metrics,"
          + " not Vert.x's (start it with dev.vertxchat.Launcher, or with MetricsBackend's options)");
      registry = MetricsBackend.standalone();
      ownRegistry = true;
    }
    metrics = ChatMetrics.create(registry);
  }

  /**
   * The admin listener (admin.port -1: none), after the plan: it serves what the plan's verticles make. It
   * stops after them ({@link StopOrder#last}), so that it serves readiness ("draining"), liveness and
   * {@code /metrics} through the drain.
   */
  private Future<Void> deployAdmin(ChatConfig config) {
    if (config.adminPort() < 0) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(stopOrder.last(new AdminVerticle(config, registry, adminRoutes())),
        new DeploymentOptions().setConfig(config.json())).<Void>mapEmpty();
  }

  /**
   * The routes the admin listener serves besides {@code /metrics}, mounted in this order: the place for the
   * health checks ({@code /health/live}, {@code /health/ready}) and the operators' API ({@code /api/admin/*}).
   */
  private List<Consumer<Router>> adminRoutes() {
    return List.of(router -> new HealthRoutes(http.health()).mount(router), router -> new AdminRoutes(http).mount(router));
  }

  /** File system preparation; blocking, so it runs on a worker thread. */
  private ChatConfig prepare(ChatConfig config) {
    if (vertx.isClustered()) {
      refuseAsClusterNode(config);
    }
    DataFiles.prepareDataDir(config.dataDir());
    jwtSecret = JwtSecret.resolve(config);
    new TokenService(vertx, config, jwtSecret); // fails with a ConfigException when the public key cannot be used
    Names.keys("warm-up"); // ICU reads its normalization and confusable data here, not on an event loop
    return config;
  }

  /**
   * What a node of a cluster ({@code -cluster}) must have: a store the nodes share (with h2 each node would keep a
   * history of its own) and the same token secret on every node (a generated one is per node, so each node would
   * refuse the others' tokens). Each refusal is one line naming the setting.
   */
  static void refuseAsClusterNode(ChatConfig config) {
    if (!config.postgres()) {
      throw new ConfigException(ConfigKeys.STORE_TYPE, "must be postgres on a node of a cluster (-cluster): with "
          + config.storeType() + " each node would keep a history of its own; set store.type=postgres and"
          + " store.postgres.url (CHAT_STORE_TYPE, CHAT_STORE_POSTGRES_URL; docs/CLUSTER.md)");
    }
    if (config.jwtSecret().isEmpty()) {
      throw new ConfigException(ConfigKeys.JWT_SECRET, "must be set on every node of a cluster (-cluster), the same on"
          + " each: a secret generated per node would make the nodes refuse each other's tokens; set CHAT_AUTH_JWT_SECRET"
          + " (at least 32 bytes)" + (config.publicKeyFile().isBlank() ? "" : "; auth.jwt.publicKeyFile checks an"
          + " identity provider's tokens, the service's own sign-ins still need the secret"));
    }
  }

  private Future<Void> deployAll(ChatConfig config) {
    JsonArray plan = config.deployments();
    // a stop begins with the drain: readiness 503, then the grace period, then the plan stops in order
    stopOrder = new StopOrder(plan.size(), () -> http.drain());
    Future<Void> chain = Future.succeededFuture();
    List<String> counts = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      int index = i;
      String verticle = plan.getJsonObject(i).getString("verticle");
      JsonObject options = plan.getJsonObject(i).copy();
      options.remove("verticle");
      DeploymentOptions deployment = new DeploymentOptions(options).setConfig(config.json());
      deployment.setInstances(deployment.getInstances() * scale);
      counts.add(shortName(verticle) + " x" + deployment.getInstances());
      Supplier<? extends Deployable> instances = watched(instancesOf(verticle), shortName(verticle));
      chain = chain.compose(v -> (instances == null ? vertx.deployVerticle(verticle, deployment)
              : vertx.deployVerticle(stopOrder.entry(index, instances), deployment))
          .recover(err -> Future.failedFuture(err instanceof ConfigException ? err
              : new IllegalStateException("deploying " + verticle + " failed: " + err.getMessage(), err)))
          .onSuccess(id -> LOG.debug("Deployed {} x{}", verticle, deployment.getInstances()))
          .mapEmpty());
    }
    return chain.onSuccess(v -> deployed = String.join(", ", counts));
  }

  /**
   * New instances of a {@link Deployable} class named in the plan (stopped in the plan's order); null for
   * anything else (a name a verticle factory resolves, {@code js:...}; a class it cannot load; an old-style
   * {@code Verticle}), which Vert.x deploys by name.
   */
  private Supplier<Deployable> instancesOf(String verticle) {
    if (verticle.equals(ChatVerticle.class.getName())) {
      return () -> new ChatVerticle(chat);
    }
    if (verticle.equals(HttpVerticle.class.getName())) {
      return () -> new HttpVerticle(http);
    }
    Class<?> type;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      type = Class.forName(verticle, false, loader != null ? loader : MainVerticle.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
    if (!Deployable.class.isAssignableFrom(type)) {
      return null;
    }
    return () -> {
      try {
        return (Deployable) type.getDeclaredConstructor().newInstance();
      } catch (InvocationTargetException e) {
        throw new IllegalStateException(verticle + " could not be created: " + e.getCause(), e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(verticle + " could not be created: " + e, e);
      }
    };
  }

  /** Each instance's context in the live check ({@code /health/live}) while it is deployed; null stays null. */
  private Supplier<Deployable> watched(Supplier<Deployable> instances, String name) {
    if (instances == null) {
      return null;
    }
    return () -> {
      Deployable verticle = instances.get();
      return new Deployable() {
        @Override
        public Future<?> deploy(Context context) throws Exception {
          return verticle.deploy(context).onSuccess(v -> http.health().watch(context, name + "@" + Integer.toHexString(
              System.identityHashCode(context))));
        }

        @Override
        public Future<?> undeploy(Context context) throws Exception {
          http.health().unwatch(context);
          return verticle.undeploy(context);
        }
      };
    };
  }

  /** Whether the HTTP port serves TLS (after a successful start). */
  public boolean tlsEnabled() {
    HttpParts parts = http;
    return parts != null && parts.tls() != null;
  }

  /**
   * Reads the TLS certificate files again and serves the new pair when it is valid (SIGHUP); completes
   * with whether the certificate changed, false without TLS.
   */
  public Future<Boolean> reloadTls() {
    HttpParts parts = http;
    return parts == null || parts.tls() == null ? Future.succeededFuture(false) : parts.tls().reload();
  }

  /** What this deployed, e.g. {@code chat x2, http x2} (for the launcher's stop line). */
  public String deployed() {
    return deployed;
  }

  /** {@code dev.vertxchat.chat.ChatVerticle} -> {@code chat}. */
  private static String shortName(String verticle) {
    String name = verticle.substring(verticle.lastIndexOf('.') + 1);
    if (name.endsWith("Verticle") && name.length() > "Verticle".length()) {
      name = name.substring(0, name.length() - "Verticle".length());
    }
    return name.toLowerCase(Locale.ROOT);
  }

  /** "HTTP on host:port, admin on host:port, " for the listeners deployed (the ports they really listen on). */
  private String listening(ChatConfig config) {
    Object port = vertx.sharedData().getLocalMap(HttpVerticle.SERVER_INFO).get(HttpVerticle.ACTUAL_PORT);
    Object admin = config.adminPort() < 0 ? null : vertx.sharedData().getLocalMap(AdminVerticle.SERVER_INFO).get(AdminVerticle.ACTUAL_PORT);
    return (port == null ? "" : "HTTP on " + config.host() + ":" + port + ", ")
        + (admin == null ? "" : "admin on " + config.adminHost() + ":" + admin + ", ");
  }
}
