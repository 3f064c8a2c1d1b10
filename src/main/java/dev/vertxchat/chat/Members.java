package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.ConversationStore;
import dev.vertxchat.store.ConversationStore.Member;
import dev.vertxchat.store.ConversationStore.RoomAccess;
import dev.vertxchat.store.ConversationStore.Sanction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.Map;

/**
 * {@code chat.members.*}: who is in a room with which role, invitations into private rooms, and the moderators'
 * mutes, kicks and bans (docs/PROTOCOL.md, "Rooms, roles and permissions"). Each change is written to the store,
 * then every node forgets the room's access ({@link Access#changed}); a user who must lose the room now (kicked,
 * banned, removed) is named on {@link Addresses#ROOM_REMOVED}, on which every node's bridge takes the room from
 * that user's connections; then the room gets a {@code member} envelope, then the caller the answer.
 *
 * <p>Operators are recognised as targets by {@code admin.users} only: an identity provider's operator (role
 * {@code admin} in the token) is known when they make a request, not when someone else names them.
 *
 * <p>Longer than 300 lines because each rule of the permission table is stated, with its code, next to the change
 * it guards.
 */
final class Members {
  private static final Logger LOG = LoggerFactory.getLogger(Members.class);
  /** The longest mute: 7 days. */
  static final long MAX_MUTE_SECONDS = 604_800;
  private static final int MAX_USER_ID = 128;
  private static final int MAX_REASON = 256;

  private final Vertx vertx;
  private final LocalChat chat;

  Members(Vertx vertx, LocalChat chat) {
    this.vertx = vertx;
    this.chat = chat;
  }

  /** {@code {"room"}}: the member rows (public rooms: owner and moderators); mutes and bans for mod+ only. */
  Future<JsonObject> list(Caller caller, JsonObject body) {
    return chat.access.readable(RoomAdmin.roomOf(body), caller).map(access -> {
      JsonArray members = new JsonArray();
      access.members().values().stream()
          .sorted(Comparator.comparingInt((Member m) -> rank(m.role())).thenComparing(m -> m.user().name(),
              String.CASE_INSENSITIVE_ORDER))
          .forEach(m -> members.add(new JsonObject().put("user", m.user().toJson()).put("role", m.role())));
      JsonObject answer = new JsonObject().put("members", members);
      if (Access.moderates(access, caller)) {
        JsonArray muted = new JsonArray();
        JsonArray banned = new JsonArray();
        access.sanctions().forEach((id, kinds) -> {
          Sanction mute = Access.sanction(access, id, Sanction.MUTE);
          if (mute != null) {
            muted.add(new JsonObject().put("user", mute.user().toJson()).put("until", mute.until()));
          }
          Sanction ban = kinds.get(Sanction.BAN);
          if (ban != null) {
            banned.add(new JsonObject().put("user", ban.user().toJson()).put("by", ban.by()).put("since", ban.since()));
          }
        });
        answer.put("muted", muted).put("banned", banned);
      }
      return answer;
    });
  }

