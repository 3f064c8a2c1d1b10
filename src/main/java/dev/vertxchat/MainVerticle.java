package dev.vertxchat;

import dev.vertxchat.auth.JwtSecret;
import dev.vertxchat.auth.Names;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import dev.vertxchat.config.ConfigLoader;
import dev.vertxchat.config.ConfigValidator;
import dev.vertxchat.store.DataFiles;
import dev.vertxchat.store.Database;
import dev.vertxchat.store.H2AccountStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment plan, and the only place that knows it: builds the effective configuration, checks
 * it, prepares the data directory and the database schema, then deploys every entry of
 * {@code deployments} in order, each with its own deployment options and the effective configuration.
 */
public class MainVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  private Pool pool;
  /** The HS256 secret of the service's own tokens, resolved once at start; not part of the configuration. */
  private String jwtSecret;

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
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  /** Validation and file system preparation; blocking, so it runs on a worker thread. */
  private ChatConfig prepare(ChatConfig config) {
    ConfigValidator.validate(config);
    DataFiles.prepareDataDir(config.dataDir());
    jwtSecret = JwtSecret.resolve(config);
    JwtSecret.share(vertx, jwtSecret);
    new TokenService(vertx, config, jwtSecret); // fails with a ConfigException when the public key cannot be used
    Names.keys("warm-up"); // ICU reads its normalization and confusable data here, not on an event loop
    return config;
  }

  private Future<Void> deployAll(ChatConfig config) {
    Future<Void> chain = Future.succeededFuture();
    for (Object entry : config.array(ConfigKeys.DEPLOYMENTS)) {
      JsonObject plan = (JsonObject) entry;
      String verticle = plan.getString("verticle");
      JsonObject options = plan.copy();
      options.remove("verticle");
      DeploymentOptions deployment = new DeploymentOptions(options).setConfig(config.json());
      chain = chain.compose(v -> vertx.deployVerticle(verticle, deployment)
          .recover(err -> Future.failedFuture(err instanceof ConfigException ? err
              : new IllegalStateException("deploying " + verticle + " failed: " + err.getMessage(), err)))
          .onSuccess(id -> LOG.info("Deployed {} x{}", verticle, deployment.getInstances()))
          .mapEmpty());
    }
    return chain;
  }
}
