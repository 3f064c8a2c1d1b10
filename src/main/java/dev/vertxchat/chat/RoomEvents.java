package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Publishes to {@code chat.room.<id>}: always a {@link RoomMessage}, the envelope with its JSON text
 * encoded once, which the bridge splices into its frame for every subscriber.
 */
final class RoomEvents {
  private RoomEvents() {}

  static void publish(EventBus bus, Envelope envelope) {
    publish(bus, RoomMessage.of(envelope));
  }

  static void publish(EventBus bus, RoomMessage message) {
    bus.publish(Addresses.room(message.envelope().room()), message);
  }

  /**
   * A stored chat message with header {@link Addresses#HEADER_PREVIOUS}: {@code previous}, the id of the
   * room's message stored before it, by which the bridge delivers what several nodes publish in id order.
   */
  static void publish(EventBus bus, RoomMessage message, long previous) {
    bus.publish(Addresses.room(message.envelope().room()), message,
        new DeliveryOptions().addHeader(Addresses.HEADER_PREVIOUS, Long.toString(previous)));
  }
}
