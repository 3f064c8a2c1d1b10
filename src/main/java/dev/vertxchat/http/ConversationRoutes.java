package dev.vertxchat.http;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The conversation routes of the REST API (docs/PROTOCOL.md, "REST API" and "Conversations"): rooms, messages,
 * reactions, read markers, search, members and moderation, direct messages and the user's preferences. Each route
 * is a thin mapping to the chat service's bus address (the same the bridge forwards to), with the caller's identity
 * stamped by {@link ApiRoutes}; the chat service checks everything else (who may do what, which room, which
 * values). Mounted by {@link ApiRoutes} after the token is verified and the body is read.
 */
final class ConversationRoutes {
  /** A message id in a path: a whole number (anything else is 1105, as a bad paging value). */
  private static final Pattern MESSAGE_ID = Pattern.compile("[0-9]{1,16}");

  /** Sends a request to a chat address with the caller's identity; the reply's body. */
  interface Requests {
    Future<JsonObject> request(RoutingContext ctx, String address, JsonObject body);
  }

  private final Requests bus;

  ConversationRoutes(Requests bus) {
    this.bus = bus;
  }

  void mount(Router router) {
    // rooms: create (201), update, delete; the list stays with ApiRoutes (chat.internal.rooms.list, by viewer)
    router.post("/api/rooms").handler(ctx -> withBody(ctx, 201, Addresses.ROOMS_CREATE_PUBLIC,
        b -> pick(b, new JsonObject(), "id", "name", "topic", "private")));
    router.patch("/api/rooms/:id").handler(ctx -> withBody(ctx, 200, Addresses.ROOMS_UPDATE,
        b -> pick(b, room(ctx), "name", "topic", "archived")));
    router.delete("/api/rooms/:id").handler(ctx -> without(ctx, 200, Addresses.ROOMS_DELETE, room(ctx)));

    // messages: post (201, optionally a reply), edit, delete, reactions
    router.post("/api/rooms/:id/messages").handler(ctx -> withBody(ctx, 201, Addresses.SEND,
        b -> pick(b, room(ctx).put("text", b.getValue("text")), "replyTo")));
    router.patch("/api/rooms/:id/messages/:mid").handler(ctx -> withBody(ctx, 200, Addresses.EDIT,
        b -> message(ctx).put("text", b.getValue("text"))));
    router.delete("/api/rooms/:id/messages/:mid").handler(ctx -> without(ctx, 200, Addresses.DELETE, message(ctx)));
    router.put("/api/rooms/:id/messages/:mid/reactions/:emoji").handler(ctx -> without(ctx, 200, Addresses.REACT,
        message(ctx).put("emoji", ctx.pathParam("emoji")).put("on", true)));
    router.delete("/api/rooms/:id/messages/:mid/reactions/:emoji").handler(ctx -> without(ctx, 200, Addresses.REACT,
        message(ctx).put("emoji", ctx.pathParam("emoji")).put("on", false)));

    // read markers, unread counts, search
    router.put("/api/rooms/:id/read").handler(ctx -> withBody(ctx, 200, Addresses.READ,
        b -> room(ctx).put("id", b.getValue("id"))));
    router.get("/api/unread").handler(ctx -> without(ctx, 200, Addresses.UNREAD, new JsonObject()));
    router.get("/api/search").handler(ctx -> ApiRoutes.answer(ctx, 200, search(ctx)));

    // members and moderation
    router.get("/api/rooms/:id/members").handler(ctx -> without(ctx, 200, Addresses.MEMBERS_LIST, room(ctx)));
    router.post("/api/rooms/:id/members").handler(ctx -> withBody(ctx, 201, Addresses.MEMBERS_INVITE,
        b -> room(ctx).put("user", b.getValue("user"))));
    router.delete("/api/rooms/:id/members/:user").handler(ctx -> without(ctx, 200, Addresses.MEMBERS_REMOVE, target(ctx)));
    router.put("/api/rooms/:id/members/:user/role").handler(ctx -> withBody(ctx, 200, Addresses.MEMBERS_ROLE,
        b -> target(ctx).put("role", b.getValue("role"))));
    router.post("/api/rooms/:id/mutes").handler(ctx -> withBody(ctx, 200, Addresses.MEMBERS_MUTE,
        b -> room(ctx).put("user", b.getValue("user")).put("seconds", b.getValue("seconds"))));
    router.delete("/api/rooms/:id/mutes/:user").handler(ctx -> without(ctx, 200, Addresses.MEMBERS_UNMUTE, target(ctx)));
    router.post("/api/rooms/:id/kicks").handler(ctx -> withBody(ctx, 200, Addresses.MEMBERS_KICK,
        b -> room(ctx).put("user", b.getValue("user"))));
    router.post("/api/rooms/:id/bans").handler(ctx -> withBody(ctx, 200, Addresses.MEMBERS_BAN,
        b -> pick(b, room(ctx).put("user", b.getValue("user")), "reason")));
    router.delete("/api/rooms/:id/bans/:user").handler(ctx -> without(ctx, 200, Addresses.MEMBERS_UNBAN, target(ctx)));

    // direct messages: 201 when the conversation was created by this request, 200 when it existed
    router.post("/api/dms").handler(ctx -> {
      Future<JsonObject> opened = ApiRoutes.body(ctx)
          .compose(b -> bus.request(ctx, Addresses.DM_OPEN, pick(b, new JsonObject(), "user", "name")));
      opened.onComplete(ar -> ApiRoutes.answer(ctx,
          ar.succeeded() && Boolean.TRUE.equals(ar.result().getValue("created")) ? 201 : 200, opened));
    });
    router.get("/api/dms").handler(ctx -> without(ctx, 200, Addresses.DM_LIST, new JsonObject()));

    // the caller's preferences: DMs on/off, blocked users
    router.get("/api/me/prefs").handler(ctx -> without(ctx, 200, Addresses.PREFS, new JsonObject()));
    router.patch("/api/me/prefs").handler(ctx -> withBody(ctx, 200, Addresses.PREFS, b -> {
      if (b.fieldNames().stream().anyMatch(field -> !field.equals("dms"))) {
        // a bot that sent {"block": ...} here must not believe it blocked anyone
        throw new ChatException(ErrorCodes.INVALID_MEMBER,
            "this route takes only {\"dms\": true or false}; block and unblock with PUT and DELETE /api/me/blocks/{user}");
      }
      return pick(b, new JsonObject(), "dms");
    }));
    router.put("/api/me/blocks/:user").handler(ctx -> without(ctx, 200, Addresses.PREFS,
        new JsonObject().put("block", ctx.pathParam("user"))));
    router.delete("/api/me/blocks/:user").handler(ctx -> without(ctx, 200, Addresses.PREFS,
        new JsonObject().put("unblock", ctx.pathParam("user"))));
  }

