package dev.vertxchat.bridge;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Runs before the SockJS transports on every {@code /eventbus} request, so nothing unauthenticated ever reaches a
 * SockJS session: a path that is not in canonical form or a malformed SockJS session id gets 400, a
 * foreign {@code Origin} 403, a missing or bad token 401, a new session past the connection caps 503.
 * The token comes as query parameter {@code token} (browsers) or {@code Authorization: Bearer}.
 *
 * <p>SockJS's XHR transports use several HTTP requests per session. A session is bound to its user
 * when it really opens ({@link #bind}); a request for it with another user's token gets 403.
 * The checks read the same normalized path the router routes on, and refuse any other spelling.
 */
public final class HandshakeGuard implements Handler<RoutingContext> {
  private static final String IDENTITY = "vertxchat.identity";
  private static final String ADDRESS = "vertxchat.clientAddress";
  private static final String RESERVED = "vertxchat.bridge.reserved";
  /** Transports whose request may open a session (the *_send ones only post into an open one). */
  private static final Set<String> OPENING = Set.of("websocket", "xhr", "xhr_streaming");
  private static final Set<String> SENDING = Set.of("xhr_send");
  private static final String WEBSOCKET = "websocket";
  /** SockJS server ids are short (sockjs-client: 3 digits), session ids random strings (8 characters). */
  private static final Pattern SERVER_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Which user each open SockJS session belongs to, for the whole process. */
  static final class Owners implements Shareable {
    final ConcurrentHashMap<String, String> bySession = new ConcurrentHashMap<>();
  }

  private final TokenService tokens;
  private final Clients clients;
  private final Connections connections;
  private final ChatConfig config;
  private final Owners owners;
  private final String prefix;
  private final ChatMetrics metrics;

  public HandshakeGuard(Vertx vertx, ChatConfig config, TokenService tokens, Clients clients, String prefix) {
    this(vertx, config, tokens, clients, prefix, ChatMetrics.none());
  }

  /** @param metrics counts refused handshakes (a foreign origin, another user's session) and the connection caps' refusals */
  public HandshakeGuard(Vertx vertx, ChatConfig config, TokenService tokens, Clients clients, String prefix, ChatMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.tokens = tokens;
    this.clients = clients;
    this.connections = bridgeConnections(vertx);
    this.owners = vertx.sharedData().<String, Owners>getLocalMap("vertxchat.sockjs").computeIfAbsent("owners", k -> new Owners());
    this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
  }

  /** The process-wide count of bridge connections (every transport), per client address and in total. */
  static Connections bridgeConnections(Vertx vertx) {
    return Connections.shared(vertx, "bridge");
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (!path.equals(ctx.request().path())) {
      ctx.fail(new ChatException(ErrorCodes.BAD_REQUEST, "the path must be in canonical form"));
      return;
    }
    // nothing of the body is lost while the token is checked; xhr_send reads it (and resumes) itself
    ctx.request().pause();
    authenticate(ctx.request(), path).onComplete(ar -> {
      if (!path.endsWith("/xhr_send") || ar.failed()) {
        ctx.request().resume();
      }
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Admission admission = ar.result();
      ctx.put(IDENTITY, admission.identity());
      ctx.put(ADDRESS, admission.address());
      if (admission.reserved()) {
        // the place is taken over by the bridge connection SockJS opens for this request (take());
        // a request that opens none gives it back when it ends
        ctx.put(RESERVED, Boolean.TRUE);
        ctx.addEndHandler(v -> {
          if (ctx.remove(RESERVED) != null) {
            connections.close(admission.address());
          }
        });
      }
      ctx.next();
    });
  }

  /**
   * Who a bridge request is from, and whether a place for a new bridge connection was reserved for it
   * (counted in {@link #connections()}: the connection that opens takes it over, else it is given back).
   */
  public record Admission(Identity identity, String address, boolean reserved) {}

  /** Takes over the place reserved for the bridge connection this request opens; false when none was. */
  static boolean take(RoutingContext ctx) {
    return ctx != null && ctx.remove(RESERVED) != null;
  }

  /**
   * Origin, token, session and cap checks for one bridge request on {@code path}; fails with a
   * {@link ChatException}. A request that may open a new bridge connection reserves its place under the
   * caps at once, so simultaneous requests cannot all pass a cap that only one more fits.
   */
  public Future<Admission> authenticate(HttpServerRequest request, String path) {
    String[] session;
    try {
      session = session(path);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    if (!clients.originAllowed(request)) {
      metrics.authRefused("origin");
      return Future.failedFuture(new ChatException(ErrorCodes.ORIGIN_NOT_ALLOWED, "origin not allowed"));
    }
    return tokens.verify(token(request)).compose(identity -> {
      String owner = session == null ? null : owners.bySession.get(session[0]);
      if (owner != null && !owner.equals(identity.user().id())) {
        metrics.authRefused("session");
        return Future.failedFuture(new ChatException(ErrorCodes.FORBIDDEN, "this session belongs to another user"));
      }
      // a WebSocket is a bridge connection of its own whatever its session id; an XHR request opens one
      // unless its session is open already
      boolean opens = session == null ? path.equals(prefix + "websocket")
          : OPENING.contains(session[1]) && (owner == null || WEBSOCKET.equals(session[1]));
      String address = clients.address(request);
      if (opens && !reserve(request, address)) {
        metrics.rateLimited("connections");
        return Future.failedFuture(new ChatException(ErrorCodes.TOO_MANY_CONNECTIONS, "too many connections, try again later", 5));
      }
      return Future.succeededFuture(new Admission(identity, address, opens));
    });
  }

  private boolean reserve(HttpServerRequest request, String address) {
    int perAddress = clients.perAddressCapped(request, address) ? config.maxConnectionsPerAddress() : 0;
    return connections.tryOpen(address, config.maxConnections(), perAddress);
  }

  static String token(HttpServerRequest request) {
    String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    return request.getParam("token");
  }

  /**
   * {@code [sessionId, transport]} of a {@code <prefix><server>/<session>/<transport>} path whose
   * transport is a session transport, else null; malformed ids fail before anything is remembered.
   */
  private String[] session(String path) {
    if (path == null || !path.startsWith(prefix)) {
      return null;
    }
    String[] parts = path.substring(prefix.length()).split("/", -1);
    if (parts.length != 3 || !(OPENING.contains(parts[2]) || SENDING.contains(parts[2]))) {
      return null;
    }
    if (!SERVER_ID.matcher(parts[0]).matches() || !SESSION_ID.matcher(parts[1]).matches()) {
      throw new ChatException(ErrorCodes.BAD_REQUEST, "malformed SockJS server or session id");
    }
    return new String[] {parts[1], parts[2]};
  }

  /** The identity a bridge request authenticated with; null before that or without one. */
  public static Identity identityOf(RoutingContext ctx) {
    return ctx == null ? null : ctx.get(IDENTITY);
  }

  static String clientAddressOf(RoutingContext ctx) {
    return ctx == null ? null : ctx.get(ADDRESS);
  }

  /** Binds a session SockJS has just opened to its user. */
  void bind(String session, String userId) {
    owners.bySession.put(session, userId);
  }

  /** Forgets the binding of a closed session. */
  void unbind(String session, String userId) {
    owners.bySession.remove(session, userId);
  }

  Connections connections() {
    return connections;
  }
}
