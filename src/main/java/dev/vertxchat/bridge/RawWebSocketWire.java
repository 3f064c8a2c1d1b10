package dev.vertxchat.bridge;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * The raw WebSocket endpoint, written at the Netty level (Vert.x's internal WebSocket API) for two
 * savings on the fan-out path: a room message's complete WebSocket frame is built once and its bytes
 * are shared by every socket instead of being encoded per socket, and frames written in one event-loop
 * turn leave in one flush (one system call per socket per turn instead of one per frame). Writes happen on the connection's event loop, the
 * one the HTTP verticle runs on.
 *
 * <p>Slow consumers: the channel's high water mark is {@code maxQueued} bytes; once more than that
 * waits in the server the client counts as too slow.
 */
final class RawWebSocketWire implements Wire {
  private final ServerWebSocket ws;
  private final ChannelHandlerContext ctx;
  private boolean flushScheduled;
  private final Runnable flush = this::flush;

  RawWebSocketWire(ServerWebSocket ws, int maxQueued) {
    this.ws = ws;
    this.ctx = ((WebSocketInternal) ws).channelHandlerContext();
    ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueued / 2, maxQueued));
  }

  @Override
  public boolean write(String frame) {
    if (!ctx.channel().isWritable()) {
      return false;
    }
    send(new TextWebSocketFrame(ByteBufUtil.writeUtf8(ctx.alloc(), frame)));
    return true;
  }

  @Override
  public boolean write(SharedFrame frame) {
    if (!ctx.channel().isWritable()) {
      return false;
    }
    // the complete frame, header included: it passes the WebSocket encoder untouched (a ByteBuf is
    // not a WebSocketFrame), so no frame object and no header buffer per socket
    send(frame.webSocketFrame());
    return true;
  }

  private void send(Object frame) {
    if (ctx.executor().inEventLoop()) {
      ctx.write(frame, ctx.voidPromise());
      scheduleFlush();
    } else {
      // not expected (the verticle runs on the connection's event loop), but never write off-thread
      ctx.executor().execute(() -> send(frame));
    }
  }

  /** One flush after everything this event-loop turn writes to the socket. */
  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.executor().execute(flush);
    }
  }

  private void flush() {
    flushScheduled = false;
    ctx.flush();
  }

  @Override
  public void close(int code, String reason) {
    ctx.flush();
    ws.close((short) code, reason);
  }
}