  /** A route with a JSON object body: the bus body built from it (a 1100 or 1105 failure on the way is answered). */
  private void withBody(RoutingContext ctx, int status, String address, Function<JsonObject, JsonObject> build) {
    ApiRoutes.answer(ctx, status, ApiRoutes.body(ctx).compose(b -> {
      try {
        return bus.request(ctx, address, build.apply(b));
      } catch (ChatException e) {
        return Future.failedFuture(e);
      }
    }));
  }

  /** A route without a body (any body sent is ignored). */
  private void without(RoutingContext ctx, int status, String address, JsonObject body) {
    ApiRoutes.answer(ctx, status, bus.request(ctx, address, body));
  }

  /** {@code {"room": <the path's room id>}}. */
  private static JsonObject room(RoutingContext ctx) {
    return new JsonObject().put("room", ctx.pathParam("id"));
  }

  /** {@code {"room","user"}} from the path. */
  private static JsonObject target(RoutingContext ctx) {
    return room(ctx).put("user", ctx.pathParam("user"));
  }

  /** {@code {"room","id"}} from the path; a message id that is not a whole number fails with 1105. */
  private static JsonObject message(RoutingContext ctx) {
    String id = ctx.pathParam("mid");
    if (id == null || !MESSAGE_ID.matcher(id).matches()) {
      throw new ChatException(ErrorCodes.INVALID_PAGING, "the message id must be a whole number");
    }
    return room(ctx).put("id", Long.parseLong(id));
  }

  /** {@code into} with those of {@code fields} that {@code from} has (null values included: the chat service judges them). */
  private static JsonObject pick(JsonObject from, JsonObject into, String... fields) {
    for (String field : fields) {
      if (from.containsKey(field)) {
        into.put(field, from.getValue(field));
      }
    }
    return into;
  }

  /** {@code ?q=&room=&before=&limit=}: before and limit must be whole numbers (1105); the chat service checks the rest. */
  private Future<JsonObject> search(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    for (String field : new String[] {"q", "room"}) {
      String value = ctx.request().getParam(field);
      if (value != null) {
        query.put(field, value);
      }
    }
    for (String field : new String[] {"before", "limit"}) {
      String value = ctx.request().getParam(field);
      if (value != null && !value.isEmpty()) {
        try {
          query.put(field, Long.parseLong(value));
        } catch (NumberFormatException e) {
          return Future.failedFuture(new ChatException(ErrorCodes.INVALID_PAGING, field + " must be a whole number"));
        }
      }
    }
    return bus.request(ctx, Addresses.SEARCH, query);
  }
}
