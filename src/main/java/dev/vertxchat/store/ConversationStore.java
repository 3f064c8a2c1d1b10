package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;

/**
 * What conversations need beyond messages (issue 13): room members and their roles, mutes and bans per room,
 * direct-message rooms, the users the server knows with their DM preferences and blocks, and read markers.
 * One SQL implementation for H2 and PostgreSQL ({@code SqlConversationStore}).
 */
public interface ConversationStore {
  /** Roles in a room, weakest first. Public rooms store only owners and moderators; private rooms and DMs every member. */
  String OWNER = "owner";
  String MODERATOR = "moderator";
  String MEMBER = "member";

  /** A member row: the user, their role, who added them and when. */
  record Member(UserRef user, String role, String addedBy, long since) {}

  /** A mute ({@code until}: epoch ms) or a ban ({@code until} 0: until unbanned) of a user in a room. */
  record Sanction(UserRef user, String kind, long until, String by, long since) {
    public static final String MUTE = "mute";
    public static final String BAN = "ban";
  }

  /**
   * Everything the access rules need about one room, read in one transaction: the room (kind, archived), its
   * creator, its member rows by user id, and its sanctions in force at {@code now} by user id and kind
   * ({@code "mute"}/{@code "ban"}).
   */
  record RoomAccess(Room room, String owner, Map<String, Member> members, Map<String, Map<String, Sanction>> sanctions) {}

  /** A direct conversation as one of its two users sees it: the room id and the other user. */
  record Dm(String room, UserRef with, long lastId) {}

  /** A user's DM settings: whether anyone may open a DM with them, and whom they blocked. */
  record Prefs(boolean dms, List<UserRef> blocked) {}

  /** A user's read position in a room, and what is unread after it (counts stop at {@link #COUNT_CAP}). */
  record Unread(String room, long lastRead, int unread, int mentions) {}

  int COUNT_CAP = 999;

  /** The room's access record, or null when there is no such room. Expired mutes are left out. */
  Future<RoomAccess> access(String room, long now);

  /** Adds or changes a member row (invite, role change). */
  Future<Void> putMember(String room, UserRef user, String role, String by, long now);

  /** @return false when there was no such member row */
  Future<Boolean> removeMember(String room, String userId);

  /** Mutes ({@link Sanction#MUTE}, until a time) or bans ({@link Sanction#BAN}, until 0) a user in a room. */
  Future<Void> sanction(String room, UserRef user, String kind, long until, String by, long now);

  /** @return false when there was none */
  Future<Boolean> lift(String room, String userId, String kind);

  /**
   * Creates the DM room {@code roomId} (kind dm, name unused) with {@code a} and {@code b} as members, unless it exists.
   * At most {@code perUser} DMs opened by {@code a}, and {@code total} DMs on the server.
   *
   * @return {@link RoomStore.Created#CREATED}, {@code EXISTS}, {@code USER_QUOTA} or {@code SERVER_FULL}
   */
  Future<RoomStore.Created> openDm(String roomId, UserRef a, UserRef b, int perUser, int total, long now);

  /** The user's DMs, most recent activity first, at most {@code limit}. */
  Future<List<Dm>> dms(String userId, int limit);

  /** Remembers a user the server has seen (id, current name and its look-alike key for lookups by name). */
  Future<Void> seen(UserRef user, String nameKey, long now);

  /** A known user by id, or null. */
  Future<UserRef> user(String userId);

  /** Known users whose name has this look-alike key, at most {@code limit}, accounts first. */
  Future<List<UserRef>> usersByNameKey(String nameKey, int limit);

  Future<Prefs> prefs(String userId);

  Future<Void> setDms(String userId, boolean on);

  /** @return false when it was so already */
  Future<Boolean> block(String userId, UserRef blocked);

  /** @return false when it was not blocked */
  Future<Boolean> unblock(String userId, String blockedId);

  /** Whether {@code userId} blocked {@code otherId}. */
  Future<Boolean> blocks(String userId, String otherId);

  /** Moves the user's read marker of a room forward to {@code id} (never back); answers the marker now. */
  Future<Long> markRead(String userId, String room, long id);

  /**
   * The user's unread counts: for every room with a read marker of theirs or a member row (private rooms, DMs),
   * at most {@code limit} rooms. Unread: chat messages after the marker, not deleted, not by the user; mentions:
   * those of them that mention the user.
   */
  Future<List<Unread>> unread(String userId, int limit);

  /** One room's unread counts for a user (marker 0 when none). */
  Future<Unread> unread(String userId, String room);
}
