package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.ConversationStore;
import dev.vertxchat.store.ConversationStore.Prefs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * Direct conversations (docs/PROTOCOL.md, "Direct messages"): {@code chat.dm.open}, {@code chat.dm.list} and the
 * caller's DM settings {@code chat.prefs}. A DM is a room of kind {@code dm} with exactly its two users as members,
 * id {@link #roomId}; it is read and written like any room, through {@link Access}, which lets nobody else in.
 */
final class Dms {
  private static final Logger LOG = LoggerFactory.getLogger(Dms.class);
  static final int LIST_MAX = 200;
  private static final int MAX_USER_ID = 128;
  private static final int MAX_NAME = 32;
  /** Users one user may block: what one user can make the server remember is bounded. */
  static final int MAX_BLOCKS = 1000;

  /** Opens of new DMs go one at a time in this process, so that the quotas' counts and the insert cannot interleave. */
  private static final String OPEN_LOCK = "vertxchat.dms.open";
  private final Vertx vertx;
  private final LocalChat chat;
  private final Function<String, String> nameKey;

  Dms(Vertx vertx, LocalChat chat, Function<String, String> nameKey) {
    this.vertx = vertx;
    this.chat = chat;
    this.nameKey = nameKey;
  }

  void serveOn(Service.Registry registry) {
    registry.serve(Addresses.DM_OPEN, this::open);
    registry.serve(Addresses.DM_LIST, this::list);
    registry.serve(Addresses.PREFS, this::prefs);
  }

  /** {@code dm-} and the first 32 hex digits of SHA-256 of the two user ids, sorted, joined by a line feed. */
  static String roomId(String a, String b) {
    String joined = a.compareTo(b) <= 0 ? a + "\n" + b : b + "\n" + a;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8));
      return Addresses.DM_PREFIX + HexFormat.of().formatHex(hash).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private Future<JsonObject> open(Caller caller, JsonObject body) {
    Object id = body.getValue("user");
    Object name = body.getValue("name");
    Future<UserRef> target;
    if (id != null && name == null) {
      target = byId(id);
    } else if (name != null && id == null) {
      if (!(name instanceof String n) || n.isBlank() || n.strip().codePointCount(0, n.strip().length()) > MAX_NAME) {
        throw new ChatException(ErrorCodes.INVALID_MEMBER, "name must be a user's name");
      }
      target = chat.conversations.usersByNameKey(nameKey.apply(n.strip()), 2).compose(users -> {
        if (users.isEmpty()) {
          return Future.failedFuture(new ChatException(ErrorCodes.USER_NOT_FOUND, "nobody known to this server is called " + n.strip()));
        }
        if (users.size() > 1) {
          return Future.failedFuture(new ChatException(ErrorCodes.USER_NOT_FOUND,
              "several users have a name like " + n.strip() + ": pick the one you mean from a room's member list"));
        }
        return Future.succeededFuture(users.get(0));
      });
    } else {
      throw new ChatException(ErrorCodes.INVALID_MEMBER, "give either user (an id) or name");
    }
    return target.compose(other -> {
      if (other.id().equals(caller.id())) {
        return Future.failedFuture(new ChatException(ErrorCodes.INVALID_MEMBER, "a direct conversation needs another user"));
      }
      ConversationStore store = chat.conversations;
      return store.prefs(other.id())
          .compose(prefs -> prefs.dms() ? store.blocks(other.id(), caller.id())
              : Future.failedFuture(new ChatException(ErrorCodes.DMS_REFUSED, other.name() + " does not accept direct messages")))
          .compose(blocked -> blocked
              ? Future.failedFuture(new ChatException(ErrorCodes.DMS_REFUSED, other.name() + " does not accept direct messages"))
              : store.blocks(caller.id(), other.id()))
          .compose(blocking -> blocking
              ? Future.failedFuture(new ChatException(ErrorCodes.DMS_REFUSED, "you blocked " + other.name() + ": unblock them first"))
              : openRoom(caller, other));
    });
  }

  private Future<JsonObject> openRoom(Caller caller, UserRef other) {
    String room = roomId(caller.id(), other.id());
    // PostgreSQL serializes opens across the nodes itself (an advisory lock); the embedded store needs this
    return vertx.sharedData().getLocalLockWithTimeout(OPEN_LOCK, chat.config.requestTimeoutMs())
        .recover(err -> Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "the server is busy, try again")))
        .compose(lock -> chat.conversations.openDm(room, caller.user(), other, chat.config.dmsPerUser(),
            chat.config.maxDms(), System.currentTimeMillis()).onComplete(ar -> lock.release()))
        .compose(created -> switch (created) {
      case CREATED, EXISTS -> {
        boolean fresh = created == dev.vertxchat.store.RoomStore.Created.CREATED;
        if (fresh) {
          chat.directory.created(room);
          chat.access.changed(room);
          LOG.atInfo().addKeyValue("user", caller.id()).addKeyValue("room", room)
              .log("Direct conversation {} opened by {}", room, caller.id());
        }
        yield Future.succeededFuture(new JsonObject()
            .put("room", new JsonObject().put("id", room).put("kind", Room.DM).put("with", other.toJson()))
            .put("created", fresh));
      }
      case USER_QUOTA -> Future.failedFuture(new ChatException(ErrorCodes.ROOM_QUOTA, chat.config.dmsPerUser() == 0
          ? "this server does not let users open direct conversations"
          : "you have opened " + chat.config.dmsPerUser() + " direct conversations, the most one user may open"));
      case SERVER_FULL -> Future.failedFuture(new ChatException(ErrorCodes.ROOM_QUOTA,
          "this server holds as many direct conversations as it may"));
    });
  }

  private Future<JsonObject> list(Caller caller, JsonObject body) {
    return chat.conversations.dms(caller.id(), LIST_MAX).map(dms -> {
      JsonArray out = new JsonArray();
      dms.forEach(d -> out.add(new JsonObject().put("room", d.room()).put("with", d.with().toJson()).put("lastId", d.lastId())));
      return new JsonObject().put("dms", out);
    });
  }

  /** {@code {}}: reads; {@code {"dms":bool}}, {@code {"block":id}}, {@code {"unblock":id}}: one change, then reads. */
  private Future<JsonObject> prefs(Caller caller, JsonObject body) {
    int changes = (body.containsKey("dms") ? 1 : 0) + (body.containsKey("block") ? 1 : 0) + (body.containsKey("unblock") ? 1 : 0);
    if (changes > 1) {
      throw new ChatException(ErrorCodes.INVALID_MEMBER, "one change per request: dms, block or unblock");
    }
    ConversationStore store = chat.conversations;
    Future<?> change;
    if (body.containsKey("dms")) {
      if (!(body.getValue("dms") instanceof Boolean on)) {
        throw new ChatException(ErrorCodes.INVALID_MEMBER, "dms must be true or false");
      }
      change = store.setDms(caller.id(), on);
    } else if (body.containsKey("block")) {
      change = byId(body.getValue("block")).compose(other -> other.id().equals(caller.id())
          ? Future.failedFuture(new ChatException(ErrorCodes.INVALID_MEMBER, "you cannot block yourself"))
          : store.prefs(caller.id()).compose(prefs -> prefs.blocked().size() >= MAX_BLOCKS
              && prefs.blocked().stream().noneMatch(u -> u.id().equals(other.id()))
              ? Future.failedFuture(new ChatException(ErrorCodes.INVALID_MEMBER,
                  "you have blocked " + MAX_BLOCKS + " users, the most one user may block: unblock someone first"))
              : store.block(caller.id(), other)));
    } else if (body.containsKey("unblock")) {
      Object id = body.getValue("unblock");
      if (!(id instanceof String s) || s.isEmpty() || s.length() > MAX_USER_ID) {
        throw new ChatException(ErrorCodes.INVALID_MEMBER, "unblock must be a user id");
      }
      change = store.unblock(caller.id(), s);
    } else {
      change = Future.succeededFuture();
    }
    return change.compose(v -> store.prefs(caller.id())).map(Dms::prefsJson);
  }

  private Future<UserRef> byId(Object id) {
    if (!(id instanceof String s) || s.isEmpty() || s.length() > MAX_USER_ID) {
      return Future.failedFuture(new ChatException(ErrorCodes.INVALID_MEMBER, "user must be a user id"));
    }
    return chat.conversations.user(s).compose(user -> user == null
        ? Future.failedFuture(new ChatException(ErrorCodes.USER_NOT_FOUND, "no user " + s + " is known to this server"))
        : Future.succeededFuture(user));
  }

  private static JsonObject prefsJson(Prefs prefs) {
    JsonArray blocked = new JsonArray();
    prefs.blocked().forEach(u -> blocked.add(u.toJson()));
    return new JsonObject().put("dms", prefs.dms()).put("blocked", blocked);
  }
}
