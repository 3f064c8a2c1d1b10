package dev.vertxchat.bus;

/**
 * Why the server closed a bridge connection: the WebSocket close status on the raw endpoint, and the
 * code of the SockJS close frame {@code c[code,"reason"]} on every SockJS transport (which the client
 * also reports as the close event's code).
 *
 * <p>Codes come in ranges that tell a client what to do, so a client can act on a code it does not know:
 * <ul>
 *   <li>4100-4199: reconnect with backoff (transient: the connection fell silent, or did not keep up);</li>
 *   <li>4200-4299: get a new token, then reconnect at once;</li>
 *   <li>4400-4499: do not reconnect: the client broke the protocol and must be fixed.</li>
 * </ul>
 * Two WebSocket standard codes are used where they fit: 1001 (reconnect with backoff) and 1009
 * (do not reconnect). No close code is also an {@link ErrorCodes error code}. The same table is in
 * docs/PROTOCOL.md.
 */
public final class CloseCodes {
  private CloseCodes() {}

  /** The server is shutting down or restarting; reconnect with backoff. */
  public static final int GOING_AWAY = 1001;
  /** A frame was larger than limits.maxFrameBytes; do not reconnect. */
  public static final int TOO_BIG = 1009;
  /** Nothing (not even a ping) arrived within limits.pingTimeoutMs; reconnect with backoff. (Was 4002.) */
  public static final int PING_TIMEOUT = 4100;
  /** The client did not read what the server wrote (limits.maxQueuedBytes); reconnect with backoff. (Was 4004.) */
  public static final int SLOW_CONSUMER = 4101;
  /** An operator closed the user's connections (admin API); reconnect with backoff. */
  public static final int DISCONNECTED = 4102;
  /** The connection's token expired: get a new token, then reconnect. (Was 4001.) */
  public static final int TOKEN_EXPIRED = 4200;
  /** The client kept sending malformed frames or flooded the connection; do not reconnect. (Was 4003.) */
  public static final int PROTOCOL_ERROR = 4400;
  /** The user is banned by an operator; do not reconnect (the token is refused until unbanned). */
  public static final int BANNED = 4401;

  /** What a client should do after a close with {@code code}. */
  public enum Action { RECONNECT_WITH_BACKOFF, RENEW_TOKEN_AND_RECONNECT, DO_NOT_RECONNECT }

  public static Action action(int code) {
    if (code >= 4200 && code <= 4299) {
      return Action.RENEW_TOKEN_AND_RECONNECT;
    }
    if ((code >= 4400 && code <= 4499) || code == TOO_BIG) {
      return Action.DO_NOT_RECONNECT;
    }
    return Action.RECONNECT_WITH_BACKOFF;
  }
}
