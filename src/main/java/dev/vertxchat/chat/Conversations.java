package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.ConversationStore.RoomAccess;
import dev.vertxchat.store.ConversationStore.Unread;
import dev.vertxchat.store.SearchText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What users do to the messages of a room after they are sent, and what they have read (docs/PROTOCOL.md,
 * "Conversations"): {@code chat.edit}, {@code chat.delete}, {@code chat.react}, {@code chat.read}, {@code chat.unread},
 * {@code chat.search}; and the notices a stored message causes ({@link #announce}: {@code mention}, {@code dm}).
 * Every request is checked against {@link Access} first. Shared by the chat verticle instances; no state of its own.
 *
 * <p>Longer than 300 lines because each of these requests states its checks, limits and refusal codes next to what
 * it does, as ChatVerticle does for sending.
 */
final class Conversations {
  /** Code points of a message's text in a quote or a notice. */
  static final int EXCERPT = 200;
  static final int UNREAD_ROOMS = 200;
  static final int SEARCH_DEFAULT = 20;
  static final int SEARCH_MAX = 50;
  static final int MAX_TERMS = 5;
  static final int TERM_MIN = 2;
  static final int TERM_MAX = 64;

  private final Vertx vertx;
  private final LocalChat chat;

  Conversations(Vertx vertx, LocalChat chat) {
    this.vertx = vertx;
    this.chat = chat;
  }

  void serveOn(Service.Registry registry) {
    registry.serve(Addresses.EDIT, this::edit);
    registry.serve(Addresses.DELETE, this::delete);
    registry.serve(Addresses.REACT, this::react);
    registry.serve(Addresses.READ, this::read);
    registry.serve(Addresses.UNREAD, this::unread);
    registry.serve(Addresses.SEARCH, this::search);
  }

  // ---- requests ----

  private Future<JsonObject> edit(Caller caller, JsonObject body) {
    String room = roomOf(body);
    long id = messageId(body, "id");
    String text = Text.message(body.getValue("text"), chat.config.maxTextLength());
    return chat.access.readable(room, caller)
        .compose(access -> ownMessage(room, id, caller, false).map(access))
        .compose(access -> chat.access.postable(room, caller))
        .compose(access -> chat.sendRate.tryAcquire(caller.id()))
        .compose(allowed -> {
          if (!allowed) {
            // an edit goes to every member like a message: it costs what a message costs
            chat.metrics.rateLimited("messages");
            return Future.failedFuture(new ChatException(ErrorCodes.RATE_LIMITED, "too many messages and edits, slow down"));
          }
          long now = System.currentTimeMillis();
          return chat.messages().edit(room, id, text, now).compose(done -> {
            if (!done) {
              return Future.failedFuture(noMessage(room, id));
            }
            RoomEvents.publish(vertx.eventBus(), new Envelope(id, room, Envelope.EDIT, caller.user(), text, now,
                new JsonObject().put("edited", now)));
            return Future.succeededFuture(new JsonObject().put("id", id).put("edited", now));
          });
        });
  }

  private Future<JsonObject> delete(Caller caller, JsonObject body) {
    String room = roomOf(body);
    long id = messageId(body, "id");
    return chat.access.readable(room, caller)
        .compose(access -> ownMessage(room, id, caller, Access.moderates(access, caller)))
        .compose(message -> chat.moderation().deleteMessage(room, id, caller.user()))
        .compose(deleted -> deleted ? Future.succeededFuture(new JsonObject().put("id", id))
            : Future.failedFuture(noMessage(room, id)));
  }

  private Future<JsonObject> react(Caller caller, JsonObject body) {
    String room = roomOf(body);
    long id = messageId(body, "id");
    Object emoji = body.getValue("emoji");
    if (!Reactions.allowed(emoji)) {
      throw new ChatException(ErrorCodes.INVALID_REACTION, "emoji must be one of " + String.join(" ", Reactions.PALETTE));
    }
    Object onValue = body.getValue("on", true);
    if (!(onValue instanceof Boolean on)) {
      throw new ChatException(ErrorCodes.BAD_REQUEST, "on must be true or false");
    }
    return chat.access.postable(room, caller)
        .compose(access -> chat.sendRate.tryAcquire(caller.id()))
        .compose(allowed -> {
          if (!allowed) {
            chat.metrics.rateLimited("messages");
            return Future.failedFuture(new ChatException(ErrorCodes.RATE_LIMITED, "too many messages, slow down"));
          }
          long now = System.currentTimeMillis();
          return chat.messages().react(room, id, (String) emoji, caller.user(), on, now).compose(count -> {
            if (count < 0) {
              return Future.failedFuture(noMessage(room, id));
            }
            RoomEvents.publish(vertx.eventBus(), new Envelope(id, room, Envelope.REACTION, caller.user(), null, now,
                new JsonObject().put("emoji", emoji).put("on", on).put("count", count)));
            return Future.succeededFuture(new JsonObject().put("id", id).put("emoji", emoji).put("on", on).put("count", count));
          });
        });
  }

  private Future<JsonObject> read(Caller caller, JsonObject body) {
    String room = roomOf(body);
    long id = messageId(body, "id");
    return chat.access.readable(room, caller)
        .compose(access -> chat.messages().get(room, id))
        .compose(message -> message == null
            ? Future.failedFuture(new ChatException(ErrorCodes.INVALID_PAGING, "the room has no message " + id))
            : chat.conversations.markRead(caller.id(), room, id))
        .compose(marker -> chat.conversations.unread(caller.id(), room).map(unread -> {
          JsonObject answer = unreadJson(unread);
          if (marker == id) {
            // the user's other connections (tabs, devices) update their counts
            Envelope notice = new Envelope(null, room, Envelope.READ, null, null, System.currentTimeMillis(),
                new JsonObject().put("lastRead", unread.lastRead()).put("unread", unread.unread())
                    .put("mentions", unread.mentions()));
            vertx.eventBus().publish(Addresses.user(caller.id()), RoomMessage.of(notice));
          }
          return answer;
        }));
  }

  private Future<JsonObject> unread(Caller caller, JsonObject body) {
    return chat.conversations.unread(caller.id(), UNREAD_ROOMS).map(list -> {
      JsonArray rooms = new JsonArray();
      list.forEach(u -> rooms.add(unreadJson(u)));
      return new JsonObject().put("rooms", rooms);
    });
  }

  private Future<JsonObject> search(Caller caller, JsonObject body) {
    List<String> terms = terms(body.getValue("q"));
    Long before = ChatVerticle.paging(body, "before");
    Long requested = ChatVerticle.paging(body, "limit");
    if (requested != null && requested < 1) {
      throw new ChatException(ErrorCodes.INVALID_PAGING, "limit must be at least 1");
    }
    int limit = requested == null ? SEARCH_DEFAULT : (int) Math.min(requested, SEARCH_MAX);
    if (!chat.searchLimiter.tryAcquire(caller.id())) {
      // a search reads through the messages (docs/OPERATIONS.md, "Data"): a user may not make the server do it
      // without pause
      chat.metrics.rateLimited("searches");
      throw new ChatException(ErrorCodes.RATE_LIMITED, "too many searches, wait a second");
    }
    Object roomValue = body.getValue("room");
    Future<String> room = roomValue == null ? Future.succeededFuture(null)
        : chat.access.readable(roomOf(body), caller).map(access -> access.room().id());
    return room.compose(r -> {
      if (chat.searchesRunning.incrementAndGet() > LocalChat.SEARCHES_AT_ONCE) {
        chat.searchesRunning.decrementAndGet();
        chat.metrics.rateLimited("searches_at_once");
        return Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE,
            "the server is busy with other searches, try again in a few seconds"));
      }
      return chat.messages().search(caller.id(), r, terms, before, limit)
          .onComplete(ar -> chat.searchesRunning.decrementAndGet());
    }).map(page -> {
      JsonArray out = new JsonArray();
      page.messages().forEach(e -> out.add(e.toJson()));
      return new JsonObject().put("messages", out).put("next", page.next());
    });
  }

  // ---- after a message is stored ----

  /**
   * A chat message was stored and published: each user it mentions gets a {@code mention} notice on
   * {@code chat.user.<id>}, and in a DM the other member a {@code dm} notice.
   */
  void announce(Envelope stored, RoomAccess access) {
    String excerpt = Text.clip(stored.text(), EXCERPT);
    for (String user : stored.mentions()) {
      notify(user, new Envelope(stored.id(), stored.room(), Envelope.MENTION, stored.user(), excerpt, stored.ts()));
    }
    if (Room.DM.equals(access.room().kind())) {
      access.members().keySet().stream().filter(u -> !u.equals(stored.user().id())).forEach(other ->
          notify(other, new Envelope(stored.id(), stored.room(), Envelope.DM, stored.user(), excerpt, stored.ts())));
    }
  }

  private void notify(String user, Envelope notice) {
    vertx.eventBus().publish(Addresses.user(user), RoomMessage.of(notice));
  }

  /**
   * The extra fields of a new message ({@code more}): {@code replyTo}, the quote of the message it answers (3004 when
   * the room has no such message or it is deleted), and {@code mentions}, the ids of the users it mentions
   * ({@link Mentions}); null when it has neither.
   */
  Future<JsonObject> extras(RoomAccess access, UserRef author, String text, Long replyTo) {
    String room = access.room().id();
    JsonObject more = new JsonObject();
    Future<Void> quoted = replyTo == null ? Future.succeededFuture()
        : quote(room, replyTo).map(q -> {
          more.put("replyTo", q);
          return null;
        });
    return quoted.compose(v -> {
      if (text.indexOf('@') < 0) {
        return Future.succeededFuture(List.<UserRef>of());
      }
      return chat.membership.users(room).compose(present -> chat.mentions.resolve(text, access, author, present));
    }).map(mentioned -> {
      if (!mentioned.isEmpty()) {
        JsonArray ids = new JsonArray();
        mentioned.forEach(u -> ids.add(u.id()));
        more.put("mentions", ids);
      }
      return more.isEmpty() ? null : more;
    });
  }

  /** The quote of message {@code id} of {@code room} that a reply carries ({@code more.replyTo}); 3004 when none. */
  Future<JsonObject> quote(String room, long id) {
    return chat.messages().get(room, id).compose(message -> {
      if (message == null || !Envelope.CHAT.equals(message.type())) {
        return Future.failedFuture(new ChatException(ErrorCodes.MESSAGE_NOT_FOUND,
            "replyTo: the room has no message " + id + " (or it is deleted)"));
      }
      return Future.succeededFuture(new JsonObject().put("id", id).put("user", message.user().toJson())
          .put("text", Text.clip(message.text(), EXCERPT)));
    });
  }

  // ---- checks ----

  /**
   * The message when it exists, is not deleted, and the caller wrote it (or {@code moderator}); else 3004 / 2015.
   */
  private Future<Envelope> ownMessage(String room, long id, Caller caller, boolean moderator) {
    return chat.messages().get(room, id).compose(message -> {
      if (message == null || !Envelope.CHAT.equals(message.type())) {
        return Future.failedFuture(noMessage(room, id));
      }
      if (!moderator && (message.user() == null || !message.user().id().equals(caller.id()))) {
        return Future.failedFuture(new ChatException(ErrorCodes.NOT_AUTHOR,
            "only its author may change this message (and a moderator delete it)"));
      }
      return Future.succeededFuture(message);
    });
  }

  private static ChatException noMessage(String room, long id) {
    return new ChatException(ErrorCodes.MESSAGE_NOT_FOUND, "the room " + room + " has no message " + id + " (or it is deleted)");
  }

  static String roomOf(JsonObject body) {
    if (!(body.getValue("room") instanceof String room) || !Addresses.ROOM_ID.matcher(room).matches()) {
      throw new ChatException(ErrorCodes.INVALID_ROOM, "room must be a room id");
    }
    return room;
  }

  /** A message id field: a whole number of at least 1; else 1105. */
  static long messageId(JsonObject body, String field) {
    Long id = ChatVerticle.paging(body, field);
    if (id == null || id < 1) {
      throw new ChatException(ErrorCodes.INVALID_PAGING, field + " must be a message id (a whole number of at least 1)");
    }
    return id;
  }

  /** The search terms of {@code q}: 1 to 5, each 2 to 64 characters once normalized; else 1108. */
  static List<String> terms(Object q) {
    if (!(q instanceof String text) || !Text.wellFormed(text)) {
      throw new ChatException(ErrorCodes.INVALID_SEARCH, "q must be text to search for");
    }
    List<String> terms = new ArrayList<>();
    for (String word : text.strip().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      String term = SearchText.normalize(word);
      int length = term.codePointCount(0, term.length());
      if (length < TERM_MIN || length > TERM_MAX) {
        throw new ChatException(ErrorCodes.INVALID_SEARCH,
            "each search term must be " + TERM_MIN + " to " + TERM_MAX + " characters long");
      }
      terms.add(term);
    }
    if (terms.isEmpty() || terms.size() > MAX_TERMS) {
      throw new ChatException(ErrorCodes.INVALID_SEARCH, "search for 1 to " + MAX_TERMS + " terms separated by spaces");
    }
    return terms;
  }

  private static JsonObject unreadJson(Unread u) {
    return new JsonObject().put("room", u.room()).put("lastRead", u.lastRead()).put("unread", u.unread())
        .put("mentions", u.mentions());
  }
}
