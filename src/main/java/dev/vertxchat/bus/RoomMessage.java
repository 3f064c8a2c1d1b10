package dev.vertxchat.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * What travels on a fan-out address ({@code chat.room.<id>}, {@code chat.user.<id>}): an envelope and
 * its JSON text, encoded once by whoever publishes it (the store encodes a chat message for the
 * journal; {@link #of} encodes an event). The bridge splices {@link #json()} into its frame for every
 * subscriber without encoding it again.
 *
 * <p>Carried by {@link Codec}, the default codec of this type: in process the same immutable object
 * reaches every consumer; over a clustered event bus it travels as its JSON text.
 */
public record RoomMessage(Envelope envelope, String json) {
  public RoomMessage {
    if (envelope == null || json == null) {
      throw new IllegalArgumentException("a room message needs its envelope and its JSON");
    }
  }

  public static RoomMessage of(Envelope envelope) {
    return new RoomMessage(envelope, envelope.toJson().encode());
  }

  /** Registers {@link Codec} as the default codec for room messages on {@code vertx}'s event bus, once. */
  public static void registerCodec(Vertx vertx) {
    synchronized (RoomMessage.class) {
      try {
        vertx.eventBus().registerDefaultCodec(RoomMessage.class, new Codec());
      } catch (IllegalStateException alreadyRegistered) {
        // a second service in the same Vert.x instance (tests): the codec is the same
      }
    }
  }

  /** In process: the object itself (it is immutable). On the wire: its JSON text. */
  public static final class Codec implements MessageCodec<RoomMessage, RoomMessage> {
    public static final String NAME = "vertxchat.room-message";

    @Override
    public void encodeToWire(Buffer buffer, RoomMessage message) {
      byte[] bytes = message.json().getBytes(StandardCharsets.UTF_8);
      buffer.appendInt(bytes.length).appendBytes(bytes);
    }

    @Override
    public RoomMessage decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      String json = buffer.getString(pos + 4, pos + 4 + length, StandardCharsets.UTF_8.name());
      return new RoomMessage(Envelope.fromJson(new JsonObject(json)), json);
    }

    @Override
    public RoomMessage transform(RoomMessage message) {
      return message;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
