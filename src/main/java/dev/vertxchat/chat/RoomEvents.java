package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Envelope;
import io.vertx.core.eventbus.EventBus;

/**
 * Publishes envelopes to {@code chat.room.<id>}. The envelope is encoded to JSON text once, here; the
 * bridge wraps that text into its frame without decoding it again, whatever the number of subscribers.
 */
public final class RoomEvents {
  private RoomEvents() {}

  public static void publish(EventBus bus, Envelope envelope) {
    publish(bus, envelope.room(), envelope.toJson().encode());
  }

  /** Publishes an envelope already encoded (a stored message: the store encoded it). */
  public static void publish(EventBus bus, String room, String json) {
    bus.publish(Addresses.room(room), json);
  }
}
