package dev.vertxchat.bridge;

/** Why the server closed a bridge connection (WebSocket close code, also sent in SockJS close frames). */
public final class CloseCodes {
  private CloseCodes() {}

  /** The server is shutting down; reconnect later. */
  public static final int GOING_AWAY = 1001;
  /** A frame was larger than limits.maxFrameBytes. */
  public static final int TOO_BIG = 1009;
  /** The connection's token expired: get a new token, then reconnect. */
  public static final int TOKEN_EXPIRED = 4001;
  /** Nothing (not even a ping) arrived within limits.pingTimeoutMs. */
  public static final int PING_TIMEOUT = 4002;
  /** The client kept sending malformed frames or flooded the connection. */
  public static final int PROTOCOL_ERROR = 4003;
  /** The client did not read what the server wrote and its write queue overflowed. */
  public static final int SLOW_CONSUMER = 4004;
}
