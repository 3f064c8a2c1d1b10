package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;

/**
 * What an operator does to rooms and messages (the admin API), in the chat side that owns them: delete
 * a room, delete a message, post a notice. One per service, made by {@link LocalChat}; safe from any
 * event loop.
 */
public final class Moderation {
  private static final Logger LOG = LoggerFactory.getLogger(Moderation.class);
  /** Who a notice is from. */
  public static final UserRef SERVER = new UserRef("system", "server");

  private final Vertx vertx;
  private final LocalChat chat;

  Moderation(Vertx vertx, LocalChat chat) {
    this.vertx = vertx;
    this.chat = chat;
  }

  /**
   * Deletes a room (an operator's action, or its owner's): its row goes (new joins and sends get 3001 at once, messages accepted for it and not
   * stored yet are refused, every node's {@link Access} forgets it), then the members get a {@link Envelope#ROOM_DELETED} envelope on its
   * address (after every message of the room that was stored), on which the bridge removes them from
   * it (a public room's is also published on chat.directory); then its messages are deleted.
   *
   * @return false when there is no such room
   */
  public Future<Boolean> deleteRoom(String room, UserRef operator) {
    if (!Addresses.ROOM_ID.matcher(room).matches()) {
      return Future.succeededFuture(false);
    }
    // its kind, to tell the directory's subscribers about a public room (unknown when the store does not answer)
    Future<String> kind = chat.access.of(room).map(a -> a == null ? null : a.room().kind()).otherwise((String) null);
    return kind.compose(was -> chat.rooms.delete(room).compose(deleted -> {
      if (!deleted) {
        return Future.succeededFuture(false);
      }
      chat.access.changed(room); // every node's access cache forgets it: joins get 3001 at once
      // in a cluster every node forgets it before the answer (best effort: a node that does not answer in
      // time finds no row when it next asks the store, within RoomDirectory.KNOWN_TTL_MS)
      return chat.directory.forgetEverywhere(room)
          .compose(v -> chat.pipeline.settled())
          .compose(v -> {
            Envelope gone = Envelope.event(Envelope.ROOM_DELETED, room, operator, System.currentTimeMillis());
            RoomEvents.publish(vertx.eventBus(), gone);
            if (Room.PUBLIC.equals(was)) {
              vertx.eventBus().publish(Addresses.DIRECTORY, RoomMessage.of(gone));
            }
            return chat.messages().deleteRoom(room);
          })
          .onSuccess(v -> LOG.info("Room {} deleted by {}", room, operator.id()))
          .map(true);
    }));
  }

  /**
   * Deletes a message's text; a {@link Envelope#DELETED} tombstone (the message's id, the operator) goes
   * to the room. Also for a message still only in the journal (see {@code JournaledMessageStore#delete}).
   *
   * @return false when the room has no message with that id
   */
  public Future<Boolean> deleteMessage(String room, long id, UserRef operator) {
    return existing(room)
        .compose(r -> chat.messages().delete(r, id))
        .onSuccess(deleted -> {
          if (deleted) {
            RoomEvents.publish(vertx.eventBus(), new Envelope(id, room, Envelope.DELETED, operator, null, System.currentTimeMillis()));
          }
        });
  }

  /**
   * A notice from the server to the members of {@code room}, or, when {@code room} is null, to each of
   * {@code users} on its own {@code chat.user.<id>} address. Not stored. Fails with 1104 for text that
   * is not 1 to limits.maxTextLength visible characters, 1103 / 3001 for a bad or missing room.
   */
  public Future<Envelope> notice(String room, String text, Collection<String> users) {
    String checked;
    try {
      checked = noticeText(text);
    } catch (ChatException e) {
      return Future.failedFuture(e);
    }
    long ts = System.currentTimeMillis();
    if (room == null) {
      Envelope notice = new Envelope(null, null, Envelope.NOTICE, SERVER, checked, ts);
      RoomMessage message = RoomMessage.of(notice);
      users.forEach(user -> vertx.eventBus().publish(Addresses.user(user), message));
      return Future.succeededFuture(notice);
    }
    return existing(room).map(r -> {
      Envelope notice = new Envelope(null, r, Envelope.NOTICE, SERVER, checked, ts);
      RoomEvents.publish(vertx.eventBus(), notice);
      return notice;
    });
  }

  private String noticeText(String raw) {
    if (raw == null || !Text.wellFormed(raw)) {
      throw new ChatException(ErrorCodes.INVALID_TEXT, "text must be a well-formed string");
    }
    String text = raw.strip();
    int length = text.codePointCount(0, text.length());
    if (length == 0 || length > chat.config.maxTextLength() || !Text.hasVisible(text)) {
      throw new ChatException(ErrorCodes.INVALID_TEXT,
          "text must be 1 to " + chat.config.maxTextLength() + " characters after trimming, at least one of them visible");
    }
    return text;
  }

  private Future<String> existing(String room) {
    if (room == null || !Addresses.ROOM_ID.matcher(room).matches()) {
      return Future.failedFuture(new ChatException(ErrorCodes.INVALID_ROOM, "room must be a room id"));
    }
    return chat.directory.exists(room).compose(found -> found ? Future.succeededFuture(room)
        : Future.failedFuture(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room)));
  }
}
