package dev.vertxchat.bus;

/**
 * Stable failure codes shared by the event bus, the bridge and the REST API.
 *
 * <p>Ranges: 1100-1999 bad input, 2000-2999 authentication and authorization, 3000-3999 missing or
 * conflicting resources, 4000-4099 limits, 5000-5999 server-side problems. Codes are explicit
 * constants and never change meaning; {@link #httpStatus(int)} is the one mapping to HTTP.
 * No error code is also a {@link CloseCodes close code}: 1000-1015 are WebSocket's own close codes
 * (hence bad input starts at 1100; it was 1000-1006 before) and 4100-4499 are the bridge's.
 * The same table is in docs/PROTOCOL.md.
 */
public final class ErrorCodes {
  private ErrorCodes() {}

  public static final int BAD_REQUEST = 1100;
  public static final int INVALID_NAME = 1101;
  public static final int INVALID_PASSWORD = 1102;
  public static final int INVALID_ROOM = 1103;
  public static final int INVALID_TEXT = 1104;
  public static final int INVALID_PAGING = 1105;
  public static final int PAYLOAD_TOO_LARGE = 1106;
  /** A reaction that is not one of {@code Reactions.PALETTE}. */
  public static final int INVALID_REACTION = 1107;
  /** A search query that is empty, too long or has too many terms. */
  public static final int INVALID_SEARCH = 1108;
  /** A user id / name, role or duration in a members or DM request that is not valid. */
  public static final int INVALID_MEMBER = 1109;

  public static final int UNAUTHENTICATED = 2001;
  public static final int BAD_CREDENTIALS = 2002;
  public static final int FORBIDDEN = 2003;
  public static final int GUESTS_DISABLED = 2004;
  public static final int NOT_JOINED = 2005;
  public static final int ACCESS_DENIED = 2006;
  public static final int ORIGIN_NOT_ALLOWED = 2007;
  /** The user is banned by an operator: their tokens are refused everywhere until unbanned. */
  public static final int BANNED = 2009;
  /** Registration of new accounts is switched off (admin settings). */
  public static final int REGISTRATION_DISABLED = 2010;
  /** The caller's role in the room does not allow this (the message says which role does). */
  public static final int ROLE_REQUIRED = 2011;
  /** The caller is muted in this room until the time the message gives. */
  public static final int MUTED = 2012;
  /** The caller is banned from this room by its moderators. */
  public static final int BANNED_FROM_ROOM = 2013;
  /** The other user does not accept direct messages (switched off, or blocked the caller). */
  public static final int DMS_REFUSED = 2014;
  /** Only the author may edit a message (and delete it, unless a moderator). */
  public static final int NOT_AUTHOR = 2015;

  public static final int NOT_FOUND = 3000;
  public static final int ROOM_NOT_FOUND = 3001;
  public static final int ROOM_EXISTS = 3002;
  public static final int NAME_TAKEN = 3003;
  /** No such message in that room (or it is deleted, for an edit or a reaction). */
  public static final int MESSAGE_NOT_FOUND = 3004;
  /** No such user known to the server. */
  public static final int USER_NOT_FOUND = 3005;
  /** The room is archived: readable, nothing can be posted or changed until it is unarchived. */
  public static final int ROOM_ARCHIVED = 3006;

  public static final int RATE_LIMITED = 4001;
  public static final int TOO_MANY_ROOMS = 4002;
  /** Sign-in attempts (login, register, guest) throttled per client address or per account name. */
  public static final int TOO_MANY_ATTEMPTS = 4003;
  /** A user created {@code limits.roomsPerUser} rooms, or the server holds {@code limits.maxRooms}. */
  public static final int ROOM_QUOTA = 4004;
  /** The server-wide message ceiling is reached, or the data directory is low on space; nothing stored. */
  public static final int STORAGE_LIMIT = 4005;
  /** The server or this client address holds as many connections as it may. */
  public static final int TOO_MANY_CONNECTIONS = 4006;

  public static final int INTERNAL = 5000;
  public static final int UNAVAILABLE = 5001;
  public static final int TIMEOUT = 5002;

  public static int httpStatus(int code) {
    return switch (code) {
      case PAYLOAD_TOO_LARGE -> 413;
      case UNAUTHENTICATED, BAD_CREDENTIALS -> 401;
      case FORBIDDEN, GUESTS_DISABLED, NOT_JOINED, ACCESS_DENIED, ORIGIN_NOT_ALLOWED, BANNED, REGISTRATION_DISABLED,
          ROLE_REQUIRED, MUTED, BANNED_FROM_ROOM, DMS_REFUSED, NOT_AUTHOR -> 403;
      case NOT_FOUND, ROOM_NOT_FOUND, MESSAGE_NOT_FOUND, USER_NOT_FOUND -> 404;
      case ROOM_EXISTS, NAME_TAKEN, ROOM_ARCHIVED -> 409;
      case RATE_LIMITED, TOO_MANY_ROOMS, TOO_MANY_ATTEMPTS, ROOM_QUOTA -> 429;
      case UNAVAILABLE, STORAGE_LIMIT, TOO_MANY_CONNECTIONS -> 503;
      case TIMEOUT -> 504;
      default -> code >= 1100 && code < 2000 ? 400 : 500;
    };
  }
}