  /** {@code {"room","user"}}: a known user becomes a member of a private room (mod+). */
  Future<JsonObject> invite(Caller caller, JsonObject body) {
    String userId = userOf(body);
    return chat.access.readable(RoomAdmin.roomOf(body), caller).compose(access -> {
      String room = access.room().id();
      if (!RoomAdmin.kind(access, Room.PRIVATE)) {
        return Future.failedFuture(new ChatException(ErrorCodes.INVALID_MEMBER, "only private rooms have invitations"));
      }
      if (!Access.moderates(access, caller)) {
        return RoomAdmin.refused("only the room's moderators, its owner or an operator may invite");
      }
      Member row = access.members().get(userId);
      if (row != null) {
        return Future.succeededFuture(answer(room, row.user()).put("role", row.role()));
      }
      return chat.conversations.user(userId).compose(user -> user == null
          ? Future.failedFuture(new ChatException(ErrorCodes.USER_NOT_FOUND, "no such user: " + userId))
          // a user who blocked the inviter is not invited (nor told): a block stops every way of reaching them
          : chat.conversations.blocks(userId, caller.id()).compose(blocked -> blocked
              ? Future.failedFuture(new ChatException(ErrorCodes.DMS_REFUSED, user.name() + " does not accept invitations from you"))
              : Future.succeededFuture(user)))
          .compose(user -> {
        long now = System.currentTimeMillis();
        return chat.conversations.putMember(room, user, ConversationStore.MEMBER, caller.id(), now).map(v -> {
          chat.access.changed(room);
          announce(room, caller, "invited", user, null);
          Envelope invited = Envelope.event(Envelope.INVITED, room, caller.user(), now)
              .withMore(new JsonObject().put("name", access.room().name()).put("topic", access.room().topic()));
          vertx.eventBus().publish(Addresses.user(user.id()), RoomMessage.of(invited));
          return answer(room, user).put("role", ConversationStore.MEMBER);
        });
      });
    });
  }

  /** {@code {"room","user"}}: a member of a private room is no longer one, and loses the room now (mod+). */
  Future<JsonObject> remove(Caller caller, JsonObject body) {
    String userId = userOf(body);
    return chat.access.readable(RoomAdmin.roomOf(body), caller).compose(access -> {
      String room = access.room().id();
      if (!RoomAdmin.kind(access, Room.PRIVATE)) {
        return Future.failedFuture(new ChatException(ErrorCodes.INVALID_MEMBER, "only private rooms have members to remove"));
      }
      boolean leaving = userId.equals(caller.id()); // any member may leave a private room (but its owner)
      if (!leaving && !Access.moderates(access, caller)) {
        return RoomAdmin.refused("only the room's moderators, its owner or an operator may remove members");
      }
      Member row = access.members().get(userId);
      if (row == null) {
        return Future.failedFuture(new ChatException(ErrorCodes.USER_NOT_FOUND, userId + " is not a member of this room"));
      }
      if (ConversationStore.OWNER.equals(row.role())) {
        return RoomAdmin.refused("nobody removes the room's owner");
      }
      if (ConversationStore.MODERATOR.equals(row.role()) && !userId.equals(caller.id()) && !Access.owns(access, caller)) {
        return RoomAdmin.refused("a moderator cannot remove another moderator");
      }
      return chat.conversations.removeMember(room, userId).map(v -> {
        chat.access.changed(room);
        removed(room, userId, "removed", caller);
        announce(room, caller, "removed", row.user(), null);
        return answer(room, row.user()).put("removed", true);
      });
    });
  }

  /** {@code {"room","user","role":"moderator"|"member"}}: by the owner or an operator. */
  Future<JsonObject> role(Caller caller, JsonObject body) {
    String userId = userOf(body);
    Object value = body.getValue("role");
    if (!ConversationStore.MODERATOR.equals(value) && !ConversationStore.MEMBER.equals(value)) {
      throw new ChatException(ErrorCodes.INVALID_MEMBER, "role must be \"moderator\" or \"member\"");
    }
    String role = (String) value;
    return chat.access.readable(RoomAdmin.roomOf(body), caller).compose(access -> {
      String room = access.room().id();
      if (!Access.owns(access, caller) || RoomAdmin.kind(access, Room.DM)) {
        return RoomAdmin.refused("only the room's owner or an operator may name moderators");
      }
      Member row = access.members().get(userId);
      if (row != null && ConversationStore.OWNER.equals(row.role())) {
        return RoomAdmin.refused("the owner's role does not change");
      }
      if (row == null && RoomAdmin.kind(access, Room.PRIVATE)) {
        return Future.failedFuture(new ChatException(ErrorCodes.USER_NOT_FOUND, userId + " is not a member of this room"));
      }
      return target(access, userId).compose(user -> {
        Future<?> written;
        if (ConversationStore.MEMBER.equals(role) && RoomAdmin.kind(access, Room.PUBLIC)) {
          // a public room keeps rows for its owner and moderators only: everyone else is a member
          written = row == null ? Future.succeededFuture() : chat.conversations.removeMember(room, userId);
        } else {
          written = chat.conversations.putMember(room, user, role, caller.id(), System.currentTimeMillis());
        }
        return written.map(v -> {
          chat.access.changed(room);
          announce(room, caller, "role", user, new JsonObject().put("role", role));
          return answer(room, user).put("role", role);
        });
      });
    });
  }

