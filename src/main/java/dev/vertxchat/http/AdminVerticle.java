package dev.vertxchat.http;

import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The admin listener: an HTTP server of its own on {@code admin.host}:{@code admin.port} (by default
 * 127.0.0.1:9464, reachable from the host only), for operators and their tools, never the public.
 * It serves {@code GET /metrics} (Prometheus text format; 404 when {@code metrics.enabled} is false) and
 * whatever routes the composition root mounts ({@link #AdminVerticle(ChatConfig, PrometheusMeterRegistry, List)});
 * everything else is a JSON 404. Deployed once per service by the composition root (one server; its
 * handlers are light), not by the deployment plan. The port it listens on is recorded in shared data
 * ({@link #SERVER_INFO}, {@link #ACTUAL_PORT}), as {@link HttpVerticle} records its own. When it cannot
 * listen (the port taken), start-up stops with one line naming {@code admin.port} and the address.
 */
public class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);
  /** Shared-data map where the admin listener's port is recorded (useful with {@code admin.port} 0). */
  public static final String SERVER_INFO = "vertxchat.admin";
  public static final String ACTUAL_PORT = "actualPort";
  public static final String METRICS_PATH = "/metrics";
  /** Prometheus's text exposition format, version 0.0.4. */
  public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final ChatConfig config;
  private final PrometheusMeterRegistry registry;
  private final List<Consumer<Router>> routes;
  private HttpServer server;

  /**
   * @param registry the registry to serve on {@code /metrics}; null when metrics are off
   * @param routes   mount more routes on the admin router, in order, after {@code /metrics}: this is where the
   *                 composition root adds the health checks ({@code /health/live}, {@code /health/ready}) and
   *                 the operators' API ({@code /api/admin/*})
   */
  public AdminVerticle(ChatConfig config, PrometheusMeterRegistry registry, List<Consumer<Router>> routes) {
    this.config = config;
    this.registry = registry;
    this.routes = List.copyOf(routes);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    ClientAddress addresses = new ClientAddress(config.trustedProxies());
    if (config.accessLog()) {
      router.route().handler(new AccessLog(addresses));
    }
    router.route().handler(ctx -> {
      ctx.response().headers().set("X-Content-Type-Options", "nosniff").set("Cache-Control", "no-store");
      ctx.next();
    });
    if (registry != null) {
      router.get(METRICS_PATH).handler(metrics(vertx, registry));
    }
    // ---- more admin routes (health checks, the operators' API) are mounted here, by the composition root ----
    routes.forEach(mount -> mount.accept(router));
    router.route().last().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new Failures());

    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.adminHost()).setPort(config.adminPort())
        .setHttp2ClearTextEnabled(false));
    // the same request ids as on the public port: the operators' API logs and audits with them
    RequestIds requestIds = new RequestIds(addresses);
    return server.requestHandler(req -> {
      requestIds.assign(req);
      router.handle(req);
    }).listen().onSuccess(s -> {
      vertx.sharedData().getLocalMap(SERVER_INFO).put(ACTUAL_PORT, s.actualPort());
      LOG.info("Admin listener on {}:{}", config.adminHost(), s.actualPort());
    }).recover(err -> Future.failedFuture(cannotListen(config, err)));
  }

  /**
   * Why the admin listener could not listen, in one line naming {@code admin.port} and the address, e.g.
   * {@code Invalid configuration: admin.port: cannot listen on 127.0.0.1:9464: Address already in use}.
   */
  static ConfigException cannotListen(ChatConfig config, Throwable err) {
    return cannotListen(ConfigKeys.ADMIN_PORT, config.adminHost(), config.adminPort(), err);
  }

  /**
   * A server that cannot listen (the port is taken, the address is not this machine's, a privileged port) is a
   * configuration problem: one line naming the key, e.g.
   * {@code Invalid configuration: http.port: cannot listen on 0.0.0.0:8080: Address already in use}.
   */
  static ConfigException cannotListen(String key, String host, int port, Throwable err) {
    String why = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    // Netty's native transport says "bind(..) failed with error(-98): Address already in use", NIO the last part
    int reason = why.lastIndexOf(": ");
    return new ConfigException(key, "cannot listen on " + host + ":" + port + ": "
        + (why.contains("failed") && reason >= 0 ? why.substring(reason + 2) : why));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /**
   * {@code GET /metrics}: the registry in Prometheus's text format. The scrape (a walk over every meter)
   * runs on a worker thread, off the event loop.
   */
  public static Handler<RoutingContext> metrics(Vertx vertx, PrometheusMeterRegistry registry) {
    return ctx -> vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, METRICS_CONTENT_TYPE).end(ar.result());
      }
    });
  }
}
