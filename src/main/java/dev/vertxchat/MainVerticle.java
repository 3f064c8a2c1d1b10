package dev.vertxchat;

import dev.vertxchat.auth.Names;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.chat.ChatVerticle;
import dev.vertxchat.chat.LocalChat;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigFiles;
import dev.vertxchat.config.ConfigKeys;
import dev.vertxchat.config.ConfigLoader;
import dev.vertxchat.config.ConfigValidator;
import dev.vertxchat.store.Database;
import dev.vertxchat.http.HttpParts;
import dev.vertxchat.http.HttpVerticle;
import dev.vertxchat.store.H2AccountStore;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * The composition root and the deployment plan, the only place that knows every package: builds the
 * effective configuration, checks it, prepares the data directory and the database schema, opens the
 * parts each service has once (the database pool, the chat side with its state, the sign-in service),
 * then deploys every entry of {@code deployments} in order, each with its own deployment options.
 * The service's own verticles get those parts; any other verticle named there is deployed by class name
 * with the effective configuration. On undeploy the verticles stop first, then the parts close.
 */
public class MainVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  private Pool pool;
  private LocalChat chat;
  private HttpParts http;

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config())
        .compose(config -> vertx.executeBlocking(() -> prepare(config), false))
        .compose(config -> {
          pool = Database.pool(vertx, config.dataDir(), config.storePoolSize());
          // with the launcher's -instances, several main verticles start at once: one migrates at a time
          return vertx.sharedData().getLocalLockWithTimeout("vertxchat.migrate", 60_000)
              .compose(lock -> Database.migrate(pool)
                  .compose(v -> H2AccountStore.rekeyIfStale(vertx, pool, Names.KEYS_VERSION, Names::keys))
                  .eventually(() -> {
                    lock.release();
                    return Future.succeededFuture();
                  }))
              .map(config);
        })
        // H2 has created its file by now, with the process's default permissions
        .compose(config -> vertx.executeBlocking(() -> {
          Database.restrictFiles(config.dataDir());
          return config;
        }, false))
        .compose(config -> openParts(config).map(config))
        .compose(this::deployAll)
        .onSuccess(v -> LOG.info("Network transport: {}", vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO"))
        .onFailure(err -> {
          // a ConfigException is printed by the launcher as one line; anything else deserves its trace here
          if (!(err instanceof ConfigException)) {
            LOG.error("Start-up failed", err);
          }
        });
  }

  @Override
  public Future<?> stop() {
    // the deployed verticles have stopped by now (children are undeployed before their parent stops)
    Future<Void> parts = http == null ? Future.succeededFuture() : http.close();
    return parts
        .eventually(() -> chat == null ? Future.succeededFuture() : chat.close())
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }

  /** The parts every verticle instance of this service shares; this context owns the chat side's send pipeline. */
  private Future<Void> openParts(ChatConfig config) {
    RoomMessage.registerCodec(vertx);
    return LocalChat.open(vertx, config, pool).map(opened -> {
      chat = opened;
      http = HttpParts.create(vertx, config, new TokenService(vertx, config), new H2AccountStore(pool, Names::keys),
          chat.membership(), () -> Database.ping(pool));
      return null;
    });
  }

  /** The service's own verticles get the shared parts; another class named in the plan is deployed by name. */
  private Supplier<? extends Deployable> factory(String verticle) {
    if (verticle.equals(ChatVerticle.class.getName())) {
      return () -> new ChatVerticle(chat);
    }
    if (verticle.equals(HttpVerticle.class.getName())) {
      return () -> new HttpVerticle(http);
    }
    return null;
  }

  /** Validation and file system preparation; blocking, so it runs on a worker thread. */
  private ChatConfig prepare(ChatConfig config) {
    ConfigValidator.validate(config);
    ChatConfig prepared = ConfigFiles.prepare(config);
    new TokenService(vertx, prepared); // fails with a ConfigException when the public key cannot be used
    Names.keys("warm-up"); // ICU reads its normalization and confusable data here, not on an event loop
    return prepared;
  }

  private Future<Void> deployAll(ChatConfig config) {
    Future<Void> chain = Future.succeededFuture();
    for (Object entry : config.array(ConfigKeys.DEPLOYMENTS)) {
      JsonObject plan = (JsonObject) entry;
      String verticle = plan.getString("verticle");
      JsonObject options = plan.copy();
      options.remove("verticle");
      DeploymentOptions deployment = new DeploymentOptions(options).setConfig(config.json());
      Supplier<? extends Deployable> factory = factory(verticle);
      chain = chain.compose(v -> (factory == null ? vertx.deployVerticle(verticle, deployment)
              : vertx.deployVerticle(factory, deployment))
          .recover(err -> Future.failedFuture(err instanceof ConfigException ? err
              : new IllegalStateException("deploying " + verticle + " failed: " + err.getMessage(), err)))
          .onSuccess(id -> LOG.info("Deployed {} x{}", verticle, deployment.getInstances()))
          .mapEmpty());
    }
    return chain;
  }
}
