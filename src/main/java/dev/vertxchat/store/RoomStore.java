package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;

import java.util.List;

/** Rooms (their member counts are live presence, not stored). */
public interface RoomStore {
  /** @return false when a room with that id exists already */
  Future<Boolean> create(Room room, String createdBy);

  /** Every room, ordered by id, with {@code members} 0. */
  Future<List<Room>> list();

  Future<Boolean> exists(String id);
}
