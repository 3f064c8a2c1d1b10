package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.store.ConversationStore;
import dev.vertxchat.store.ConversationStore.Member;
import dev.vertxchat.store.ConversationStore.RoomAccess;
import dev.vertxchat.store.ConversationStore.Sanction;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The owner of who may do what in a room (docs/PROTOCOL.md, "Rooms, roles and permissions"): reads a room's
 * {@link RoomAccess} (kind, archived, member rows, sanctions) from the store and keeps it for
 * {@link #TTL_MS}, forgetting a room at once when any node publishes {@link Addresses#ROOM_ACCESS_CHANGED} for it
 * ({@link #changed}). Every chat request and every bridge join asks it; the checks fail with the codes clients act on.
 * Shared by every verticle instance of the process (thread-safe).
 */
public final class Access {
  static final long TTL_MS = 30_000;
  static final int MAX_ROOMS = 10_000;

  private final Vertx vertx;
  private final ConversationStore store;
  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
  /** Bumped by every invalidation: a read that started before one is not kept. */
  private final AtomicLong generation = new AtomicLong();
  private MessageConsumer<JsonObject> changes;

  private record Entry(Future<RoomAccess> value, long expires) {}

  public Access(Vertx vertx, ConversationStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** Starts listening for changes made on any node. */
  public Future<Void> start() {
    changes = vertx.eventBus().consumer(Addresses.ROOM_ACCESS_CHANGED, msg -> {
      if (msg.body() != null && msg.body().getValue("room") instanceof String room) {
        forget(room);
      }
    });
    return changes.completion();
  }

  public Future<Void> stop() {
    return changes == null ? Future.succeededFuture() : changes.unregister();
  }

  /**
   * The room's access record (null when there is no such room), from the cache when fresh. The answer completes on
   * the caller's context: a cached read was started by whichever verticle asked first, and its callbacks would
   * otherwise run on that verticle's event loop (the bridge's connection state and fan-out belong to the caller's).
   */
  public Future<RoomAccess> of(String room) {
    return onCallersContext(shared(room));
  }

  /**
   * {@code shared}, completing on the calling thread's Vert.x context (when there is one): for a future that several
   * verticles' event loops wait for at once.
   */
  static <T> Future<T> onCallersContext(Future<T> shared) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    Promise<T> local = Promise.promise();
    shared.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        local.handle(ar);
      } else {
        caller.runOnContext(v -> local.handle(ar));
      }
    });
    return local.future();
  }

  private Future<RoomAccess> shared(String room) {
    long now = System.currentTimeMillis();
    Entry entry = cache.get(room);
    if (entry != null && entry.expires > now && !entry.value.failed()) {
      return entry.value;
    }
    long started = generation.get();
    Future<RoomAccess> read = store.access(room, now);
    Entry fresh = new Entry(read, now + TTL_MS);
    if (cache.size() >= MAX_ROOMS) {
      cache.clear(); // bounded: a burst of distinct rooms costs re-reads, never memory
    }
    cache.put(room, fresh);
    read.onComplete(ar -> {
      // "no such room" is not kept: a room created on another node must be joinable at once (RoomDirectory
      // remembers missing rooms where that is safe)
      if (ar.failed() || ar.result() == null || generation.get() != started) {
        cache.remove(room, fresh);
      } else {
        // kept as a plain completed future: later askers get it at once on their own thread, with no hop to the
        // context of the verticle that read it (every send asks)
        cache.replace(room, fresh, new Entry(Future.succeededFuture(ar.result()), fresh.expires));
      }
    });
    return read;
  }

  /**
   * Records that a room's access changed (after the store write): this node forgets it now, every node when the
   * publication arrives. Callers answer their request after this.
   */
  public void changed(String room) {
    forget(room);
    vertx.eventBus().publish(Addresses.ROOM_ACCESS_CHANGED, new JsonObject().put("room", room));
  }

  private void forget(String room) {
    generation.incrementAndGet();
    cache.remove(room);
  }

  // ---- the rules ----

  /** The caller's role in the room: owner, moderator, member (a member row, or anyone in a public room), or null. */
  public static String role(RoomAccess access, Caller caller) {
    Member row = access.members().get(caller.id());
    if (row != null) {
      return row.role();
    }
    return Room.PUBLIC.equals(access.room().kind()) ? ConversationStore.MEMBER : null;
  }

  /** Whether the caller is a moderator, the owner, or an operator (operators moderate every room but DMs). */
  public static boolean moderates(RoomAccess access, Caller caller) {
    if (caller.operator() && !Room.DM.equals(access.room().kind())) {
      return true;
    }
    String role = role(access, caller);
    return ConversationStore.OWNER.equals(role) || ConversationStore.MODERATOR.equals(role);
  }

  /** Whether the caller owns the room, or is an operator (not in DMs). */
  public static boolean owns(RoomAccess access, Caller caller) {
    return (caller.operator() && !Room.DM.equals(access.room().kind()))
        || ConversationStore.OWNER.equals(role(access, caller));
  }

  /** The sanction of that kind in force for the user, or null. */
  public static Sanction sanction(RoomAccess access, String userId, String kind) {
    Map<String, Sanction> of = access.sanctions().get(userId);
    Sanction s = of == null ? null : of.get(kind);
    if (s == null) {
      return null;
    }
    return Sanction.MUTE.equals(kind) && s.until() <= System.currentTimeMillis() ? null : s;
  }

  /**
   * The room's record when the caller may read it: fails with 1103 (not a room id), 3001 (no such room, or a private
   * room or DM the caller is not a member of: its existence is not told), 2013 (banned from it), 5001 (the store
   * did not answer).
   */
  public Future<RoomAccess> readable(String room, Caller caller) {
    if (room == null || !Addresses.ROOM_ID.matcher(room).matches()) {
      return Future.failedFuture(new ChatException(ErrorCodes.INVALID_ROOM, "room must be a room id"));
    }
    return of(room)
        .recover(err -> Future.failedFuture(err instanceof ChatException ? err
            : new ChatException(ErrorCodes.UNAVAILABLE, "the room could not be checked now, try again")))
        .compose(access -> {
          if (access == null || !mayRead(access, caller)) {
            return Future.failedFuture(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room));
          }
          // owners and operators cannot be sanctioned; a moderator can (by the owner or an operator)
          if (sanction(access, caller.id(), Sanction.BAN) != null && !owns(access, caller)) {
            return Future.failedFuture(new ChatException(ErrorCodes.BANNED_FROM_ROOM,
                "you are banned from this room by its moderators"));
          }
          return Future.succeededFuture(access);
        });
  }

  /**
   * As {@link #readable}, for posting (send, typing, react, edit): also 3006 when the room is archived and 2012 when
   * the caller is muted (the message says until when).
   */
  public Future<RoomAccess> postable(String room, Caller caller) {
    return readable(room, caller).compose(access -> {
      if (access.room().archived()) {
        return Future.failedFuture(new ChatException(ErrorCodes.ROOM_ARCHIVED,
            "the room is archived: it can be read, not written to"));
      }
      Sanction mute = sanction(access, caller.id(), Sanction.MUTE);
      if (mute != null && !owns(access, caller)) {
        return Future.failedFuture(new ChatException(ErrorCodes.MUTED,
            "you are muted in this room until " + Instant.ofEpochMilli(mute.until())));
      }
      if (Room.DM.equals(access.room().kind())) {
        return notBlocked(access, caller);
      }
      return Future.succeededFuture(access);
    });
  }

  /**
   * In a DM: 2014 when the other user has blocked the caller (or the caller the other user), so that a block also
   * ends a conversation that exists already, not only new ones.
   */
  private Future<RoomAccess> notBlocked(RoomAccess access, Caller caller) {
    String other = access.members().keySet().stream().filter(id -> !id.equals(caller.id())).findFirst().orElse(null);
    if (other == null) {
      return Future.succeededFuture(access);
    }
    return store.blocks(other, caller.id())
        .compose(blocked -> blocked ? Future.succeededFuture(true) : store.blocks(caller.id(), other))
        .recover(err -> Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "the room could not be checked now, try again")))
        .compose(blocked -> blocked
            ? Future.failedFuture(new ChatException(ErrorCodes.DMS_REFUSED,
                "one of you has blocked the other: this conversation takes no new messages"))
            : Future.succeededFuture(access));
  }

  private static boolean mayRead(RoomAccess access, Caller caller) {
    String kind = access.room().kind();
    if (Room.PUBLIC.equals(kind)) {
      return true;
    }
    if (Room.PRIVATE.equals(kind) && caller.operator()) {
      return true;
    }
    return access.members().containsKey(caller.id());
  }
}
