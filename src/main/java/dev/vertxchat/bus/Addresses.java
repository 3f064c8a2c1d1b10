package dev.vertxchat.bus;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every event-bus address of the service, in one place.
 *
 * <p>Two namespaces that never overlap: client-to-server service addresses ({@code chat.send} ...),
 * which the bridge forwards after stamping the caller's identity, and server-to-client fan-out
 * addresses ({@code chat.room.<id>}, {@code chat.user.<id>}), which clients may only subscribe to.
 * Addresses under {@code chat.internal.} are reachable from server code only, and so are those under
 * {@code vertxchat.internal.}, which the nodes of a cluster use among themselves.
 */
public final class Addresses {
  private Addresses() {}

  // client -> server (request/reply through the bridge, or from REST handlers)
  public static final String SEND = "chat.send";
  public static final String HISTORY = "chat.history";
  public static final String PRESENCE = "chat.presence";
  public static final String TYPING = "chat.typing";

  // conversations (issue 13): every one a request/reply service; see docs/PROTOCOL.md
  public static final String EDIT = "chat.edit";
  public static final String DELETE = "chat.delete";
  public static final String REACT = "chat.react";
  public static final String READ = "chat.read";
  public static final String UNREAD = "chat.unread";
  public static final String SEARCH = "chat.search";
  public static final String DM_OPEN = "chat.dm.open";
  public static final String DM_LIST = "chat.dm.list";
  public static final String PREFS = "chat.prefs";
  public static final String ROOMS_CREATE_PUBLIC = "chat.rooms.create";
  public static final String ROOMS_UPDATE = "chat.rooms.update";
  public static final String ROOMS_DELETE = "chat.rooms.delete";
  public static final String MEMBERS_LIST = "chat.members.list";
  public static final String MEMBERS_INVITE = "chat.members.invite";
  public static final String MEMBERS_REMOVE = "chat.members.remove";
  public static final String MEMBERS_ROLE = "chat.members.role";
  public static final String MEMBERS_MUTE = "chat.members.mute";
  public static final String MEMBERS_UNMUTE = "chat.members.unmute";
  public static final String MEMBERS_KICK = "chat.members.kick";
  public static final String MEMBERS_BAN = "chat.members.ban";
  public static final String MEMBERS_UNBAN = "chat.members.unban";

  /** The only addresses a bridge client may send to. */
  public static final Set<String> BRIDGE_INBOUND = Set.of(SEND, HISTORY, PRESENCE, TYPING,
      EDIT, DELETE, REACT, READ, UNREAD, SEARCH, DM_OPEN, DM_LIST, PREFS,
      ROOMS_CREATE_PUBLIC, ROOMS_UPDATE, ROOMS_DELETE,
      MEMBERS_LIST, MEMBERS_INVITE, MEMBERS_REMOVE, MEMBERS_ROLE, MEMBERS_MUTE, MEMBERS_UNMUTE,
      MEMBERS_KICK, MEMBERS_BAN, MEMBERS_UNBAN);

  // server -> client fan-out
  public static final String ROOM_PREFIX = "chat.room.";
  public static final String USER_PREFIX = "chat.user.";
  /**
   * Changes of the public room directory ({@code room.created}, {@code room.updated}, {@code room.deleted} of public
   * rooms): any authenticated user may register it, so that lists update without polling.
   */
  public static final String DIRECTORY = "chat.directory";

  // server-internal services (never bridged)
  public static final String ROOMS_LIST = "chat.internal.rooms.list";
  public static final String ROOMS_CREATE = "chat.internal.rooms.create";

  /**
   * Between the nodes of a cluster (never bridged: the bridge lets a client send to the chat.* service
   * addresses above and register chat.room.<id> and its own chat.user.<id> only). Each node answers
   * requests for itself at {@link #node}.
   */
  public static final String INTERNAL_PREFIX = "vertxchat.internal.";
  /** A node's live bridge connections: answers {@code {"connections":[...]}}. */
  public static final String NODE_CONNECTIONS = "connections";
  /** Closes a user's bridge connections on a node: {@code {"user","code","reason"}}, answers {@code {"closed"}}. */
  public static final String NODE_DISCONNECT = "disconnect";
  /** A node reads the bans again from the store (a ban or an unban on another node). */
  public static final String NODE_BANS = "bans";
  /** A node reads the sign-in settings again from the store. */
  public static final String NODE_SETTINGS = "settings";
  /**
   * Published (to every node) when a room's access changed (kind, archived, members, roles, mutes, bans):
   * {@code {"room"}}; every node's access cache forgets the room.
   */
  public static final String ROOM_ACCESS_CHANGED = INTERNAL_PREFIX + "room.access";
  /**
   * Published (to every node) when a user must lose a room at once (kicked, banned from it, removed from a
   * private room): {@code {"room","user","reason","by"}}; every node's bridge sends that user's connections in the
   * room a {@code removed} envelope and drops their subscription.
   */
  public static final String ROOM_REMOVED = INTERNAL_PREFIX + "room.removed";
  /** A node forgets a deleted room: {@code {"room"}}. */
  public static final String NODE_ROOM_DELETED = "rooms.deleted";

  /** Message headers the server stamps; whatever a client sends is discarded. */
  public static final String HEADER_USER_ID = "x-user-id";
  public static final String HEADER_USER_NAME = "x-user-name";
  /** "true" when the caller is a server operator (admin.users, or the identity provider's admin role). */
  public static final String HEADER_OPERATOR = "x-user-operator";
  /**
   * On a chat message published to {@code chat.room.<id>} by a store that tracks it: the id of the room's
   * message stored just before it (0: none), so that subscribers can order what several nodes publish.
   */
  public static final String HEADER_PREVIOUS = "prev";

  /** Direct-message rooms have ids {@code dm-<32 hex digits>}; nobody may create a room with this prefix. */
  public static final String DM_PREFIX = "dm-";

  /** Room ids: lower-case letters, digits and dashes, 1 to 64 characters, starting with a letter or digit. */
  public static final Pattern ROOM_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  public static String room(String roomId) {
    return ROOM_PREFIX + roomId;
  }

  public static String user(String userId) {
    return USER_PREFIX + userId;
  }

  /** {@code vertxchat.internal.node.<nodeId>.<action>}: where the node {@code nodeId} answers {@code action}. */
  public static String node(String nodeId, String action) {
    return INTERNAL_PREFIX + "node." + nodeId + "." + action;
  }

  /** The room id of a {@code chat.room.<id>} address, or null when the address is not a valid room address. */
  public static String roomIdOf(String address) {
    if (address == null || !address.startsWith(ROOM_PREFIX)) {
      return null;
    }
    String id = address.substring(ROOM_PREFIX.length());
    return ROOM_ID.matcher(id).matches() ? id : null;
  }
}
