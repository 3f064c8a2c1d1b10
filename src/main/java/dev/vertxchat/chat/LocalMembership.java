package dev.vertxchat.chat;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.util.List;

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
  public List<UserRef> users(String room) {
    return presence.users(room);
  }

  @Override
  public int count(String room) {
    return presence.count(room);
  }
}
