package dev.vertxchat.bridge;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SockJS's HTTP side at the bridge prefix: the greeting, {@code /info}, and the XHR transports
 * ({@code xhr} polling, {@code xhr_streaming}, {@code xhr_send}). The WebSocket transport is served
 * before the router by {@link EventBusBridge#upgrade}. The iframe, htmlfile, eventsource and JSONP
 * transports are not served (404): the page's Content-Security-Policy forbids frames and inline script,
 * and every browser the app supports has XHR streaming. Every request has passed the
 * {@link HandshakeGuard} (Origin, token, session owner, connection caps) first.
 */
public final class SockJsTransports {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How many times the frame limit an {@code xhr_send} body may hold (several messages, each within the limit). */
  private static final int BODY_FACTOR = 16;

  /** The SockJS sessions of the whole process (several HTTP verticle instances share them). */
  static final class Sessions implements Shareable {
    final ConcurrentHashMap<String, SockJsSession> byId = new ConcurrentHashMap<>();
  }

  private final Vertx vertx;
  private final EventBusBridge bridge;
  private final Sessions sessions;
  private final int maxBody;

  public SockJsTransports(Vertx vertx, EventBusBridge bridge) {
    this.vertx = vertx;
    this.bridge = bridge;
    this.sessions = vertx.sharedData().<String, Sessions>getLocalMap("vertxchat.sockjs").computeIfAbsent("sessions", k -> new Sessions());
    this.maxBody = bridge.maxMessageBytes() * BODY_FACTOR;
  }

  /** Routes under {@code prefix}, behind the handshake guard. */
  public void mount(Router router, String prefix) {
    router.get(prefix).handler(SockJsTransports::greeting);
    router.get(prefix + "/").handler(SockJsTransports::greeting);
    router.get(prefix + "/info").handler(SockJsTransports::info);
    // a POST too: a browser sends its Origin with it, so a page learns from it why the guard refuses it
    router.post(prefix + "/info").handler(SockJsTransports::info);
    router.post(prefix + "/:server/:session/xhr").handler(ctx -> receive(ctx, false));
    router.post(prefix + "/:server/:session/xhr_streaming").handler(ctx -> receive(ctx, true));
    router.post(prefix + "/:server/:session/xhr_send").handler(this::send);
    router.options(prefix + "/:server/:session/:transport").handler(SockJsTransports::preflight);
    router.options(prefix + "/info").handler(SockJsTransports::preflight);
    router.get(prefix + "/:server/:session/websocket").handler(SockJsTransports::notUpgraded);
    router.get(prefix + "/websocket").handler(SockJsTransports::notUpgraded);
  }

  private static void greeting(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/plain; charset=UTF-8").end("Welcome to SockJS!\n");
  }

  private static void info(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json; charset=UTF-8")
        .putHeader("Cache-Control", SockJs.NO_CACHE)
        .end(new JsonObject().put("websocket", true).put("cookie_needed", false)
            .put("origins", new JsonArray().add("*:*")).put("entropy", RANDOM.nextInt() & Integer.MAX_VALUE).encode());
  }

  private static void preflight(RoutingContext ctx) {
    ctx.response().setStatusCode(204).putHeader("Allow", "OPTIONS, POST").putHeader("Access-Control-Max-Age", "600").end();
  }

  private static void notUpgraded(RoutingContext ctx) {
    ctx.fail(new ChatException(ErrorCodes.BAD_REQUEST, "this path takes a WebSocket upgrade only"));
  }

  /** {@code xhr} / {@code xhr_streaming}: opens the session on its first request, then receives. */
  private void receive(RoutingContext ctx, boolean streaming) {
    Identity identity = HandshakeGuard.identityOf(ctx);
    String id = ctx.pathParam("session");
    SockJsSession session = sessions.byId.get(id);
    if (session == null) {
      SockJsSession fresh = new SockJsSession(vertx, id, identity.user().id(), bridge.maxQueuedBytes(),
          bridge.sockJsDisconnectDelayMs(), sessions.byId, streaming);
      session = sessions.byId.putIfAbsent(id, fresh);
      if (session == null) {
        session = fresh;
        bridge.connect(fresh, identity, HandshakeGuard.clientAddressOf(ctx), id, HandshakeGuard.take(ctx));
      }
    }
    if (!session.userId.equals(identity.user().id())) {
      ctx.fail(new ChatException(ErrorCodes.FORBIDDEN, "this session belongs to another user"));
      return;
    }
    SockJsSession s = session;
    s.context.runOnContext(v -> s.receive(ctx.response(), streaming));
  }

  /**
   * {@code xhr_send}: a JSON array of messages. sockjs-client sends all the messages queued while its
   * previous {@code xhr_send} was on its way in one body, so the frame limit applies to each message (the
   * bridge checks it, as on the WebSockets), and a body may hold up to {@value #BODY_FACTOR} times it. A
   * larger body is read to its end but not kept (up to twice that, then the connection is cut): the
   * session gets {@code frame_too_large} and closes with 1009, and the post itself is answered 204 so
   * that the client reads the close frame instead of failing the send.
   */
  private void send(RoutingContext ctx) {
    Identity identity = HandshakeGuard.identityOf(ctx);
    SockJsSession session = sessions.byId.get(ctx.pathParam("session"));
    if (session == null || session.closed()) {
      ctx.fail(new ChatException(ErrorCodes.NOT_FOUND, "no such SockJS session"));
      return;
    }
    if (!session.userId.equals(identity.user().id())) {
      ctx.fail(new ChatException(ErrorCodes.FORBIDDEN, "this session belongs to another user"));
      return;
    }
    HttpServerRequest request = ctx.request();
    Buffer body = Buffer.buffer();
    long[] total = {0};
    request.handler(chunk -> {
      total[0] += chunk.length();
      if (total[0] <= maxBody) {
        body.appendBuffer(chunk);
      } else if (total[0] > 2L * maxBody) {
        request.connection().close();
      }
    });
    request.endHandler(v -> {
      boolean tooLarge = total[0] > maxBody;
      List<String> messages;
      if (tooLarge) {
        messages = List.of();
      } else {
        try {
          messages = SockJs.decode(body.toString());
        } catch (DecodeException e) {
          ctx.fail(new ChatException(ErrorCodes.BAD_REQUEST, "the body must be a JSON array of strings"));
          return;
        }
      }
      List<String> received = messages;
      session.context.runOnContext(x -> session.received(received, tooLarge));
      SockJsSession.headers(ctx.response());
      ctx.response().setStatusCode(204).end();
    });
    request.resume();
  }
}
