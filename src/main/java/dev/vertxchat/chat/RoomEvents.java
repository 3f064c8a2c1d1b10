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
    bus.publish(Addresses.room(envelope.room()), envelope.toJson().encode());
  }
}
