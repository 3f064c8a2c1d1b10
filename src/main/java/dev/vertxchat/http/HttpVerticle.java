package dev.vertxchat.http;

import dev.vertxchat.bridge.Clients;
import dev.vertxchat.bridge.Connections;
import dev.vertxchat.bridge.EventBusBridge;
import dev.vertxchat.bridge.HandshakeGuard;
import dev.vertxchat.bridge.SockJs;
import dev.vertxchat.bridge.SockJsTransports;
import dev.vertxchat.config.ChatConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Everything on the one HTTP port: the browser app, {@code /health}, the REST API and the event-bus
 * bridge at {@code /eventbus} (SockJS's websocket, xhr-streaming and xhr-polling transports, and the
 * raw WebSocket at {@code /eventbus/websocket}). Safe to deploy with several instances; they share the port.
 */
public class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  public static final String BRIDGE_PATH = "/eventbus";
  /** Shared-data map where the listening port is recorded (useful with {@code http.port} 0). */
  public static final String SERVER_INFO = "vertxchat.http";
  public static final String ACTUAL_PORT = "actualPort";
  /** The page's own policy: nothing from other origins, no inline script or style. */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'none'";

  private final HttpParts parts;
  private final ChatConfig config;
  private HttpServer server;
  private EventBusBridge bridge;

  public HttpVerticle(HttpParts parts) {
    this.parts = parts;
    this.config = parts.config;
  }

  @Override
  public Future<?> start() {
    Origins origins = parts.origins;
    ClientAddress addresses = parts.addresses;
    HandshakeGuard guard = new HandshakeGuard(vertx, config, parts.tokens, bridgeClients(origins, addresses), BRIDGE_PATH);
    bridge = new EventBusBridge(vertx, config, parts.membership, guard, parts.registry);

    Router router = Router.router(vertx);
    if (config.accessLog()) {
      router.route().handler(new AccessLog());
    }
    router.route().handler(HttpVerticle::securityHeaders);
    if (!origins.configured().isEmpty()) {
      router.route("/api/*").handler(corsForConfigured(origins, false));
      // sockjs-client makes every XHR with credentials, whose answers a browser hands over only when they
      // allow credentials (the service has no cookies: nothing more reaches it than without)
      router.route(BRIDGE_PATH + "/*").handler(corsForConfigured(origins, true));
    }

    // the check answers KO (503) itself after 1.5 s; the health-check library's own timeout (2 s) would
    // answer 500. tryComplete: a ping that answers after that changes nothing.
    HealthChecks checks = HealthChecks.create(vertx).register("database", 2000, promise -> {
      long timer = vertx.setTimer(1500, id -> promise.tryComplete(Status.KO(new JsonObject().put("cause", "no answer within 1500 ms"))));
      parts.databaseCheck.get().onComplete(ar -> {
        vertx.cancelTimer(timer);
        promise.tryComplete(ar.succeeded() ? Status.OK() : Status.KO());
      });
    });
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(checks));

    // before ApiRoutes' catch-all for /api/*; the admin routes authenticate their requests themselves
    new AdminRoutes(vertx, parts).mount(router);
    new ApiRoutes(vertx, config, parts.auth, parts.tokens, parts.throttle).mount(router);

    router.route(BRIDGE_PATH + "/*").handler(guard);
    new SockJsTransports(vertx, bridge).mount(router, BRIDGE_PATH);
    // the transports SockJS has beyond websocket, xhr-streaming and xhr-polling are not served
    router.route(BRIDGE_PATH + "/*").handler(ctx -> ctx.fail(404));

    router.route().handler(HttpVerticle::revalidate);
    router.route().handler(new AppFiles(config.webroot()));
    router.route().last().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new Failures());

    int frameLimit = config.maxFrameBytes() + EventBusBridge.FRAME_SLACK; // SockJS framing adds a few bytes around the bridge frame
    server = vertx.createHttpServer(new HttpServerOptions()
        // port 0 would give every instance a port of its own; Vert.x binds one random port for all servers that
        // listen on the same negative port: this deployment's instances (another service in this Vert.x has its own)
        .setHost(config.host()).setPort(config.port() == 0 ? -1 - (deploymentID().hashCode() & 0x7fffffff) : config.port())
        .setMaxWebSocketFrameSize(frameLimit).setMaxWebSocketMessageSize(frameLimit)
        // a body sent as a form (curl -d without a Content-Type) is decoded as one too: any form that fits
        // the body limit decodes, and the JSON it carries is read from the raw body
        .setMaxFormAttributeSize(frameLimit).setMaxFormBufferedBytes(frameLimit)
        .setCompressionSupported(true)
        // HTTP/1.1 only: the connection guard sees every connection from its first byte (no h2c sniffing)
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) config.idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
    ConnectionGuard.Settings guarding = new ConnectionGuard.Settings(config, addresses, Connections.shared(vertx, "tcp"));
    server.connectionHandler(conn -> ConnectionGuard.install(conn, guarding));
    // WebSockets (the raw endpoint and SockJS's WebSocket transport) are served by the bridge itself,
    // ahead of the router, whose request wrapper would hide the connection the fast path takes over
    String rawPath = BRIDGE_PATH + "/websocket";
    String sockJsPrefix = BRIDGE_PATH + "/";
    return server.requestHandler(req -> {
      String path = req.path();
      boolean raw = rawPath.equals(path);
      boolean sockJs = !raw && path != null && path.startsWith(sockJsPrefix)
          && SockJs.WEBSOCKET_PATH.matcher(path).region(sockJsPrefix.length(), path.length()).matches();
      if ((raw || sockJs) && req.canUpgradeToWebSocket()) {
        bridge.upgrade(req, sockJs, refusal -> {
          Failures.send(req.response(), refusal);
          if (config.accessLog()) {
            AccessLog.upgrade(req, null, Integer.toString(req.response().getStatusCode()));
          }
        }, user -> {
          if (config.accessLog()) {
            AccessLog.upgrade(req, user.id(), "upgrade");
          }
        });
      } else {
        router.handle(req);
      }
    }).listen()
        .onSuccess(s -> {
          vertx.sharedData().getLocalMap(SERVER_INFO).put(ACTUAL_PORT, s.actualPort());
          LOG.info("HTTP server listening on {}:{}", config.host(), s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = bridge == null ? Future.succeededFuture() : bridge.closeAll();
    Future<Void> closing = closed.transform(ar -> server == null ? Future.succeededFuture() : server.shutdown(5, TimeUnit.SECONDS));
    return closing;
  }

  /** The bridge's view of a request's client: this layer's Origin rules and trusted proxies. */
  private static Clients bridgeClients(Origins origins, ClientAddress addresses) {
    return new Clients() {
      @Override
      public boolean originAllowed(HttpServerRequest request) {
        return origins.allowed(request);
      }

      @Override
      public String address(HttpServerRequest request) {
        return addresses.of(request);
      }

      @Override
      public boolean perAddressCapped(HttpServerRequest request, String address) {
        String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        return !(addresses.trustedProxy(peer) && address.equals(ClientAddress.key(peer)));
      }
    };
  }

  /**
   * The npm libraries under {@code /vendor/} change only with a new build and may be cached for a
   * week; the app's own files are revalidated on every use (Last-Modified), so a new version of the
   * app is picked up at once.
   */
  private static void revalidate(RoutingContext ctx) {
    String cache = ctx.request().path().startsWith("/vendor/") ? "public, max-age=604800" : "no-cache";
    ctx.addHeadersEndHandler(v -> ctx.response().headers().set("Cache-Control", cache));
    ctx.next();
  }

  /**
   * CORS for the configured origins only; the service's own page needs none, and a foreign origin goes
   * on to the origin check (403, code 2007) instead of CorsHandler's bare failure.
   */
  private static Handler<RoutingContext> corsForConfigured(Origins origins, boolean credentials) {
    CorsHandler cors = CorsHandler.create().addOrigins(origins.configured()).allowCredentials(credentials)
        .allowedMethod(HttpMethod.GET).allowedMethod(HttpMethod.POST)
        .allowedHeader("Authorization").allowedHeader("Content-Type").maxAgeSeconds(600);
    return ctx -> {
      if (origins.configuredOrigin(ctx.request())) {
        cors.handle(ctx);
      } else {
        ctx.next();
      }
    };
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response().headers()
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY")
        .set("Content-Security-Policy", CSP);
    ctx.next();
  }
}
