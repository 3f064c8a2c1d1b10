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

  /** The only addresses a bridge client may send to. */
  public static final Set<String> BRIDGE_INBOUND = Set.of(SEND, HISTORY, PRESENCE, TYPING);

  // server -> client fan-out
  public static final String ROOM_PREFIX = "chat.room.";
  public static final String USER_PREFIX = "chat.user.";

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
  /** A node forgets a deleted room: {@code {"room"}}. */
  public static final String NODE_ROOM_DELETED = "rooms.deleted";

  /** Message headers the server stamps; whatever a client sends is discarded. */
  public static final String HEADER_USER_ID = "x-user-id";
  public static final String HEADER_USER_NAME = "x-user-name";
  /**
   * On a chat message published to {@code chat.room.<id>} by a store that tracks it: the id of the room's
   * message stored just before it (0: none), so that subscribers can order what several nodes publish.
   */
  public static final String HEADER_PREVIOUS = "prev";

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