  /** {@code {"room","user","seconds"}}: the user cannot post in the room for that long (mod+). */
  Future<JsonObject> mute(Caller caller, JsonObject body) {
    String userId = userOf(body);
    Object value = body.getValue("seconds");
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1
        || n.doubleValue() > MAX_MUTE_SECONDS) {
      throw new ChatException(ErrorCodes.INVALID_MEMBER, "seconds must be a whole number from 1 to " + MAX_MUTE_SECONDS);
    }
    long seconds = ((Number) value).longValue();
    return sanctioned(caller, body, userId, "mute", (access, user) -> {
      String room = access.room().id();
      long now = System.currentTimeMillis();
      long until = now + seconds * 1000;
      return chat.conversations.sanction(room, user, Sanction.MUTE, until, caller.id(), now).map(v -> {
        chat.access.changed(room);
        announce(room, caller, "muted", user, new JsonObject().put("until", until));
        return answer(room, user).put("until", until);
      });
    });
  }

  Future<JsonObject> unmute(Caller caller, JsonObject body) {
    return lift(caller, body, Sanction.MUTE, "unmuted");
  }

  Future<JsonObject> unban(Caller caller, JsonObject body) {
    return lift(caller, body, Sanction.BAN, "unbanned");
  }

  /** {@code {"room","user"}}: the user's connections lose the room now; they may join again (mod+). */
  Future<JsonObject> kick(Caller caller, JsonObject body) {
    String userId = userOf(body);
    return sanctioned(caller, body, userId, "kick", (access, user) -> {
      String room = access.room().id();
      removed(room, user.id(), "kicked", caller);
      announce(room, caller, "kicked", user, null);
      return Future.succeededFuture(answer(room, user).put("kicked", true));
    });
  }

  /** {@code {"room","user","reason"?}}: the user loses the room now and may not join, read or post until unbanned. */
  Future<JsonObject> ban(Caller caller, JsonObject body) {
    String userId = userOf(body);
    Object reason = body.getValue("reason");
    if (reason != null && !(reason instanceof String r && r.length() <= MAX_REASON && Text.wellFormed(r))) {
      throw new ChatException(ErrorCodes.INVALID_MEMBER, "reason must be text of at most " + MAX_REASON + " characters");
    }
    return sanctioned(caller, body, userId, "ban", (access, user) -> {
      String room = access.room().id();
      long now = System.currentTimeMillis();
      return chat.conversations.sanction(room, user, Sanction.BAN, 0, caller.id(), now).map(v -> {
        chat.access.changed(room);
        removed(room, user.id(), "banned", caller);
        announce(room, caller, "banned", user, null);
        // the reason is for the moderators' log, not for the room
        LOG.atInfo().addKeyValue("user", caller.id()).addKeyValue("room", room).addKeyValue("target", user.id())
            .log("{} banned {} from {}{}", caller.id(), user.id(), room, reason == null ? "" : ": " + reason);
        return answer(room, user).put("banned", true);
      });
    });
  }

  private Future<JsonObject> lift(Caller caller, JsonObject body, String kind, String action) {
    String userId = userOf(body);
    return sanctioned(caller, body, userId, action, (access, user) -> {
      String room = access.room().id();
      return chat.conversations.lift(room, user.id(), kind).map(lifted -> {
        if (lifted) {
          chat.access.changed(room);
          announce(room, caller, action, user, null);
        }
        return answer(room, user);
      });
    });
  }

  /**
   * The rule of mute, unmute, kick, ban, unban: the caller moderates the room; the target is not the caller, the
   * owner, an operator, nor (unless the caller owns the room or is an operator) a moderator. Then {@code action}.
   */
  private Future<JsonObject> sanctioned(Caller caller, JsonObject body, String userId, String verb,
                                        java.util.function.BiFunction<RoomAccess, UserRef, Future<JsonObject>> action) {
    return chat.access.readable(RoomAdmin.roomOf(body), caller).compose(access -> {
      if (!Access.moderates(access, caller)) {
        return RoomAdmin.refused("only the room's moderators, its owner or an operator may " + verb + " users");
      }
      if (userId.equals(caller.id())) {
        return RoomAdmin.refused("you cannot " + verb + " yourself");
      }
      Member row = access.members().get(userId);
      String role = row == null ? null : row.role();
      if (ConversationStore.OWNER.equals(role)) {
        return RoomAdmin.refused("nobody may " + verb + " the room's owner");
      }
      if (chat.config.adminUsers().contains(userId)) {
        return RoomAdmin.refused("nobody may " + verb + " an operator");
      }
      if (ConversationStore.MODERATOR.equals(role) && !Access.owns(access, caller)) {
        return RoomAdmin.refused("only the owner or an operator may " + verb + " a moderator");
      }
      return target(access, userId).compose(user -> action.apply(access, user));
    });
  }

  /** Who {@code id} is: from the room's rows, its sanctions, who is in it now, or the users the server knows; else 3005. */
  private Future<UserRef> target(RoomAccess access, String id) {
    Member row = access.members().get(id);
    if (row != null) {
      return Future.succeededFuture(row.user());
    }
    Map<String, Sanction> sanctions = access.sanctions().get(id);
    if (sanctions != null && !sanctions.isEmpty()) {
      return Future.succeededFuture(sanctions.values().iterator().next().user());
    }
    return chat.membership.users(access.room().id())
        .map(present -> present.stream().filter(u -> u.id().equals(id)).findFirst().orElse(null))
        .compose(found -> found != null ? Future.succeededFuture(found) : chat.conversations.user(id))
        .compose(found -> found != null ? Future.succeededFuture(found)
            : Future.failedFuture(new ChatException(ErrorCodes.USER_NOT_FOUND, "no such user: " + id)));
  }

  /** Every node's bridge takes the room from the user's connections (docs/PROTOCOL.md, {@code removed}). */
  private void removed(String room, String userId, String reason, Caller by) {
    vertx.eventBus().publish(Addresses.ROOM_REMOVED, new JsonObject().put("room", room).put("user", userId)
        .put("reason", reason).put("by", by.user().toJson()));
  }

  /** The room's {@code member} envelope: {@code user} the actor, {@code action}, {@code target}, extra fields. */
  private void announce(String room, Caller actor, String action, UserRef target, JsonObject extra) {
    JsonObject more = new JsonObject().put("action", action).put("target", target.toJson());
    if (extra != null) {
      more.mergeIn(extra);
    }
    RoomEvents.publish(vertx.eventBus(), Envelope.event(Envelope.MEMBER, room, actor.user(), System.currentTimeMillis())
        .withMore(more));
    LOG.atInfo().addKeyValue("user", actor.id()).addKeyValue("room", room).addKeyValue("target", target.id())
        .log("Member change in {}: {} {} {}", room, actor.id(), action, target.id());
  }

  private static JsonObject answer(String room, UserRef user) {
    return new JsonObject().put("room", room).put("user", user.toJson());
  }

  private static String userOf(JsonObject body) {
    if (!(body.getValue("user") instanceof String user) || user.isBlank() || user.length() > MAX_USER_ID) {
      throw new ChatException(ErrorCodes.INVALID_MEMBER, "user must be a user id");
    }
    return user;
  }

  private static int rank(String role) {
    return switch (role) {
      case ConversationStore.OWNER -> 0;
      case ConversationStore.MODERATOR -> 1;
      default -> 2;
    };
  }
}
