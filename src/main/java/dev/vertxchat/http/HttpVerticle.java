package dev.vertxchat.http;

import dev.vertxchat.bridge.Clients;
import dev.vertxchat.bridge.Connections;
import dev.vertxchat.bridge.EventBusBridge;
import dev.vertxchat.bridge.HandshakeGuard;
import dev.vertxchat.bridge.SockJs;
import dev.vertxchat.bridge.SockJsTransports;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * Everything on the one HTTP port: the browser app, {@code /health}, the REST API and the event-bus
 * bridge at {@code /eventbus} (SockJS's websocket, xhr-streaming and xhr-polling transports, and the
 * raw WebSocket at {@code /eventbus/websocket}), and the API's OpenAPI document at {@code /api/openapi.yaml}.
 * Safe to deploy with several instances; they share the port.
 */
public class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  public static final String BRIDGE_PATH = "/eventbus";
  /** Shared-data map where the listening port is recorded (useful with {@code http.port} 0). */
  public static final String SERVER_INFO = "vertxchat.http";
  public static final String ACTUAL_PORT = "actualPort";
  /** The REST API's OpenAPI document, served without a token. */
  public static final String OPENAPI_PATH = "/api/openapi.yaml";
  private static final String OPENAPI_RESOURCE = "openapi.yaml";
  /** The page's own policy: nothing from other origins, no inline script or style. */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'none'";

  private final HttpParts parts;
  private final ChatConfig config;
  private HttpServer server;
  private EventBusBridge bridge;
  /** Hears cluster nodes leave while this runs (cluster only). */
  private java.util.function.Consumer<String> nodeLeft;

  public HttpVerticle(HttpParts parts) {
    this.parts = parts;
    this.config = parts.config;
  }

  @Override
  public Future<?> start() {
    // from the jar, next to this class (the build copies docs/openapi.yaml there)
    return vertx.executeBlocking(() -> {
      try (InputStream in = HttpVerticle.class.getResourceAsStream(OPENAPI_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the class path (built without its resources?)");
        }
        return Buffer.buffer(in.readAllBytes());
      }
    }, false).compose(this::serve);
  }

  private Future<HttpServer> serve(Buffer openApi) {
    Origins origins = parts.origins;
    ClientAddress addresses = parts.addresses;
    HandshakeGuard guard = new HandshakeGuard(vertx, config, parts.tokens, bridgeClients(origins, addresses), BRIDGE_PATH,
        parts.metrics);
    bridge = new EventBusBridge(vertx, config, parts.membership, parts.access, guard, parts.registry, parts.metrics, parts.catchUp);
    if (parts.node != null) {
      // a node that left may have committed messages it never published: every room catches up from the store
      EventBusBridge own = bridge;
      nodeLeft = id -> own.catchUpAll();
      parts.node.onNodeLeft(nodeLeft);
    }

    Router router = Router.router(vertx);
    AccessLog accessLog = new AccessLog(addresses);
    if (config.accessLog()) {
      router.route().handler(accessLog);
    }
    String hsts = parts.tls != null && config.hstsMaxAgeSeconds() > 0 ? "max-age=" + config.hstsMaxAgeSeconds() : null;
    router.route().handler(ctx -> securityHeaders(ctx, hsts));
    if (!origins.configured().isEmpty()) {
      router.route("/api/*").handler(corsForConfigured(origins, false));
      // sockjs-client makes every XHR with credentials, whose answers a browser hands over only when they
      // allow credentials (the service has no cookies: nothing more reaches it than without)
      router.route(BRIDGE_PATH + "/*").handler(corsForConfigured(origins, true));
    }

    new HealthRoutes(parts.health).mount(router);
    if (config.metricsPublicPort() && parts.meters != null) {
      router.get(AdminVerticle.METRICS_PATH).handler(AdminVerticle.metrics(vertx, parts.meters));
    }

    router.get(OPENAPI_PATH).handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml")
        .putHeader("Cache-Control", "no-cache").end(openApi));
    // before ApiRoutes' catch-all for /api/*; the admin routes authenticate their requests themselves
    new AdminRoutes(parts).mount(router);
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
    HttpServerOptions options = new HttpServerOptions()
        // port 0 would give every instance a port of its own; Vert.x binds one random port for all servers that
        // listen on the same negative port: this deployment's instances (another service in this Vert.x has its own)
        .setHost(config.host()).setPort(config.port() == 0 ? -1 - (deploymentID().hashCode() & 0x7fffffff) : config.port())
        .setMaxWebSocketFrameSize(frameLimit).setMaxWebSocketMessageSize(frameLimit)
        // a body sent as a form (curl -d without a Content-Type) is decoded as one too: any form that fits
        // the body limit decodes, and the JSON it carries is read from the raw body
        .setMaxFormAttributeSize(frameLimit).setMaxFormBufferedBytes(frameLimit)
        .setCompressionSupported(true)
        // no h2c: on plain HTTP the connection guard sees every connection from its first byte (HTTP/2 only by TLS's ALPN)
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) config.idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (parts.tls != null) {
      // HTTPS and wss:// on the same port; HTTP/2 by ALPN for the REST API and the page (WebSockets stay on
      // HTTP/1.1 connections: a client that upgrades negotiates http/1.1)
      parts.tls.configure(options);
    }
    server = vertx.createHttpServer(options);
    ConnectionGuard.Settings guarding = new ConnectionGuard.Settings(config, addresses, Connections.shared(vertx, "tcp"));
    server.connectionHandler(conn -> ConnectionGuard.install(conn, guarding));
    // WebSockets (the raw endpoint and SockJS's WebSocket transport) are served by the bridge itself,
    // ahead of the router, whose request wrapper would hide the connection the fast path takes over
    String rawPath = BRIDGE_PATH + "/websocket";
    String sockJsPrefix = BRIDGE_PATH + "/";
    RequestIds requestIds = new RequestIds(addresses);
    return server.requestHandler(req -> {
      requestIds.assign(req);
      String path = req.path();
      boolean raw = rawPath.equals(path);
      boolean sockJs = !raw && path != null && path.startsWith(sockJsPrefix)
          && SockJs.WEBSOCKET_PATH.matcher(path).region(sockJsPrefix.length(), path.length()).matches();
      if ((raw || sockJs) && req.canUpgradeToWebSocket()) {
        bridge.upgrade(req, sockJs, refusal -> {
          Failures.send(req.response(), refusal);
          if (config.accessLog()) {
            accessLog.upgrade(req, null, Integer.toString(req.response().getStatusCode()));
          }
        }, user -> {
          if (config.accessLog()) {
            accessLog.upgrade(req, user.id(), "upgrade");
          }
        });
      } else {
        router.handle(req);
      }
    }).listen()
        // a taken port is a configuration problem: one line naming http.port, not a stack trace
        .recover(err -> Future.failedFuture(AdminVerticle.cannotListen(ConfigKeys.HTTP_PORT, config.host(), config.port(), err)))
        .onSuccess(s -> {
          if (parts.tls != null) {
            parts.tls.register(s);
          }
          vertx.sharedData().getLocalMap(SERVER_INFO).put(ACTUAL_PORT, s.actualPort());
          LOG.info("HTTP server listening on {}:{}{}", config.host(), s.actualPort(), parts.tls != null ? " with TLS" : "");
        });
  }

  @Override
  public Future<?> stop() {
    if (nodeLeft != null) {
      parts.node.removeNodeLeft(nodeLeft);
    }
    if (parts.tls != null && server != null) {
      parts.tls.unregister(server);
    }
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
        // the admin API's
        .allowedMethod(HttpMethod.PUT).allowedMethod(HttpMethod.PATCH).allowedMethod(HttpMethod.DELETE)
        .allowedHeader("Authorization").allowedHeader("Content-Type").maxAgeSeconds(600);
    return ctx -> {
      if (origins.configuredOrigin(ctx.request())) {
        cors.handle(ctx);
      } else {
        ctx.next();
      }
    };
  }

  /** @param hsts the {@code Strict-Transport-Security} value (with TLS only), null for none */
  private static void securityHeaders(RoutingContext ctx, String hsts) {
    if (hsts != null) {
      ctx.response().headers().set("Strict-Transport-Security", hsts);
    }
    ctx.response().headers()
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY")
        .set("Content-Security-Policy", CSP);
    ctx.next();
  }
}
