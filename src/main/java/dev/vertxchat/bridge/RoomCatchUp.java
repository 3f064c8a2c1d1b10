package dev.vertxchat.bridge;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.store.MessageStore;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the bridge reads a room's committed messages when the room's publications are not enough: a gap
 * (a message published by another node arrived before its predecessor), a node that left (it may have
 * committed messages it never published), and a fresh subscription's starting point. Used only when a
 * room's messages come from several nodes (cluster mode); see {@link RoomSequencer}.
 */
public interface RoomCatchUp {

  /**
   * The room's committed messages with an id greater than {@code afterId}, oldest first, at most
   * {@code limit}; each as its room was sent it (a {@link RoomMessage} whose JSON is the envelope's,
   * {@link RoomMessage#of}). A message deleted since is its tombstone.
   */
  Future<List<RoomMessage>> after(String room, long afterId, int limit);

  /** The id of the room's last committed message (0: none). */
  Future<Long> head(String room);

  /**
   * Over {@code store}'s history ({@link MessageStore#page}): its envelopes encoded as
   * {@link RoomMessage#of} does, which is how the store encodes what it publishes
   * ({@code envelope.toJson().encode()}).
   */
  static RoomCatchUp over(MessageStore store) {
    return new RoomCatchUp() {
      @Override
      public Future<List<RoomMessage>> after(String room, long afterId, int limit) {
        return store.page(room, null, afterId, limit).map(page -> {
          List<RoomMessage> messages = new ArrayList<>(page.size());
          for (Envelope e : page) {
            messages.add(RoomMessage.of(e));
          }
          return messages;
        });
      }

      @Override
      public Future<Long> head(String room) {
        return store.page(room, null, null, 1).map(page -> page.isEmpty() ? 0L : page.get(page.size() - 1).id());
      }
    };
  }
}
