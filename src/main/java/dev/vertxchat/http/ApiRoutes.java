package dev.vertxchat.http;

import dev.vertxchat.auth.AuthService;
import dev.vertxchat.auth.Identity;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.config.ChatConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;


/**
 * The REST API under {@code /api}: JSON in and out. Only the three sign-in routes are open; every
 * other route needs {@code Authorization: Bearer <jwt>} (renewal accepts an own token that expired a
 * little while ago, see {@link TokenService#verifyForRenewal}). Chat operations go through the same
 * event-bus services as the bridge, with the caller's identity stamped by the server.
 */
final class ApiRoutes {
  private static final String IDENTITY = "vertxchat.api.identity";
  /** Largest body of the sign-in routes (413 beyond): names are at most 32 characters, passwords 256. */
  static final int SIGN_IN_BODY_LIMIT = 4096;

  private final Vertx vertx;
  private final ChatConfig config;
  private final AuthService auth;
  private final TokenService tokens;
  private final SignInThrottle throttle;

  ApiRoutes(Vertx vertx, ChatConfig config, AuthService auth, TokenService tokens, SignInThrottle throttle) {
    this.vertx = vertx;
    this.config = config;
    this.auth = auth;
    this.tokens = tokens;
    this.throttle = throttle;
  }

  void mount(Router router) {
    // anyone may post to the sign-in routes: their bodies are small (a name and a password), so only that
    // much is read; every other route reads its body only once the caller's token is verified
    router.route("/api/auth/*").handler(BodyHandler.create(false).setBodyLimit(SIGN_IN_BODY_LIMIT));
    router.get("/api/auth/options").handler(ctx -> answer(ctx, 200, Future.succeededFuture(auth.options())));
    router.post("/api/auth/guest").handler(ctx -> answer(ctx, 200,
        throttle.guest(ctx.request()).compose(v -> body(ctx)).compose(b -> auth.guest(string(b, "name")))));
    router.post("/api/auth/register").handler(ctx -> answer(ctx, 201, throttle.signIn(ctx.request())
        .compose(v -> body(ctx)).compose(b -> auth.register(string(b, "name"), string(b, "password")))));
    router.post("/api/auth/login").handler(ctx -> answer(ctx, 200, throttle.signIn(ctx.request())
        .compose(v -> body(ctx)).compose(b -> auth.login(string(b, "name"), string(b, "password"), throttle.client(ctx.request())))));

    // renewal verifies its token itself: one that expired less than a token lifetime ago still renews
    router.post("/api/auth/refresh").handler(ctx -> answer(ctx, 200, tokens.verifyForRenewal(bearer(ctx))
        .compose(identity -> {
          ctx.put(IDENTITY, identity);
          return auth.refresh(identity);
        })));

    router.route("/api/*").handler(this::authenticate);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(config.maxFrameBytes()));
    router.get("/api/rooms").handler(ctx -> answer(ctx, 200, roomPage(ctx)));
    router.get("/api/rooms/:id/messages").handler(ctx -> answer(ctx, 200, history(ctx)));
    // creating rooms, posting, editing, reactions, members, DMs ...: each a chat.* address
    new ConversationRoutes(this::request).mount(router);
    router.route("/api/*").handler(ctx -> ctx.fail(new ChatException(ErrorCodes.NOT_FOUND, "no such API route")));
  }

  /** The token of {@code Authorization: Bearer <jwt>}, or null. */
  static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
  }

  private void authenticate(RoutingContext ctx) {
    authenticate(tokens, ctx);
  }

  /** Verifies the request's bearer token; the identity is then {@link #identity}; else the request fails. */
  static void authenticate(TokenService tokens, RoutingContext ctx) {
    if (identity(ctx) != null) {
      ctx.next(); // verified already by a handler before
      return;
    }
    tokens.verify(bearer(ctx)).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(IDENTITY, ar.result());
        ctx.next();
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /** The identity a request to /api authenticated with; null before that or without one. */
  static Identity identity(RoutingContext ctx) {
    return ctx.get(IDENTITY);
  }

  private Future<JsonObject> history(RoutingContext ctx) {
    JsonObject query = new JsonObject().put("room", ctx.pathParam("id"));
    for (String field : new String[] {"before", "after", "limit"}) {
      String value = ctx.request().getParam(field);
      if (value != null && !value.isEmpty()) {
        try {
          query.put(field, Long.parseLong(value));
        } catch (NumberFormatException e) {
          return Future.failedFuture(new ChatException(ErrorCodes.INVALID_PAGING, field + " must be a whole number"));
        }
      }
    }
    return request(ctx, Addresses.HISTORY, query);
  }

  /** {@code ?limit=&after=&q=}: checked again by the chat service, which owns the rules. */
  private Future<JsonObject> roomPage(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    String limit = ctx.request().getParam("limit");
    if (limit != null && !limit.isEmpty()) {
      try {
        query.put("limit", Long.parseLong(limit));
      } catch (NumberFormatException e) {
        return Future.failedFuture(new ChatException(ErrorCodes.INVALID_PAGING, "limit must be a whole number"));
      }
    }
    for (String field : new String[] {"after", "q"}) {
      String value = ctx.request().getParam(field);
      if (value != null && !value.isEmpty()) {
        query.put(field, value);
      }
    }
    return request(ctx, Addresses.ROOMS_LIST, query);
  }

  /** A request to a chat address with the caller's identity (and operator flag) stamped; the reply's body. */
  Future<JsonObject> request(RoutingContext ctx, String address, JsonObject body) {
    // answered by this node's chat verticle: in a cluster every node serves its own clients (docs/CLUSTER.md)
    Identity caller = identity(ctx);
    DeliveryOptions options = caller.user().stamp(new DeliveryOptions().setSendTimeout(config.requestTimeoutMs())
        .setLocalOnly(true), caller.operator());
    return vertx.eventBus().<JsonObject>request(address, body, options).map(Message::body);
  }

  /** The request's body as a JSON object, or a 1100 failure (no body, malformed, not an object). */
  static Future<JsonObject> body(RoutingContext ctx) {
    try {
      JsonObject json = ctx.body().asJsonObject();
      if (json != null) {
        return Future.succeededFuture(json);
      }
    } catch (RuntimeException ignored) {
      // malformed JSON: answered below like a missing body
    }
    return Future.failedFuture(new ChatException(ErrorCodes.BAD_REQUEST, "the request body must be a JSON object"));
  }

  private static String string(JsonObject body, String field) {
    return body.getValue(field) instanceof String s ? s : null;
  }

  /** Answers {@code status} with the result as JSON ({@code 204}: no body), or fails the request with its error. */
  static void answer(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (status == 204) {
        ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
      } else {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store").end(ar.result().toBuffer());
      }
    });
  }

}
