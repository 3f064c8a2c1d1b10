package dev.vertxchat.chat;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.store.RoomStore;
import dev.vertxchat.store.RoomStore.Created;
import dev.vertxchat.store.RoomStore.Quota;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Answers "does this room exist" on the hot paths (join, send) without a database round trip once a
 * room has been seen. Rooms are never deleted, so a positive answer can be remembered process-wide.
 *
 * <p>Also the one place rooms are created by users: within the per-user quota and the server-wide
 * ceiling, with creates of every chat verticle instance in the process taking turns under one shared
 * lock, so concurrent creates (by one user or many) can never count the same free slot twice.
 */
public final class RoomDirectory {
  private static final String CREATE_LOCK = "vertxchat.rooms.create";

  private final Vertx vertx;
  private final LocalMap<String, Boolean> known;
  private final RoomStore rooms;
  private final Quota quota;
  private final long lockTimeoutMs;

  /** For lookups only ({@link #exists}); {@link #create} needs the quota. */
  public RoomDirectory(Vertx vertx, RoomStore rooms) {
    this(vertx, rooms, null, 0);
  }

  public RoomDirectory(Vertx vertx, RoomStore rooms, Quota quota, long lockTimeoutMs) {
    this.vertx = vertx;
    this.known = vertx.sharedData().getLocalMap("vertxchat.rooms.known");
    this.rooms = rooms;
    this.quota = quota;
    this.lockTimeoutMs = lockTimeoutMs;
  }

  public Future<Boolean> exists(String id) {
    if (known.containsKey(id)) {
      return Future.succeededFuture(true);
    }
    return rooms.exists(id).onSuccess(found -> {
      if (found) {
        known.put(id, true);
      }
    });
  }

  /** Creates a room for {@code userId} if its id is free and neither quota is reached. */
  public Future<Created> create(Room room, String userId) {
    if (quota == null) {
      throw new IllegalStateException("this directory was made for lookups only");
    }
    if (known.containsKey(room.id())) {
      return Future.succeededFuture(Created.EXISTS);
    }
    return vertx.sharedData().getLocalLockWithTimeout(CREATE_LOCK, lockTimeoutMs)
        .recover(err -> Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "too many rooms are being created, try again")))
        .compose(lock -> rooms.create(room, userId, quota).onComplete(ar -> lock.release()))
        .onSuccess(created -> {
          if (created == Created.CREATED || created == Created.EXISTS) {
            known.put(room.id(), true);
          }
        });
  }
}
