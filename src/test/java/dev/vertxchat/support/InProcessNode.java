package dev.vertxchat.support;

import dev.vertxchat.auth.Bans;
import dev.vertxchat.auth.Names;
import dev.vertxchat.auth.SignInSettings;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.chat.ChatVerticle;
import dev.vertxchat.chat.LocalChat;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigLoader;
import dev.vertxchat.http.HttpParts;
import dev.vertxchat.http.HttpVerticle;
import dev.vertxchat.metrics.ChatMetrics;
import dev.vertxchat.store.Database;
import dev.vertxchat.store.H2AccountStore;
import dev.vertxchat.store.H2BanStore;
import dev.vertxchat.store.H2SettingsStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.TestServer.await;

/**
 * One node of an in-process cluster for tests of the state the nodes share: a clustered Vert.x of
 * {@link ClusterConfig} running the chat side, the admin API's state (bans, sign-in settings) and the
 * HTTP side as {@code MainVerticle} wires them, with this node's {@link ClusterNode} passed to each. All
 * nodes of a test use one H2 database (the shared store: rooms, accounts, bans, settings), standing in
 * for the cluster's PostgreSQL; each has a data directory of its own for its journal. Nodes should not
 * store messages (each journal would allocate ids of its own).
 */
public final class InProcessNode implements AutoCloseable {
  public final Vertx vertx;
  public final ClusterNode node;
  public final int port;
  public final Http http;
  private final Parts parts;

  private InProcessNode(Vertx vertx, ClusterNode node, int port, Parts parts) {
    this.vertx = vertx;
    this.node = node;
    this.port = port;
    this.http = new Http(vertx, port);
    this.parts = parts;
  }

  /**
   * Starts a node of {@code cluster} over the shared database in {@code sharedDir}, with {@code overrides}
   * over {@link TestServer#baseConfig}; its own data directory goes under {@code dir}.
   */
  public static InProcessNode start(ClusterConfig cluster, Path sharedDir, Path dir, JsonObject overrides) throws Exception {
    Vertx vertx = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    Path data = Files.createTempDirectory(dir, "node-");
    JsonObject given = TestServer.baseConfig(data).mergeIn(overrides, true);
    ChatConfig config = ConfigLoader.readNow(given, null);
    if (config == null) {
      throw new IllegalArgumentException("invalid test configuration: " + given.encode());
    }
    Parts parts = new Parts(config, sharedDir.toString());
    await(vertx.deployVerticle(parts, new DeploymentOptions().setConfig(config.json())));
    Integer port = vertx.sharedData().<String, Integer>getLocalMap(HttpVerticle.SERVER_INFO).get(HttpVerticle.ACTUAL_PORT);
    return new InProcessNode(vertx, parts.node, port, parts);
  }

  public Bans bans() {
    return parts.bans;
  }

  public SignInSettings settings() {
    return parts.settings;
  }

  public LocalChat chat() {
    return parts.chat;
  }

  /** Leaves the cluster: the service's verticles stop, then the Vert.x closes. */
  @Override
  public void close() {
    http.close();
    await(vertx.close());
  }

  /** What MainVerticle.openParts and deployAll do, with the node. */
  private static final class Parts extends VerticleBase {
    private final ChatConfig config;
    private final String sharedDir;
    private Pool pool;
    ClusterNode node;
    LocalChat chat;
    Bans bans;
    SignInSettings settings;
    HttpParts http;

    Parts(ChatConfig config, String sharedDir) {
      this.config = config;
      this.sharedDir = sharedDir;
    }

    @Override
    public Future<?> start() {
      // one per process (each adds a Hazelcast membership listener), given to every part
      node = ClusterNode.of(vertx);
      RoomMessage.registerCodec(vertx);
      pool = Database.pool(vertx, sharedDir, 4);
      // the journal's indexer writes to the database of the node's own data directory: it needs the schema too
      Pool own = Database.pool(vertx, config.dataDir(), 1);
      // the nodes of one test start one after another: the first migrates the shared one
      return Database.migrate(own).eventually(own::close)
          .compose(v -> Database.migrate(pool))
          .compose(v -> LocalChat.open(vertx, config, pool, ChatMetrics.none(), node))
          .compose(opened -> {
            chat = opened;
            return Bans.load(vertx, new H2BanStore(pool), node);
          })
          .compose(loaded -> {
            bans = loaded;
            return SignInSettings.load(vertx, new H2SettingsStore(pool), config.guests(), config.registration(), node);
          })
          .compose(loaded -> {
            settings = loaded;
            http = HttpParts.create(vertx, config, new TokenService(vertx, config, TestServer.SECRET, bans, ChatMetrics.none()),
                new H2AccountStore(pool, Names::keys), chat.membership(), () -> Database.ping(pool), chat.journalStatus(),
                ChatMetrics.none(), null, new HttpParts.Admin(bans, settings, chat.moderation(), node));
            http.access(chat.access());
            return http.open(vertx);
          })
          .compose(v -> vertx.deployVerticle(() -> new ChatVerticle(chat), new DeploymentOptions().setConfig(config.json())))
          .compose(v -> vertx.deployVerticle(() -> new HttpVerticle(http), new DeploymentOptions().setConfig(config.json())));
    }

    @Override
    public Future<?> stop() {
      return http.close()
          .eventually(() -> bans.close())
          .eventually(() -> settings.close())
          .eventually(() -> chat.close())
          .eventually(() -> pool.close());
    }
  }
}
