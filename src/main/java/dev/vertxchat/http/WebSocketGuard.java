package dev.vertxchat.http;

import dev.vertxchat.bridge.QuietLog;
import dev.vertxchat.bridge.SockJs;
import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.config.ChatConfig;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Guards a connection once it is a WebSocket (the raw endpoint or SockJS's WebSocket transport);
 * {@link ConnectionGuard} puts it into the pipeline, in front of whatever serves the WebSocket, when the
 * upgrade is answered:
 * <ul>
 *   <li>control frames: pings and pongs are answered here, at most {@code limits.controlFramesPerSecond};
 *       more closes the connection with 4003, and a ping that arrives while the client does not read what
 *       it is sent ({@code limits.maxQueuedBytes} waiting) closes it with 4004. Vert.x would answer every
 *       ping whether the client reads or not;</li>
 *   <li>a compressed message that inflates past the largest message allowed (the bounded
 *       permessage-deflate that {@link ConnectionGuard} installs fails it) closes the connection with 1009;</li>
 *   <li>idle timeout ({@code http.idleTimeoutMs}): a WebSocket that neither sends nor receives anything
 *       for this long is closed, like any HTTP connection. Netty's idle handler, which Vert.x installs,
 *       allocates a promise and a listener for every frame written; here a write only notes the time;</li>
 *   <li>whoever sends the server's close frame (the bridge, Vert.x's SockJS WebSocket), the TCP connection
 *       is gone {@value #CLOSING_TIMEOUT_MS} ms later at the latest, even when the client never reads the
 *       close frame (Vert.x's own closing timeout starts only once the frame is written); a client this
 *       guard cuts off for a flood gets {@value #CLOSE_GRACE_MS} ms.</li>
 * </ul>
 */
final class WebSocketGuard extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketGuard.class);
  private static final QuietLog CUT_OFF = new QuietLog(LOG, 10);
  /** How long a client cut off for a flood has to take the close frame. */
  private static final long CLOSE_GRACE_MS = 1000;
  /** How long any other client has to take the server's close frame (e.g. a slow consumer catching up on its backlog). */
  private static final long CLOSING_TIMEOUT_MS = 10_000;
  private static final int MAX_DRAINED_BYTES = 64 * 1024;

  private final ChatConfig config;
  private final String address;
  /** SockJS's WebSocket transport: a close also sends SockJS's close frame, which its clients report. */
  private final boolean sockJs;
  private boolean closing;
  private boolean closeScheduled;
  private long windowStart = System.nanoTime();
  private int controlFrames;
  private long drained;
  /** When a frame was last read or written ({@link System#nanoTime()}). */
  private long lastActivity = System.nanoTime();
  private ScheduledFuture<?> idleTimer;

  WebSocketGuard(ChatConfig config, String address, boolean sockJs) {
    this.config = config;
    this.address = address;
    this.sockJs = sockJs;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (config.idleTimeoutMs() > 0) {
      checkIdleIn(ctx, TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs()));
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
  }

  private void checkIdleIn(ChannelHandlerContext ctx, long delayNanos) {
    idleTimer = ctx.executor().schedule(() -> {
      long timeout = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
      long idle = System.nanoTime() - lastActivity;
      if (idle >= timeout) {
        idleTimer = null;
        LOG.debug("Closing idle WebSocket of {}", address);
        ctx.close();
      } else if (ctx.channel().isActive()) {
        checkIdleIn(ctx, timeout - idle);
      }
    }, delayNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handlerRemoved(ctx);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivity = System.nanoTime();
    if (closing) {
      drain(ctx, msg);
    } else if (msg instanceof PingWebSocketFrame || msg instanceof PongWebSocketFrame) {
      try {
        control(ctx, (WebSocketFrame) msg);
      } finally {
        ReferenceCountUtil.release(msg);
      }
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    lastActivity = System.nanoTime();
    if (msg instanceof CloseWebSocketFrame) {
      closeWithin(ctx, CLOSING_TIMEOUT_MS);
    }
    ctx.write(msg, promise);
  }

  /** The TCP connection goes after {@code delayMs}, whether or not the client answers the close frame. */
  private void closeWithin(ChannelHandlerContext ctx, long delayMs) {
    if (!closeScheduled) {
      closeScheduled = true;
      ctx.executor().schedule(() -> {
        ctx.close();
      }, delayMs, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (isDecompressionLimit(cause)) {
      if (!closing) {
        CUT_OFF.info("Closing the WebSocket of {}: a compressed message inflates past the frame limit", address);
        close(ctx, CloseCodes.TOO_BIG, "message too large");
      }
    } else {
      ctx.fireExceptionCaught(cause);
    }
  }

  private static boolean isDecompressionLimit(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof DecompressionException) {
        return true;
      }
    }
    return false;
  }

  private void control(ChannelHandlerContext ctx, WebSocketFrame frame) {
    long now = System.nanoTime();
    if (now - windowStart >= 1_000_000_000L) {
      windowStart = now;
      controlFrames = 0;
    }
    if (++controlFrames > config.controlFramesPerSecond()) {
      CUT_OFF.info("Closing the WebSocket of {}: more than {} control frames per second", address, config.controlFramesPerSecond());
      close(ctx, CloseCodes.PROTOCOL_ERROR, "too many control frames");
    } else if (frame instanceof PingWebSocketFrame) {
      if (ctx.channel().isWritable()) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retainedDuplicate()));
      } else {
        CUT_OFF.info("Closing the WebSocket of {}: it pings but does not read what it is sent", address);
        close(ctx, CloseCodes.SLOW_CONSUMER, "slow consumer");
      }
    }
  }

  /**
   * Starts the closing handshake: sends a close frame; the TCP connection closes when the client answers
   * with its own, or after a grace period. Meanwhile what the client sends is read and dropped (so its
   * last frames do not turn the close into a reset that loses the close frame), up to
   * {@value #MAX_DRAINED_BYTES} bytes; a client that sends more stops being read. The close goes from
   * here towards the socket, past Vert.x's WebSocket handler, which would otherwise wait on its own.
   */
  private void close(ChannelHandlerContext ctx, int code, String reason) {
    closing = true;
    if (sockJs) {
      ctx.write(new TextWebSocketFrame(SockJs.close(code, reason)));
    }
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason));
    closeWithin(ctx, CLOSE_GRACE_MS);
  }

  /** A frame that arrives after the server's close frame. */
  private void drain(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof CloseWebSocketFrame) {
        ctx.close();
      } else if (msg instanceof ByteBufHolder holder && (drained += holder.content().readableBytes()) > MAX_DRAINED_BYTES) {
        ctx.channel().config().setAutoRead(false);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }
}
