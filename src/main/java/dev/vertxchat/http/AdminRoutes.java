package dev.vertxchat.http;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.bridge.ConnectionRegistry;
import dev.vertxchat.bridge.QuietLog;
import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.chat.Moderation;
import dev.vertxchat.chat.Text;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET /api/me} and the operators' API under {@code /api/admin} (docs/PROTOCOL.md, "Admin API"):
 * live connections and users online, disconnect, bans, deleting rooms and messages, notices, sign-in
 * settings. Every route needs {@code Authorization: Bearer}; those under {@code /api/admin} need an
 * operator's token (403, code 2003, otherwise). Every action is written to the audit log (logger
 * {@code dev.vertxchat.audit}): {@code operator=<id> action=<name> target=<...> result=<ok|code>}.
 * A non-operator's refused request is counted ({@code chat_auth_refusals_total{reason="operator"}}) and
 * logged at WARN at most once per 10 s for the process, with how many were left out.
 *
 * <p>Mountable on any router whose failure handler is {@link Failures} (the public port's, or the admin
 * listener's): it authenticates its requests itself (a request a handler before authenticated already
 * is not verified twice), and answers every other path under {@code /api/admin} with 404.
 */
public final class AdminRoutes {
  private static final Logger AUDIT = LoggerFactory.getLogger("dev.vertxchat.audit");
  /** Refused requests of non-operators: one line per period for the whole process, however many. */
  private static final QuietLog REFUSED = new QuietLog(AUDIT, 10);
  public static final String PREFIX = "/api/admin";
  /** What a user id looks like (u-..., g-..., x-<sub>); anything else is no user of this service. */
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.@:|-]{1,128}");
  private static final Pattern MESSAGE_ID = Pattern.compile("[0-9]{1,18}");
  static final int MAX_REASON = 200;

  private final HttpParts parts;
  private final ConnectionRegistry connections;

  public AdminRoutes(HttpParts parts) {
    this.parts = parts;
    this.connections = parts.registry;
  }

  /** Mounts {@code GET /api/me} and every route under {@code /api/admin} on {@code router}. */
  public void mount(Router router) {
    Handler<RoutingContext> authenticate = ctx -> ApiRoutes.authenticate(parts.tokens, ctx);
    router.get("/api/me").handler(authenticate).handler(this::me);

    // a body is read only once the caller is known to be an operator
    router.route(PREFIX + "/*").handler(authenticate).handler(this::operatorsOnly);
    router.route(PREFIX + "/*").handler(BodyHandler.create(false).setBodyLimit(parts.config.maxFrameBytes()));
    // in a cluster: every node's, each connection saying its node, and "nodes":{"answered","missing"}
    router.get(PREFIX + "/connections").handler(ctx -> ApiRoutes.answer(ctx, 200, connections.listAll().map(listing -> {
      JsonArray out = new JsonArray();
      listing.connections().forEach(c -> out.add(c.toJson()));
      return withNodes(new JsonObject().put("connections", out), listing.nodes());
    })));
    router.get(PREFIX + "/users/online").handler(ctx -> ApiRoutes.answer(ctx, 200, connections.listAll()
        .map(listing -> withNodes(usersOnline(listing.connections()), listing.nodes()))));
    router.post(PREFIX + "/users/:userId/disconnect").handler(this::disconnect);
    router.get(PREFIX + "/bans").handler(ctx -> {
      JsonArray out = new JsonArray();
      parts.bans.list().forEach(b -> out.add(b.toJson()));
      ApiRoutes.answer(ctx, 200, Future.succeededFuture(new JsonObject().put("bans", out)));
    });
    router.put(PREFIX + "/bans/:userId").handler(this::ban);
    router.delete(PREFIX + "/bans/:userId").handler(this::unban);
    router.delete(PREFIX + "/rooms/:roomId").handler(this::deleteRoom);
    router.delete(PREFIX + "/rooms/:roomId/messages/:messageId").handler(this::deleteMessage);
    router.post(PREFIX + "/notices").handler(this::notice);
    router.get(PREFIX + "/settings").handler(ctx -> ApiRoutes.answer(ctx, 200, Future.succeededFuture(parts.settings.toJson())));
    router.patch(PREFIX + "/settings").handler(this::settings);
    router.route(PREFIX + "/*").handler(ctx -> ctx.fail(new ChatException(ErrorCodes.NOT_FOUND, "no such admin route")));
  }

  private void me(RoutingContext ctx) {
    Identity identity = ApiRoutes.identity(ctx);
    UserRef user = identity.user();
    ApiRoutes.answer(ctx, 200, Future.succeededFuture(new JsonObject().put("id", user.id()).put("name", user.name())
        .put("guest", user.guest()).put("operator", identity.operator())));
  }

  private void operatorsOnly(RoutingContext ctx) {
    Identity identity = ApiRoutes.identity(ctx);
    if (identity.operator()) {
      ctx.next();
      return;
    }
    // anyone with a token can ask: counted, and logged at most once per period (QuietLog), never a line each
    parts.metrics.authRefused("operator");
    REFUSED.warn("operator={} action=refused target={} result={} (a non-operator's request; all are counted in"
        + " chat_auth_refusals_total{reason=\"operator\"})", identity.user().id(),
        safe(ctx.request().method().name() + " " + ctx.normalizedPath()), ErrorCodes.FORBIDDEN);
    ctx.fail(new ChatException(ErrorCodes.FORBIDDEN, "operators only"));
  }

  private void disconnect(RoutingContext ctx) {
    String user = ctx.pathParam("userId");
    audited(ctx, "disconnect", user, 200, userId(user)
        .compose(id -> connections.closeAll(id, CloseCodes.DISCONNECTED, "disconnected by an operator"))
        .map(closed -> withNodes(new JsonObject().put("closed", closed.closed()), closed.nodes())));
  }

  private void ban(RoutingContext ctx) {
    String user = ctx.pathParam("userId");
    String operator = operator(ctx).id();
    audited(ctx, "ban", user, 200, userId(user).compose(id -> {
      if (id.equals(operator)) {
        return Future.failedFuture(new ChatException(ErrorCodes.BAD_REQUEST, "an operator cannot ban themself"));
      }
      return optionalBody(ctx).compose(body -> {
        Object reason = body.getValue("reason");
        if (reason != null && !(reason instanceof String s && Text.plainLine(s)
            && s.strip().codePointCount(0, s.strip().length()) <= MAX_REASON)) {
          return Future.failedFuture(new ChatException(ErrorCodes.BAD_REQUEST,
              "reason must be one line of text of at most " + MAX_REASON + " characters, without control characters"));
        }
        String text = reason == null || ((String) reason).isBlank() ? null : ((String) reason).strip();
        return parts.bans.record(id, text, operator);
      }).compose(ban -> connections.closeAll(id, CloseCodes.BANNED, "banned")
          // in effect (on every node of a cluster) once the close frames reached the clients (a polling client's
          // next poll would be refused), then once more for a connection that opened meanwhile
          .compose(closed -> parts.bans.enforce(ban))
          .compose(v -> connections.closeAll(id, CloseCodes.BANNED, "banned"))
          .map(closed -> new JsonObject().put("ban", ban.toJson())));
    }));
  }

  private void unban(RoutingContext ctx) {
    String user = ctx.pathParam("userId");
    audited(ctx, "unban", user, 204, userId(user).compose(parts.bans::unban).compose(removed -> removed
        ? Future.succeededFuture((JsonObject) null)
        : Future.failedFuture(new ChatException(ErrorCodes.NOT_FOUND, "that user is not banned"))));
  }

  private void deleteRoom(RoutingContext ctx) {
    String room = ctx.pathParam("roomId");
    audited(ctx, "room.delete", room, 204, moderation().compose(m -> roomId(room).compose(r -> m.deleteRoom(r, operator(ctx))))
        .compose(deleted -> deleted ? Future.succeededFuture((JsonObject) null)
            : Future.failedFuture(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room))));
  }

  private void deleteMessage(RoutingContext ctx) {
    String room = ctx.pathParam("roomId");
    String message = ctx.pathParam("messageId");
    audited(ctx, "message.delete", room + "/" + message, 204, moderation().compose(m -> roomId(room).compose(r -> {
      if (!MESSAGE_ID.matcher(message).matches()) {
        return Future.succeededFuture(false);
      }
      return m.deleteMessage(r, Long.parseLong(message), operator(ctx));
    })).compose(deleted -> deleted ? Future.succeededFuture((JsonObject) null)
        : Future.failedFuture(new ChatException(ErrorCodes.NOT_FOUND, "the room has no such message"))));
  }

  private void notice(RoutingContext ctx) {
    Future<JsonObject> body = ApiRoutes.body(ctx);
    String target = body.succeeded() && body.result().getValue("room") instanceof String r ? r : "everyone";
    audited(ctx, "notice", target, 201, moderation().compose(m -> body.compose(b -> {
      Object room = b.getValue("room");
      if (room != null && !(room instanceof String)) {
        return Future.failedFuture(new ChatException(ErrorCodes.INVALID_ROOM, "room must be a room id"));
      }
      Object text = b.getValue("text");
      if (!(text instanceof String)) {
        return Future.failedFuture(new ChatException(ErrorCodes.INVALID_TEXT, "text must be a string"));
      }
      Future<Set<String>> users = room == null ? connections.listAll().map(listing -> {
        Set<String> ids = new LinkedHashSet<>();
        listing.connections().forEach(c -> ids.add(c.user().id()));
        return ids;
      }) : Future.succeededFuture(Set.of());
      return users.compose(ids -> m.notice((String) room, (String) text, ids));
    })).map(envelope -> new JsonObject().put("notice", envelope.toJson())));
  }

  private void settings(RoutingContext ctx) {
    audited(ctx, "settings", "sign-in", 200, ApiRoutes.body(ctx).compose(b -> {
      for (String field : b.fieldNames()) {
        if (!field.equals("guestSignIn") && !field.equals("registration")) {
          return Future.failedFuture(new ChatException(ErrorCodes.BAD_REQUEST, "unknown setting: " + safe(field)));
        }
        if (!(b.getValue(field) instanceof Boolean)) {
          return Future.failedFuture(new ChatException(ErrorCodes.BAD_REQUEST, field + " must be true or false"));
        }
      }
      return parts.settings.update(b.getBoolean("guestSignIn"), b.getBoolean("registration"));
    }));
  }

  /** {@code {"users":[{"id","name","guest"?,"connections","rooms"}]}}, by user, in order of their oldest connection. */
  private static JsonObject usersOnline(List<ConnectionRegistry.Info> list) {
    Map<String, JsonObject> users = new LinkedHashMap<>();
    Map<String, Set<String>> rooms = new LinkedHashMap<>();
    for (ConnectionRegistry.Info c : list) {
      JsonObject user = users.computeIfAbsent(c.user().id(), id -> c.user().toJson().put("connections", 0));
      user.put("connections", user.getInteger("connections") + 1);
      rooms.computeIfAbsent(c.user().id(), id -> new LinkedHashSet<>()).addAll(c.rooms());
    }
    JsonArray out = new JsonArray();
    users.forEach((id, user) -> out.add(user.put("rooms", new JsonArray(List.copyOf(rooms.get(id))))));
    return new JsonObject().put("users", out);
  }

  /** {@code answer} with {@code "nodes":{"answered","missing"}} when the answer was gathered from a cluster's nodes. */
  private static JsonObject withNodes(JsonObject answer, JsonObject nodes) {
    return nodes == null ? answer : answer.put("nodes", nodes);
  }

  private Future<Moderation> moderation() {
    return parts.moderation == null
        ? Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "rooms and messages cannot be moderated here"))
        : Future.succeededFuture(parts.moderation);
  }

  private static UserRef operator(RoutingContext ctx) {
    return ApiRoutes.identity(ctx).user();
  }

  private static Future<String> userId(String id) {
    return id != null && USER_ID.matcher(id).matches() ? Future.succeededFuture(id)
        : Future.failedFuture(new ChatException(ErrorCodes.BAD_REQUEST, "not a user id"));
  }

  private static Future<String> roomId(String id) {
    return id != null && Addresses.ROOM_ID.matcher(id).matches() ? Future.succeededFuture(id)
        : Future.failedFuture(new ChatException(ErrorCodes.INVALID_ROOM, "room must be a room id"));
  }

  /** The body, or an empty object when there is none. */
  private static Future<JsonObject> optionalBody(RoutingContext ctx) {
    return ctx.body().length() <= 0 ? Future.succeededFuture(new JsonObject()) : ApiRoutes.body(ctx);
  }

  /** Answers with {@code status} (204: no body), and writes the audit line of the action. */
  private static void audited(RoutingContext ctx, String action, String target, int status, Future<JsonObject> result) {
    String operator = operator(ctx).id();
    result.onComplete(ar -> AUDIT.info("operator={} action={} target={} result={}", operator, action, safe(target),
        ar.succeeded() ? "ok" : Integer.toString(ChatException.from(ar.cause()).code())));
    ApiRoutes.answer(ctx, status, result);
  }

  /** A value for the audit line: what the client sent, without anything that could forge a line or field. */
  private static String safe(String value) {
    if (value == null) {
      return "-";
    }
    String cut = value.length() > 160 ? value.substring(0, 160) + "..." : value;
    return cut.replaceAll("[^A-Za-z0-9_.@:|/ -]", "?").replace(' ', '_');
  }
}
