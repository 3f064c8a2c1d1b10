package dev.vertxchat.bridge;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * How a bridge connection reaches its client: a WebSocket (raw or SockJS framing, on the fast path or
 * Vert.x's public API) or a SockJS session over XHR. Touched only on the connection's context.
 *
 * <p>Backpressure rule, the same on every wire: a frame is accepted while less than
 * {@code limits.maxQueuedBytes} wait to be sent to the client; otherwise the write is refused and the
 * client counts as too slow. So a single reply larger than that budget (a history page) is still
 * delivered whole to a client that reads, and a client that stops reading holds at most the budget
 * plus one frame.
 */
interface Wire {
  /**
   * The transport, as the bridge's close line names it: {@code websocket} (the raw endpoint),
   * {@code sockjs-websocket}, {@code xhr-streaming} or {@code xhr-polling}.
   */
  String transport();

  /** Writes one frame; false when the client is too slow and the frame was not written. */
  boolean write(String frame);

  /** Writes a frame encoded once for all connections; false as for {@link #write(String)}. */
  boolean write(SharedFrame frame);

  /** Closes with a code the client receives (WebSocket close status and/or SockJS close frame). */
  void close(int code, String reason);

  /**
   * Sets the handlers: each client message, a client message over the size limit, and the end of the
   * connection (once, whoever closed it). Called once, right after the bridge connection is created.
   */
  void bind(Handler<String> text, Handler<Void> tooLarge, Handler<Void> closed);

  /**
   * Completes when the close frame has been handed to the client's connection (a SockJS session over
   * XHR waits for its client's next request for it); already complete for WebSockets.
   */
  default Future<Void> closeDelivered() {
    return Future.succeededFuture();
  }

  /** Called every few seconds: a SockJS wire sends a heartbeat when it has sent nothing for a while. */
  default void heartbeat(long now) {
  }
}
