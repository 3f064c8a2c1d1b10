package dev.vertxchat.chat;

import dev.vertxchat.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Answers "does this room exist" on the hot paths (join, send, history) without a database round trip
 * for most requests. Rooms are never deleted, so a positive answer is remembered process-wide. A
 * negative answer is remembered too, briefly ({@link #MISSING_TTL_MS}) and for at most
 * {@link #MISSING_MAX} ids, so a client asking again and again for a room that does not exist costs
 * one lookup per id and period instead of one per request. Creating a room in this process
 * ({@link #created}) makes it known at once; a positive answer always wins over a remembered miss.
 */
public final class RoomDirectory {
  /** How long "no such room" is remembered. */
  static final long MISSING_TTL_MS = 10_000;
  /** Most room ids remembered as missing; beyond it the memory is cleared and starts again. */
  static final int MISSING_MAX = 10_000;

  private final LocalMap<String, Boolean> known;
  /** Room id → when the negative answer stops being trusted (epoch milliseconds). */
  private final LocalMap<String, Long> missing;
  private final RoomStore rooms;

  public RoomDirectory(Vertx vertx, RoomStore rooms) {
    this.known = vertx.sharedData().getLocalMap("vertxchat.rooms.known");
    this.missing = vertx.sharedData().getLocalMap("vertxchat.rooms.missing");
    this.rooms = rooms;
  }

  public Future<Boolean> exists(String id) {
    if (known.containsKey(id)) {
      return Future.succeededFuture(true);
    }
    Long until = missing.get(id);
    if (until != null) {
      if (until > System.currentTimeMillis()) {
        return Future.succeededFuture(false);
      }
      missing.removeIfPresent(id, until);
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

  /**
   * Records a room this process has just created: later lookups find it without asking the database,
   * and a remembered "no such room" for it is forgotten.
   */
  public void created(String id) {
    known.put(id, true);
    missing.remove(id);
  }

  private void rememberMissing(String id) {
    if (missing.size() >= MISSING_MAX) {
      missing.clear();
    }
    missing.put(id, System.currentTimeMillis() + MISSING_TTL_MS);
  }
}
