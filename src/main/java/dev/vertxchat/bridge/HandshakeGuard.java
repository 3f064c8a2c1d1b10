package dev.vertxchat.bridge;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.http.Origins;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.Set;

/**
 * Runs before SockJS on every {@code /eventbus} request, so nothing unauthenticated ever reaches a
 * SockJS session: a foreign {@code Origin} gets 403, a missing or bad token 401. The token comes as
 * query parameter {@code token} (browsers) or {@code Authorization: Bearer} (other clients).
 *
 * <p>SockJS polling transports use several HTTP requests per session; a session is bound to the user
 * of the request that opened it and a request for it with another user's token gets 403.
 */
public final class HandshakeGuard implements Handler<RoutingContext> {
  private static final String IDENTITY = "vertxchat.identity";
  private static final String SESSIONS = "vertxchat.sockjs.sessions";
  /** Transports whose request may open a session (the *_send ones only post into an open one). */
  private static final Set<String> OPENING = Set.of("websocket", "xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp");
  private static final Set<String> SENDING = Set.of("xhr_send", "jsonp_send");

  private final Vertx vertx;
  private final TokenService tokens;
  private final Origins origins;
  private final String prefix;

  public HandshakeGuard(Vertx vertx, TokenService tokens, Origins origins, String prefix) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.origins = origins;
    this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
  }

  @Override
  public void handle(RoutingContext ctx) {
    authenticate(ctx.request()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ctx.put(IDENTITY, ar.result());
        ctx.next();
      }
    });
  }

  /** Origin, token and session checks for one bridge request; fails with a {@link ChatException}. */
  public Future<Identity> authenticate(HttpServerRequest request) {
    if (!origins.allowed(request)) {
      return Future.failedFuture(new ChatException(ErrorCodes.ORIGIN_NOT_ALLOWED, "origin not allowed"));
    }
    return tokens.verify(token(request)).compose(identity -> {
      String[] session = session(request.path());
      if (session != null) {
        LocalMap<String, String> bound = vertx.sharedData().getLocalMap(SESSIONS);
        String owner = OPENING.contains(session[1]) ? bound.putIfAbsent(session[0], identity.user().id())
            : SENDING.contains(session[1]) ? bound.get(session[0]) : null;
        if (owner != null && !owner.equals(identity.user().id())) {
          return Future.failedFuture(new ChatException(ErrorCodes.FORBIDDEN, "this session belongs to another user"));
        }
      }
      return Future.succeededFuture(identity);
    });
  }

  static String token(HttpServerRequest request) {
    String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    return request.getParam("token");
  }

  /** {@code [sessionId, transport]} of a {@code <prefix><server>/<session>/<transport>} path, else null. */
  private String[] session(String path) {
    if (path == null || !path.startsWith(prefix)) {
      return null;
    }
    String[] parts = path.substring(prefix.length()).split("/");
    return parts.length == 3 && !parts[1].isEmpty() ? new String[] {parts[1], parts[2]} : null;
  }

  static Identity identityOf(RoutingContext ctx) {
    return ctx == null ? null : ctx.get(IDENTITY);
  }

  /** Forgets the session binding of a closed socket. */
  static void unbind(Vertx vertx, SockJSSocket socket) {
    RoutingContext ctx = socket.routingContext();
    if (ctx == null) {
      return;
    }
    Identity identity = ctx.get(IDENTITY);
    String path = ctx.request().path();
    int end = path.lastIndexOf('/');
    int start = end > 0 ? path.lastIndexOf('/', end - 1) : -1;
    if (identity != null && start >= 0) {
      vertx.sharedData().<String, String>getLocalMap(SESSIONS).removeIfPresent(path.substring(start + 1, end), identity.user().id());
    }
  }
}
