package dev.vertxchat.bridge;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
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
 *
 * <p>Order across nodes: given a {@link RoomCatchUp} (cluster mode), a room's group has a
 * {@link RoomSequencer}, which hands on the chat messages published with header {@code prev} in id
 * order, each once, filling gaps from the database; everything else (join, left, typing, deleted and
 * room.deleted events, chat messages without the header) is delivered at once. Without one (a single
 * process: one send pipeline publishes every room's messages in id order) every message is delivered at
 * once and no header is read.
 */
final class FanOut {
  private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
  private static final QuietLog UNEXPECTED = new QuietLog(LOG, 1);
  private static final long RELEASE_DELAY_MS = 1000;
  private final Vertx vertx;
  private final Map<String, Group> groups = new HashMap<>();

  private static final class Group {
    final String address;
    final Set<BridgeConnection> members = new LinkedHashSet<>();
    MessageConsumer<Object> consumer;
    /** Orders the room's chat messages; null without a catch-up and for user addresses. */
    RoomSequencer sequencer;
    /** Completes when the consumer is registered (and the sequencer knows where the room stands). */
    Future<Void> ready;
    boolean released;

    Group(String address) {
      this.address = address;
    }
  }

  private final ChatMetrics metrics;
  /** Hears each subscriber of a room that was deleted, after the room.deleted frame was written to it. */
  private final BiConsumer<String, BridgeConnection> roomDeleted;
  /** Reads a room's committed messages (cluster mode); null: a single process, nothing to order. */
  private final RoomCatchUp catchUp;
  /** The context of the verticle this runs on (with a catch-up only: {@link #catchUpAll} comes from elsewhere). */
  private final Context context;

  FanOut(Vertx vertx) {
    this(vertx, ChatMetrics.none(), (room, conn) -> { }, null);
  }

  /**
   * @param metrics     counts the frames written, one add per message
   * @param roomDeleted hears each subscriber of a deleted room
   * @param catchUp     reads rooms from the database to order what several nodes publish; null in a single
   *                    process (every message is delivered at once, as published)
   */
  FanOut(Vertx vertx, ChatMetrics metrics, BiConsumer<String, BridgeConnection> roomDeleted, RoomCatchUp catchUp) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.roomDeleted = roomDeleted;
    this.catchUp = catchUp;
    this.context = catchUp == null ? null : vertx.getOrCreateContext();
  }

  /**
   * Adds {@code conn} to the address's group. The future completes once the group's consumer is registered
   * (on a clustered event bus: known to every node) and, for a room with a sequencer, the room's head was
   * read: from then on every message committed to the room reaches {@code conn}. On a local event bus it
   * is complete at once. It fails if the consumer could not be registered (the group is then dropped).
   */
  Future<Void> subscribe(String address, BridgeConnection conn) {
    Group group = groups.get(address);
    if (group == null) {
      group = open(address);
      groups.put(address, group);
    }
    group.members.add(conn);
    return group.ready;
  }

  private Group open(String address) {
    Group group = new Group(address);
    String room = catchUp == null ? null : Addresses.roomIdOf(address);
    if (room == null) {
      group.consumer = vertx.eventBus().consumer(address, msg -> deliver(group, msg.body()));
      group.ready = group.consumer.completion();
    } else {
      group.sequencer = new RoomSequencer(vertx, context, room, catchUp, message -> deliver(group, message));
      group.consumer = vertx.eventBus().consumer(address, msg -> receive(group, msg));
      group.ready = group.consumer.completion().compose(v -> group.sequencer.start());
    }
    if (!group.ready.isComplete()) {
      group.consumer.completion().onFailure(err -> {
        LOG.warn("Subscribing to {} failed: {}", address, err.toString());
        if (groups.remove(address, group)) {
          release(group);
        }
      });
    }
    return group;
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
          release(group);
        }
      });
    }
  }

  /**
   * A node left the cluster (it may have committed messages it never published): every room group reads
   * what was committed after the last message it delivered and delivers it in order. Callable from any
   * thread; nothing to do without a catch-up.
   */
  void catchUpAll() {
    if (catchUp == null) {
      return;
    }
    context.runOnContext(v -> {
      for (Group group : groups.values()) {
        if (group.sequencer != null) {
          group.sequencer.catchUp();
        }
      }
    });
  }

  private void release(Group group) {
    group.released = true;
    group.consumer.unregister();
    if (group.sequencer != null) {
      group.sequencer.close();
    }
  }

  /** A message on a room address with a sequencer: a chat message with header prev goes through it. */
  private void receive(Group group, Message<Object> msg) {
    if (msg.body() instanceof RoomMessage message) {
      String prev = msg.headers().get(Addresses.HEADER_PREVIOUS);
      if (prev != null) {
        long previous;
        try {
          previous = Long.parseLong(prev);
        } catch (NumberFormatException e) {
          UNEXPECTED.warn("Dropped a room message published on {} with header {}={}: not an id", group.address,
              Addresses.HEADER_PREVIOUS, prev);
          return;
        }
        group.sequencer.offer(message, previous);
        return;
      }
    }
    deliver(group, msg.body());
  }

  private void deliver(Group group, Object body) {
    if (group.released) {
      return;
    }
    String address = group.address;
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
      BridgeConnection[] members = group.members.toArray(new BridgeConnection[0]);
      metrics.delivered(members.length);
      for (BridgeConnection conn : members) {
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
