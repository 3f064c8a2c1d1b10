package dev.vertxchat.bridge;

/** How a bridge connection reaches its client: a SockJS socket, or a raw WebSocket handled directly. */
interface Wire {
  /** Writes one frame; returns false when the client is too slow and the frame was not written. */
  boolean write(String frame);

  /** Writes a fan-out frame encoded once for all connections; false as for {@link #write(String)}. */
  boolean write(SharedFrame frame);

  void close(int code, String reason);
}
