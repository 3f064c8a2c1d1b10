package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.store.ConversationStore.RoomAccess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves {@code chat.rooms.create|update|delete} (and the REST handlers' internal {@code ROOMS_CREATE}, the same
 * code) and, through {@link Members}, {@code chat.members.*}: the rules of docs/PROTOCOL.md, "Rooms, roles and
 * permissions", checked with {@link Access}. Every change of a room's access writes the store, then makes every
 * node forget the room ({@link Access#changed}), then tells the room (and, for a public room,
 * {@link Addresses#DIRECTORY}), then answers. Registered by each chat verticle instance ({@link #serveOn}); the
 * state is the {@link LocalChat}'s.
 */
final class RoomAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(RoomAdmin.class);
  /** "The server holds limits.maxRooms rooms" is worth one warning per process, not one per refusal. */
  private static final AtomicBoolean TOLD_FULL = new AtomicBoolean();
  static final int MAX_NAME = 64;
  static final int MAX_TOPIC = 256;

  private final Vertx vertx;
  private final LocalChat chat;

  RoomAdmin(Vertx vertx, LocalChat chat) {
    this.vertx = vertx;
    this.chat = chat;
  }

  /** Registers the room and member services ({@code ChatVerticle#serve}: the caller stamped, coded failures). */
  void serveOn(Service.Registry registry) {
    Members members = new Members(vertx, chat);
    registry.serve(Addresses.ROOMS_CREATE_PUBLIC, this::create);
    registry.serve(Addresses.ROOMS_CREATE, this::create);
    registry.serve(Addresses.ROOMS_UPDATE, this::update);
    registry.serve(Addresses.ROOMS_DELETE, this::delete);
    registry.serve(Addresses.MEMBERS_LIST, members::list);
    registry.serve(Addresses.MEMBERS_INVITE, members::invite);
    registry.serve(Addresses.MEMBERS_REMOVE, members::remove);
    registry.serve(Addresses.MEMBERS_ROLE, members::role);
    registry.serve(Addresses.MEMBERS_MUTE, members::mute);
    registry.serve(Addresses.MEMBERS_UNMUTE, members::unmute);
    registry.serve(Addresses.MEMBERS_KICK, members::kick);
    registry.serve(Addresses.MEMBERS_BAN, members::ban);
    registry.serve(Addresses.MEMBERS_UNBAN, members::unban);
  }

  // ---- rooms ----

  /** {@code {"id","name"?,"topic"?,"private"?}}: a public or private room owned by the caller. */
  private Future<JsonObject> create(Caller caller, JsonObject body) {
    Object id = body.getValue("id");
    if (!(id instanceof String roomId) || !Addresses.ROOM_ID.matcher(roomId).matches()) {
      throw new ChatException(ErrorCodes.INVALID_ROOM, "id must match " + Addresses.ROOM_ID.pattern());
    }
    if (roomId.startsWith(Addresses.DM_PREFIX)) {
      throw new ChatException(ErrorCodes.INVALID_ROOM,
          "room ids starting with " + Addresses.DM_PREFIX + " are kept for direct messages");
    }
    String name = name(body.getValue("name", roomId));
    String topic = topic(body.getValue("topic", ""));
    Object flag = body.getValue("private", false);
    if (!(flag instanceof Boolean restricted)) {
      throw new ChatException(ErrorCodes.BAD_REQUEST, "private must be true or false");
    }
    Room room = new Room(roomId, name, topic, 0, restricted ? Room.PRIVATE : Room.PUBLIC, false);
    return chat.directory.create(room, caller.id()).compose(created -> switch (created) {
      case CREATED -> {
        // a request about it before may have left "no such room" in a node's access cache
        chat.access.changed(roomId);
        LOG.atInfo().addKeyValue("user", caller.id()).addKeyValue("room", roomId)
            .log("Room {} ({}) created by {}", roomId, room.kind(), caller.id());
        if (!restricted) {
          directory(Envelope.event(Envelope.ROOM_CREATED, roomId, caller.user(), System.currentTimeMillis())
              .withMore(new JsonObject().put("name", name).put("topic", topic)));
        }
        yield Future.succeededFuture(room.toJson().put("role", "owner"));
      }
      case EXISTS -> Future.failedFuture(new ChatException(ErrorCodes.ROOM_EXISTS, "a room with id " + roomId + " exists"));
      case USER_QUOTA -> Future.failedFuture(new ChatException(ErrorCodes.ROOM_QUOTA, chat.config.roomsPerUser() == 0
          ? "this server does not let users create rooms"
          : "you have created " + chat.config.roomsPerUser() + " rooms, the most one user may create"));
      case SERVER_FULL -> {
        if (TOLD_FULL.compareAndSet(false, true)) {
          LOG.atWarn().addKeyValue("user", caller.id()).addKeyValue("room", roomId).addKeyValue("code", ErrorCodes.ROOM_QUOTA)
              .log("The server holds limits.maxRooms = {} rooms: new rooms are refused (first: {} by {})",
                  chat.config.maxRooms(), roomId, caller.id());
        }
        yield Future.failedFuture(new ChatException(ErrorCodes.ROOM_QUOTA,
            "this server holds as many rooms as it may; no more rooms can be created"));
      }
    });
  }

  /** {@code {"room","name"?,"topic"?,"archived"?}}: name and topic by mod+, archived by the owner or an operator. */
  private Future<JsonObject> update(Caller caller, JsonObject body) {
    String name = body.getValue("name") == null ? null : name(body.getValue("name"));
    String topic = body.getValue("topic") == null ? null : topic(body.getValue("topic"));
    Object flag = body.getValue("archived");
    if (flag != null && !(flag instanceof Boolean)) {
      throw new ChatException(ErrorCodes.BAD_REQUEST, "archived must be true or false");
    }
    Boolean archived = (Boolean) flag;
    if (name == null && topic == null && archived == null) {
      throw new ChatException(ErrorCodes.BAD_REQUEST, "give a name, a topic or archived");
    }
    return chat.access.readable(roomOf(body), caller).compose(access -> {
      String room = access.room().id();
      if (archived != null && !Access.owns(access, caller)) {
        return refused("only the room's owner or an operator may archive or unarchive it");
      }
      if ((name != null || topic != null) && !Access.moderates(access, caller)) {
        return refused("only the room's moderators, its owner or an operator may change its name or topic");
      }
      if ((name != null || topic != null) && access.room().archived() && !Boolean.FALSE.equals(archived)) {
        return Future.failedFuture(new ChatException(ErrorCodes.ROOM_ARCHIVED,
            "the room is archived: unarchive it to change its name or topic"));
      }
      return chat.rooms.update(room, name, topic, archived)
          .compose(found -> found ? chat.rooms.get(room) : Future.succeededFuture(null))
          .compose(updated -> {
            if (updated == null) {
              return Future.failedFuture(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room));
            }
            chat.access.changed(room);
            Envelope event = Envelope.event(Envelope.ROOM_UPDATED, room, caller.user(), System.currentTimeMillis())
                .withMore(new JsonObject().put("name", updated.name()).put("topic", updated.topic())
                    .put("private", updated.restricted()).put("archived", updated.archived()));
            RoomEvents.publish(vertx.eventBus(), event);
            if (!updated.restricted()) {
              directory(event);
            }
            LOG.atInfo().addKeyValue("user", caller.id()).addKeyValue("room", room)
                .log("Room {} updated by {}", room, caller.id());
            return chat.membership.counts(List.of(room))
                .map(counts -> updated.withMembers(counts.getOrDefault(room, 0)).toJson());
          });
    });
  }

  /** {@code {"room"}}: by the owner or an operator, as an operator deletes one ({@link Moderation#deleteRoom}). */
  private Future<JsonObject> delete(Caller caller, JsonObject body) {
    return chat.access.readable(roomOf(body), caller).compose(access -> {
      String room = access.room().id();
      if (!Access.owns(access, caller)) {
        return refused("only the room's owner or an operator may delete it");
      }
      return chat.moderation().deleteRoom(room, caller.user()).compose(deleted -> deleted
          ? Future.succeededFuture(new JsonObject().put("room", room).put("deleted", true))
          : Future.failedFuture(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room)));
    });
  }

  /** Publishes an envelope of a public room on {@link Addresses#DIRECTORY}. */
  private void directory(Envelope envelope) {
    vertx.eventBus().publish(Addresses.DIRECTORY, RoomMessage.of(envelope));
  }

  static <T> Future<T> refused(String message) {
    return Future.failedFuture(new ChatException(ErrorCodes.ROLE_REQUIRED, message));
  }

  static String roomOf(JsonObject body) {
    return body.getValue("room") instanceof String room ? room : null;
  }

  static String name(Object value) {
    if (!(value instanceof String name) || !Text.wellFormed(name) || !Text.hasVisible(name)
        || name.strip().length() > MAX_NAME) {
      throw new ChatException(ErrorCodes.INVALID_ROOM, "name must be 1 to " + MAX_NAME + " characters, at least one of them visible");
    }
    return name.strip();
  }

  static String topic(Object value) {
    if (!(value instanceof String topic) || !Text.wellFormed(topic) || topic.strip().length() > MAX_TOPIC) {
      throw new ChatException(ErrorCodes.INVALID_ROOM, "topic must be well-formed text of at most " + MAX_TOPIC + " characters");
    }
    return topic.strip();
  }

  /** For {@link Members}: whether the access record is of a room of that kind. */
  static boolean kind(RoomAccess access, String kind) {
    return kind.equals(access.room().kind());
  }
}
