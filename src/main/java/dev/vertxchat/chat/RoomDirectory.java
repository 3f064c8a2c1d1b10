package dev.vertxchat.chat;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.store.RoomStore;
import dev.vertxchat.store.RoomStore.Created;
import dev.vertxchat.store.RoomStore.Quota;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers "does this room exist" on the hot paths (join, send, history) without a database round trip
 * for most requests. Rooms are deleted only by an operator ({@link #forget}), here, so a positive answer is remembered
 * process-wide. A
 * negative answer is remembered too, briefly ({@link #MISSING_TTL_MS}) and for at most
 * {@link #MISSING_MAX} ids, so a client asking again and again for a room that does not exist costs
 * one lookup per id and period instead of one per request. A room created here is known at once; a
 * positive answer always wins over a remembered miss.
 *
 * <p>Also the one place rooms are created by users: within the per-user quota and the server-wide
 * ceiling, with creates of every chat verticle instance taking turns under one lock, so concurrent
 * creates (by one user or many) can never count the same free slot twice. One instance per service,
 * owned by {@link LocalChat}; safe from any event loop.
 */
final class RoomDirectory {
  private static final String CREATE_LOCK = "vertxchat.rooms.create";
  /** How long "no such room" is remembered. */
  static final long MISSING_TTL_MS = 10_000;
  /** Most room ids remembered as missing; beyond it the memory is cleared and starts again. */
  static final int MISSING_MAX = 10_000;

  private final Vertx vertx;
  private final Map<String, Boolean> known = new ConcurrentHashMap<>();
  /** Room id → when the negative answer stops being trusted (epoch milliseconds). */
  private final Map<String, Long> missing = new ConcurrentHashMap<>();
  /** Rooms deleted in this process and not created again (operator actions: few). */
  private final Set<String> gone = ConcurrentHashMap.newKeySet();
  private final RoomStore rooms;
  private final Quota quota;
  private final long lockTimeoutMs;

  RoomDirectory(Vertx vertx, RoomStore rooms, Quota quota, long lockTimeoutMs) {
    this.vertx = vertx;
    this.rooms = rooms;
    this.quota = quota;
    this.lockTimeoutMs = lockTimeoutMs;
  }

  Future<Boolean> exists(String id) {
    if (known.containsKey(id)) {
      return Future.succeededFuture(true);
    }
    Long until = missing.get(id);
    if (until != null) {
      if (until > System.currentTimeMillis()) {
        return Future.succeededFuture(false);
      }
      missing.remove(id, until);
    }
    return rooms.exists(id).onSuccess(found -> {
      if (found) {
        known.put(id, true);
        missing.remove(id);
      } else {
        rememberMissing(id);
      }
    });
  }

  /** Creates a room for {@code userId} if its id is free and neither quota is reached. */
  Future<Created> create(Room room, String userId) {
    if (known.containsKey(room.id())) {
      return Future.succeededFuture(Created.EXISTS);
    }
    return vertx.sharedData().getLocalLockWithTimeout(CREATE_LOCK, lockTimeoutMs)
        .recover(err -> Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "too many rooms are being created, try again")))
        .compose(lock -> rooms.create(room, userId, quota).onComplete(ar -> lock.release()))
        .onSuccess(created -> {
          if (created == Created.CREATED || created == Created.EXISTS) {
            known.put(room.id(), true);
            missing.remove(room.id());
            gone.remove(room.id());
          }
        });
  }

  /** A room was deleted (its row is gone): it is not known any more, and counts as gone. */
  void forget(String id) {
    gone.add(id);
    known.remove(id);
    rememberMissing(id);
  }

  /** Whether the room was deleted in this process (and not created again); any thread, no lookup. */
  boolean gone(String id) {
    return gone.contains(id);
  }

  private void rememberMissing(String id) {
    if (missing.size() >= MISSING_MAX) {
      missing.clear();
    }
    missing.put(id, System.currentTimeMillis() + MISSING_TTL_MS);
  }
}
