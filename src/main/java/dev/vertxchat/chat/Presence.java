package dev.vertxchat.chat;

import dev.vertxchat.bus.UserRef;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in which room, counted per user over all their connections: the state behind
 * {@link LocalMembership}, one instance per service. Updates are atomic per user and room
 * ({@code compute}), so connections on different event loops may join and leave at once.
 */
final class Presence {
  /** One user's presence in one room: their name and how many of their connections joined it. */
  private record Entry(String name, int connections) {}

  private final Map<String, Map<String, Entry>> rooms = new ConcurrentHashMap<>();

  private Map<String, Entry> room(String roomId) {
    return rooms.computeIfAbsent(roomId, id -> new ConcurrentHashMap<>());
  }

  /** @return true when this was the user's first connection in the room (the room should hear "join") */
  boolean join(String roomId, UserRef user) {
    Entry after = room(roomId).compute(user.id(),
        (id, e) -> new Entry(user.name(), e == null ? 1 : e.connections() + 1));
    return after.connections() == 1;
  }

  /** @return true when this was the user's last connection in the room (the room should hear "left") */
  boolean leave(String roomId, UserRef user) {
    boolean[] last = {false};
    room(roomId).computeIfPresent(user.id(), (id, e) -> {
      if (e.connections() <= 1) {
        last[0] = true;
        return null;
      }
      return new Entry(e.name(), e.connections() - 1);
    });
    return last[0];
  }

  /** Rooms with at least one member (a walk over the rooms: for a scrape, not a hot path). */
  int occupiedRooms() {
    int n = 0;
    for (Map<String, Entry> room : rooms.values()) {
      if (!room.isEmpty()) {
        n++;
      }
    }
    return n;
  }

  /** How many of the user's connections joined the room (0 when none). */
  int connections(String roomId, String userId) {
    Map<String, Entry> room = rooms.get(roomId);
    Entry e = room == null ? null : room.get(userId);
    return e == null ? 0 : e.connections();
  }

  /** Each room with members and its users (a copy). */
  Map<String, List<UserRef>> members() {
    Map<String, List<UserRef>> out = new HashMap<>();
    rooms.forEach((roomId, room) -> {
      if (!room.isEmpty()) {
        out.put(roomId, users(roomId));
      }
    });
    return out;
  }

  int count(String roomId) {
    Map<String, Entry> room = rooms.get(roomId);
    return room == null ? 0 : room.size();
  }

  List<UserRef> users(String roomId) {
    List<UserRef> out = new ArrayList<>();
    Map<String, Entry> room = rooms.get(roomId);
    if (room != null) {
      room.forEach((id, e) -> out.add(new UserRef(id, e.name())));
    }
    out.sort(Comparator.comparing(UserRef::name, String.CASE_INSENSITIVE_ORDER).thenComparing(UserRef::id));
    return out;
  }
}
