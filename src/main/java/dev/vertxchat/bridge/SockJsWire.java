package dev.vertxchat.bridge;

import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * A SockJS socket (any SockJS transport). What waits to be sent is counted from write to transport
 * completion; past {@code maxQueued} characters the client counts as too slow.
 */
final class SockJsWire implements Wire {
  private final SockJSSocket socket;
  private final long maxQueued;
  private long queued;

  SockJsWire(SockJSSocket socket, long maxQueued) {
    this.socket = socket;
    this.maxQueued = maxQueued;
  }

  @Override
  public boolean write(String frame) {
    int size = frame.length();
    if (queued + size > maxQueued) {
      return false;
    }
    queued += size;
    socket.write(frame).onComplete(ar -> queued -= size);
    return true;
  }

  @Override
  public boolean write(SharedFrame frame) {
    return write(frame.text);
  }

  @Override
  public void close(int code, String reason) {
    socket.close(code, reason);
  }
}
