package dev.vertxchat.bridge;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bridge.QuietLog;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Delivery from fan-out addresses to this verticle's sockets: one event-bus consumer per address (not
 * one per socket), and each message is turned into a bridge frame once and written to every
 * subscribed socket. A socket that does not keep up is closed by {@link BridgeConnection#write}.
 *
 * <p>What it delivers: a {@link RoomMessage} (its JSON text, encoded once by the publisher) or a JSON
 * object. Anything else on a fan-out address is a bug of the publisher: it is dropped and logged, never
 * spliced into a frame.
 */
final class FanOut {
  private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
  private static final QuietLog UNEXPECTED = new QuietLog(LOG, 1);
  private static final long RELEASE_DELAY_MS = 1000;
  private final Vertx vertx;
  private final Map<String, Group> groups = new HashMap<>();

  private static final class Group {
    final MessageConsumer<Object> consumer;
    final Set<BridgeConnection> members = new LinkedHashSet<>();

    Group(MessageConsumer<Object> consumer) {
      this.consumer = consumer;
    }
  }

  /** Hears each subscriber of a room that was deleted, after the room.deleted frame was written to it. */
  private final BiConsumer<String, BridgeConnection> roomDeleted;

  FanOut(Vertx vertx) {
    this(vertx, (room, conn) -> { });
  }

  FanOut(Vertx vertx, BiConsumer<String, BridgeConnection> roomDeleted) {
    this.vertx = vertx;
    this.roomDeleted = roomDeleted;
  }

  void subscribe(String address, BridgeConnection conn) {
    groups.computeIfAbsent(address, a -> new Group(vertx.eventBus().consumer(a, msg -> deliver(a, msg.body()))))
        .members.add(conn);
  }

  /**
   * An emptied group keeps its consumer for a moment: messages already on their way to it are then
   * dropped quietly here instead of being discarded (with a warning each) by an unregistered consumer.
   */
  void unsubscribe(String address, BridgeConnection conn) {
    Group group = groups.get(address);
    if (group != null && group.members.remove(conn) && group.members.isEmpty()) {
      vertx.setTimer(RELEASE_DELAY_MS, id -> {
        if (group.members.isEmpty() && groups.remove(address, group)) {
          group.consumer.unregister();
        }
      });
    }
  }

  private void deliver(String address, Object body) {
    Group group = groups.get(address);
    if (group == null) {
      return;
    }
    String json;
    if (body instanceof RoomMessage message) {
      json = message.json();
    } else if (body instanceof JsonObject object) {
      json = object.encode();
    } else {
      UNEXPECTED.warn("Dropped a {} published on {}: fan-out addresses carry room messages or JSON objects",
          body == null ? "null" : body.getClass().getSimpleName(), address);
      return;
    }
    SharedFrame frame = new SharedFrame(BridgeFrames.message(address, json));
    try {
      // a copy: closing a slow consumer changes the member set while we iterate
      for (BridgeConnection conn : group.members.toArray(new BridgeConnection[0])) {
        try {
          conn.write(frame);
        } catch (RuntimeException e) {
          // a socket closing under us must not cost the rest of the room this frame
          LOG.debug("Fan-out write to {} failed: {}", conn.user().id(), e.toString());
        }
      }
    } finally {
      frame.release();
    }
    if (body instanceof RoomMessage message && Envelope.ROOM_DELETED.equals(message.envelope().type())) {
      String room = Addresses.roomIdOf(address);
      if (room != null) {
        for (BridgeConnection conn : group.members.toArray(new BridgeConnection[0])) {
          roomDeleted.accept(room, conn);
        }
      }
    }
  }
}
