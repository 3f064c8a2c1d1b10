package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.store.ConversationStore.RoomAccess;
import dev.vertxchat.store.MessageStore.NewMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Serves {@code chat.send}, {@code chat.history}, {@code chat.presence}, {@code chat.typing} and the
 * internal room services over the event bus, and registers the other chat services ({@link Conversations},
 * {@link Dms}, {@link RoomAdmin}) through the same {@link #serve}: checks each request (the room's rules through
 * {@link Access}) and asks the service's {@link LocalChat}, which owns the state. Callers (the bridge, the REST
 * handlers) stamp the caller's identity in the message headers; a request without one is refused, and every caller is
 * recorded ({@link Profiles}). Safe to deploy with several instances: they share the one {@link LocalChat} the
 * composition root gives them.
 */
public class ChatVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChatVerticle.class);
  private static final int ROOMS_DEFAULT_PAGE = 100;
  private static final int MAX_ROOM_QUERY = 64;

  private final LocalChat chat;
  private final ChatConfig config;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** Whether this instance's context owns the service's send pipeline (the first instance to start). */
  private boolean ownsPipeline;

  public ChatVerticle(LocalChat chat) {
    this.chat = chat;
    this.config = chat.config;
  }

  @Override
  public Future<?> start() {
    ownsPipeline = chat.pipeline.bind(context);
    serve(Addresses.SEND, this::send);
    serve(Addresses.HISTORY, this::history);
    serve(Addresses.PRESENCE, this::presence);
    serve(Addresses.TYPING, this::typing);
    serve(Addresses.ROOMS_LIST, this::listRooms);
    // issue 13, conversations (chat helper): edit, delete, react, read, unread, search, DMs, prefs
    chat.talk.serveOn(this::serve);
    chat.dms.serveOn(this::serve);
    // issue 13, rooms and members (admin helper): chat.rooms.*, chat.members.*, and the internal ROOMS_CREATE
    new RoomAdmin(vertx, chat).serveOn(this::serve);
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  /** The instance that owns the pipeline stores and acknowledges everything accepted before it stops. */
  @Override
  public Future<?> stop() {
    return ownsPipeline ? chat.pipeline.drain() : Future.succeededFuture();
  }

  /**
   * Registers a service: identity from the headers (the caller is recorded, {@link Profiles}), body must be an
   * object, failures carry their code.
   */
  private void serve(String address, Service handler) {
    // local: in a cluster each node answers its own bridge and REST requests, never another node's
    MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(address, (Message<Object> msg) -> {
      Caller caller = Caller.fromHeaders(msg.headers());
      UserRef user = caller == null ? null : caller.user();
      Future<JsonObject> result;
      if (user == null) {
        result = Future.failedFuture(new ChatException(ErrorCodes.UNAUTHENTICATED, "no identity on the request"));
      } else if (!(msg.body() instanceof JsonObject body)) {
        result = Future.failedFuture(new ChatException(ErrorCodes.BAD_REQUEST, "the body must be a JSON object"));
      } else {
        try {
          // the caller is recorded first (once per process), so that others find them by name or id at once
          result = chat.profiles.seen(user).compose(v -> handler.handle(caller, body));
        } catch (ChatException e) {
          result = Future.failedFuture(e);
        } catch (RuntimeException e) {
          LOG.error("Handler for {} failed for user {}", address, user.id(), e);
          result = Future.failedFuture(e);
        }
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          ChatException failure = ChatException.from(ar.cause());
          String room = msg.body() instanceof JsonObject body && body.getValue("room") instanceof String r
              && Addresses.ROOM_ID.matcher(r).matches() ? r : null; // a client's text never reaches the log
          if (failure.code() == ErrorCodes.INTERNAL) {
            refusal(LOG.atError(), user, room, failure.code()).addKeyValue("address", address).setCause(ar.cause())
                .log("Request to {} by {} failed", address, user == null ? "?" : user.id());
          } else if (LOG.isDebugEnabled()) {
            // a refusal is the client's business (a rate limit, a bad text ...): at DEBUG, for an operator tracing a user
            refusal(LOG.atDebug(), user, room, failure.code()).addKeyValue("address", address)
                .log("Request to {} by {} refused: room={} code={}", address, user == null ? "?" : user.id(),
                    room == null ? "-" : room, failure.code());
          }
          msg.fail(failure.code(), failure.getMessage());
        }
      });
    });
    consumers.add(consumer);
  }

  /** The pairs of a refused request's line: {@code user} (when known), {@code room} (when named), {@code code}. */
  private static LoggingEventBuilder refusal(LoggingEventBuilder line, UserRef user, String room, int code) {
    if (user != null) {
      line.addKeyValue("user", user.id());
    }
    if (room != null) {
      line.addKeyValue("room", room);
    }
    return line.addKeyValue("code", code);
  }

  /** The room named in a request, when the caller may read it ({@link Access#readable}). */
  private Future<RoomAccess> readableRoom(JsonObject body, Caller caller) {
    return existingRoom(body).compose(room -> chat.access.readable(room, caller));
  }

  /** The room named in a request, when the caller may post to it ({@link Access#postable}). */
  private Future<RoomAccess> postableRoom(JsonObject body, Caller caller) {
    return existingRoom(body).compose(room -> chat.access.postable(room, caller));
  }

  /** The room named in a request; it must be a valid id of an existing room. */
  private Future<String> existingRoom(JsonObject body) {
    Object value = body.getValue("room");
    if (!(value instanceof String room) || !Addresses.ROOM_ID.matcher(room).matches()) {
      return Future.failedFuture(new ChatException(ErrorCodes.INVALID_ROOM, "room must be a room id"));
    }
    return chat.directory.exists(room)
        // the store did not answer (PostgreSQL down): the client may retry, nothing was done
        .recover(err -> Future.failedFuture(err instanceof ChatException ? err
            : new ChatException(ErrorCodes.UNAVAILABLE, "the room could not be checked now, try again")))
        .compose(found -> found ? Future.succeededFuture(room)
        : Future.failedFuture(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room)));
  }

  private Future<JsonObject> send(Caller caller, JsonObject body) {
    Future<JsonObject> answer;
    try {
      answer = accept(caller, body);
    } catch (ChatException e) {
      answer = Future.failedFuture(e);
    }
    return answer.onFailure(err -> chat.metrics.refused(ChatException.from(err).code()));
  }

  /**
   * A send: checked (text, {@code replyTo}, the room's rules), then stored and published by the pipeline; the answer
   * is its id and time. The users it mentions, and the other member of a DM, are told after it is stored.
   */
  private Future<JsonObject> accept(Caller caller, JsonObject body) {
    String text = Text.message(body.getValue("text"), config.maxTextLength());
    Long replyTo = body.getValue("replyTo") == null ? null : Conversations.messageId(body, "replyTo");
    return postableRoom(body, caller).compose(access -> {
      if (chat.disk.low()) {
        return Future.failedFuture(new ChatException(ErrorCodes.STORAGE_LIMIT,
            "the server is low on storage space and accepts no messages now; nothing was stored, retry later"));
      }
      return chat.sendRate.tryAcquire(caller.id()).compose(allowed -> admit(caller.user(), access, text, replyTo, allowed));
    });
  }

  /** A checked send past the user's rate ({@code allowed}): the server-wide bucket, the reply's quote and mentions, the pipeline. */
  private Future<JsonObject> admit(UserRef user, RoomAccess access, String text, Long replyTo, boolean allowed) {
    if (!allowed) {
      chat.metrics.rateLimited("messages");
      return Future.failedFuture(new ChatException(ErrorCodes.RATE_LIMITED, "too many messages, slow down"));
    }
    if (!chat.globalLimiter.tryAcquire(LocalChat.GLOBAL)) {
      chat.metrics.rateLimited("global_messages");
      return Future.failedFuture(new ChatException(ErrorCodes.STORAGE_LIMIT,
          "the server takes in as many messages as it may store; nothing was stored, retry in a second"));
    }
    String room = access.room().id();
    return chat.talk.extras(access, user, text, replyTo).compose(more -> {
      long acceptedAt = System.nanoTime();
      return chat.pipeline.submit(new NewMessage(room, user, text, more)).map(stored -> {
        chat.metrics.acknowledged(acceptedAt);
        chat.talk.announce(stored.more() == null && more != null ? stored.withMore(more) : stored, access);
        return new JsonObject().put("id", stored.id()).put("ts", stored.ts());
      });
    });
  }

  private Future<JsonObject> history(Caller caller, JsonObject body) {
    Long before;
    Long after;
    int limit;
    try {
      before = paging(body, "before");
      after = paging(body, "after");
      Long requested = paging(body, "limit");
      if (requested != null && requested < 1) {
        throw new ChatException(ErrorCodes.INVALID_PAGING, "limit must be at least 1");
      }
      limit = requested == null ? config.historyDefaultPage() : (int) Math.min(requested, config.historyMaxPage());
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    return readableRoom(body, caller)
        .compose(access -> chat.messages().page(access.room().id(), before, after, limit))
        .map(list -> {
          JsonArray out = new JsonArray();
          list.forEach(e -> out.add(e.toJson()));
          return new JsonObject().put("messages", out);
        });
  }

  static Long paging(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= 0
        && n.doubleValue() <= 9.007199254740991E15) {
      return n.longValue();
    }
    throw new ChatException(ErrorCodes.INVALID_PAGING, field + " must be a whole number of at least 0");
  }

  private Future<JsonObject> presence(Caller caller, JsonObject body) {
    return readableRoom(body, caller).compose(access -> chat.membership.users(access.room().id())).map(list -> {
      JsonArray users = new JsonArray();
      list.forEach(u -> users.add(u.toJson()));
      return new JsonObject().put("users", users);
    });
  }

  private Future<JsonObject> typing(Caller caller, JsonObject body) {
    UserRef user = caller.user();
    return postableRoom(body, caller).map(access -> access.room().id()).compose(room -> {
      if (!chat.typingLimiter.tryAcquire(user.id() + "\n" + room)) {
        chat.metrics.rateLimited("typing");
        return Future.failedFuture(new ChatException(ErrorCodes.RATE_LIMITED, "typing notices are limited"));
      }
      RoomEvents.publish(vertx.eventBus(), Envelope.event(Envelope.TYPING, room, user, System.currentTimeMillis()));
      return Future.succeededFuture(new JsonObject());
    });
  }

  /** One page of the rooms the caller may see, by id: {@code limit} (default 100, at most limits.roomsPageMax), {@code after}, {@code q}. */
  private Future<JsonObject> listRooms(Caller caller, JsonObject body) {
    int limit;
    String after;
    String query;
    try {
      Long requested = paging(body, "limit");
      if (requested != null && requested < 1) {
        throw new ChatException(ErrorCodes.INVALID_PAGING, "limit must be at least 1");
      }
      int max = config.roomsPageMax();
      limit = requested == null ? Math.min(ROOMS_DEFAULT_PAGE, max) : (int) Math.min(requested, max);
      Object a = body.getValue("after");
      if (a != null && !(a instanceof String s && Addresses.ROOM_ID.matcher(s).matches())) {
        throw new ChatException(ErrorCodes.INVALID_PAGING, "after must be a room id");
      }
      after = (String) a;
      Object q = body.getValue("q");
      if (q != null && !(q instanceof String s && s.length() <= MAX_ROOM_QUERY)) {
        throw new ChatException(ErrorCodes.INVALID_PAGING, "q must be text of at most " + MAX_ROOM_QUERY + " characters");
      }
      query = q == null || ((String) q).isBlank() ? null : ((String) q).strip();
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    // public rooms, and the private rooms the caller is a member of (never DMs)
    return chat.rooms.page(after, query, limit, caller.id()).compose(page ->
        chat.membership.counts(page.rooms().stream().map(Room::id).toList()).map(counts -> {
          JsonArray out = new JsonArray();
          page.rooms().forEach(r -> out.add(r.withMembers(counts.getOrDefault(r.id(), 0)).toJson()));
          return new JsonObject().put("rooms", out).put("next", page.next());
        }));
  }
}
