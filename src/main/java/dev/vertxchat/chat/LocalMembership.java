package dev.vertxchat.chat;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link Membership} within one process: the room directory answers "exists", {@link Presence} counts. */
public final class LocalMembership implements Membership {
  private final EventBus bus;
  private final RoomDirectory directory;
  private final Presence presence = new Presence();
  private final ChatMetrics metrics;

  LocalMembership(EventBus bus, RoomDirectory directory, ChatMetrics metrics) {
    this.bus = bus;
    this.directory = directory;
    this.metrics = metrics;
    metrics.roomsWithMembers(presence::occupiedRooms);
  }

  @Override
  public Future<Boolean> roomExists(String room) {
    return directory.exists(room);
  }

  @Override
  public void join(String room, UserRef user) {
    metrics.joined();
    if (presence.join(room, user)) {
      RoomEvents.publish(bus, Envelope.event(Envelope.JOIN, room, user, System.currentTimeMillis()));
    }
  }

  @Override
  public void leave(String room, UserRef user) {
    if (presence.leave(room, user)) {
      RoomEvents.publish(bus, Envelope.event(Envelope.LEFT, room, user, System.currentTimeMillis()));
    }
  }

  @Override
  public Future<List<UserRef>> users(String room) {
    return Future.succeededFuture(presence.users(room));
  }

  @Override
  public Future<Map<String, Integer>> counts(List<String> rooms) {
    Map<String, Integer> out = new HashMap<>();
    for (String room : rooms) {
      out.put(room, presence.count(room));
    }
    return Future.succeededFuture(out);
  }
}
