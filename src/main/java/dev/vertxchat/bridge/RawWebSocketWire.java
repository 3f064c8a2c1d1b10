package dev.vertxchat.bridge;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The raw WebSocket endpoint after its handshake: Vert.x performs the upgrade, then this handler takes
 * the place of Vert.x's WebSocket in the channel pipeline and speaks WebSocket frames with Netty
 * directly. That saves, per connection, Vert.x's WebSocket and HTTP connection objects (two write
 * queues of 1,024 slots each among them, about 10 KB of heap) and, per frame, a dispatch through
 * them. On the fan-out path a room message's complete WebSocket frame is built once and its bytes are
 * shared by every socket, and frames written in one event-loop turn leave in one flush.
 *
 * <p>Everything runs on the connection's event loop, the one the HTTP verticle runs on; the bridge's
 * handlers are called inside the verticle's context. Slow consumers: the channel's high water mark is
 * {@code maxQueued} bytes; once more than that waits in the server the client counts as too slow.
 */
final class RawWebSocketWire extends ChannelInboundHandlerAdapter implements Wire {
  private static final Logger LOG = LoggerFactory.getLogger(RawWebSocketWire.class);

  private final ContextInternal context;
  private ChannelHandlerContext ctx;
  private Handler<String> textHandler = text -> { };
  private Handler<Void> tooLargeHandler = v -> { };
  private Handler<Void> closeHandler = v -> { };
  private boolean flushScheduled;
  private boolean closing;
  private boolean closed;
  private final Runnable flush = this::flush;

  private RawWebSocketWire(ContextInternal context) {
    this.context = context;
  }

  /**
   * Takes the connection of a freshly upgraded WebSocket over from Vert.x. Call on the verticle's event
   * loop right after the upgrade, before any frame of the client was handled.
   */
  static RawWebSocketWire takeOver(ServerWebSocket ws, ContextInternal context, int maxQueued, int maxMessageBytes) {
    ChannelHandlerContext vertx = ((WebSocketInternal) ws).channelHandlerContext();
    ChannelPipeline pipeline = vertx.pipeline();
    RawWebSocketWire wire = new RawWebSocketWire(context);
    pipeline.addBefore(vertx.name(), "vertxchat-aggregator", new WebSocketFrameAggregator(maxMessageBytes));
    pipeline.replace(vertx.name(), "vertxchat-bridge", wire);
    pipeline.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueued / 2, maxQueued));
    return wire;
  }

  RawWebSocketWire textHandler(Handler<String> handler) {
    this.textHandler = handler;
    return this;
  }

  /** Called when a client message is larger than the limit; the handler answers and closes. */
  RawWebSocketWire tooLargeHandler(Handler<Void> handler) {
    this.tooLargeHandler = handler;
    return this;
  }

  /** Called once when the connection is gone, whoever closed it. */
  RawWebSocketWire closeHandler(Handler<Void> handler) {
    this.closeHandler = handler;
    if (ctx != null && !ctx.channel().isActive()) {
      closed();
    }
    return this;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof TextWebSocketFrame text) {
        if (!closing) {
          context.emit(text.text(), textHandler);
        }
      } else if (msg instanceof BinaryWebSocketFrame binary) {
        if (!closing) {
          context.emit(binary.content().toString(StandardCharsets.UTF_8), textHandler);
        }
      } else if (msg instanceof CloseWebSocketFrame close) {
        // the client closes: answer with its status, then the TCP connection goes
        if (!closing) {
          closing = true;
          int status = close.statusCode();
          CloseWebSocketFrame answer = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, "");
          ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        }
      }
      // pings and pongs are answered (and limited) by the connection guard in front of this handler
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException && !closing) {
      context.emit(null, tooLargeHandler);
    } else {
      LOG.debug("Raw WebSocket error: {}", cause.toString());
      ctx.close();
    }
  }

  private void closed() {
    if (!closed) {
      closed = true;
      closing = true;
      context.emit(null, closeHandler);
    }
  }

  @Override
  public boolean write(String frame) {
    if (closing || !ctx.channel().isWritable()) {
      return closing;
    }
    // the same encoding as fan-out frames, so a reply over 64 KiB (a history page) is split into
    // continuation frames too, which clients with the usual 64 KiB frame limit accept
    SharedFrame encoded = new SharedFrame(frame);
    send(encoded.webSocketFrame());
    encoded.release();
    return true;
  }

  @Override
  public boolean write(SharedFrame frame) {
    if (closing || !ctx.channel().isWritable()) {
      return closing;
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
    if (closing) {
      return;
    }
    closing = true;
    // a client that does not read never takes the close frame: the WebSocket guard in front closes the
    // connection after its closing timeout anyway
    Runnable doClose = () -> ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    if (ctx.executor().inEventLoop()) {
      doClose.run();
    } else {
      ctx.executor().execute(doClose);
    }
  }
}
