package dev.vertxchat.chat;

import dev.vertxchat.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Answers "does this room exist" on the hot paths (join, send) without a database round trip once a
 * room has been seen. Rooms are never deleted, so a positive answer can be remembered process-wide.
 */
public final class RoomDirectory {
  private final LocalMap<String, Boolean> known;
  private final RoomStore rooms;

  public RoomDirectory(Vertx vertx, RoomStore rooms) {
    this.known = vertx.sharedData().getLocalMap("vertxchat.rooms.known");
    this.rooms = rooms;
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
}
