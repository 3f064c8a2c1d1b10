package dev.vertxchat.chat;

import dev.vertxchat.bus.UserRef;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Who is in which room, counted per user over all their connections. The state lives in Vert.x shared
 * data (one {@link LocalMap} per room), not in any verticle's fields, so every HTTP and chat verticle
 * instance of the process sees the same presence. Updates are atomic per user ({@code compute}).
 */
public final class Presence {
  private static final String MAP_PREFIX = "vertxchat.presence.";

  /** One user's presence in one room: their name and how many of their connections joined it. */
  record Entry(String name, int connections) implements Shareable {}

  private final Vertx vertx;

  public Presence(Vertx vertx) {
    this.vertx = vertx;
  }

  private LocalMap<String, Entry> room(String roomId) {
    return vertx.sharedData().getLocalMap(MAP_PREFIX + roomId);
  }

  /** @return true when this was the user's first connection in the room (the room should hear "join") */
  public boolean join(String roomId, UserRef user) {
    Entry after = room(roomId).compute(user.id(),
        (id, e) -> new Entry(user.name(), e == null ? 1 : e.connections() + 1));
    return after.connections() == 1;
  }

  /** @return true when this was the user's last connection in the room (the room should hear "left") */
  public boolean leave(String roomId, UserRef user) {
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

  public int count(String roomId) {
    return room(roomId).size();
  }

  /** The users in a room, by name. */
  public List<UserRef> users(String roomId) {
    List<UserRef> out = new ArrayList<>();
    room(roomId).forEach((id, e) -> out.add(new UserRef(id, e.name())));
    out.sort(Comparator.comparing(UserRef::name, String.CASE_INSENSITIVE_ORDER).thenComparing(UserRef::id));
    return out;
  }
}
