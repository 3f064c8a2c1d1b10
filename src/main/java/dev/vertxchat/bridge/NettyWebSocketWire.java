package dev.vertxchat.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import dev.vertxchat.bus.CloseCodes;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.DecodeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * The WebSocket fast path, and the one class that depends on Vert.x internals
 * ({@code io.vertx.core.internal}): after Vert.x performed the upgrade, this handler takes the place of
 * Vert.x's WebSocket in the Netty pipeline and speaks WebSocket frames with Netty directly, in raw or
 * SockJS framing. That saves, per connection, Vert.x's WebSocket and HTTP connection objects (two write
 * queues among them, about 10 KB of heap) and, per frame, a dispatch through them. A room message's
 * complete frame is built once and its bytes are shared by every socket ({@link SharedFrame}), and the
 * frames written in one event-loop turn leave in one flush.
 *
 * <p>If a Vert.x upgrade changes these internals, {@link #available} turns false or the bridge tests of
 * the fast path fail; {@code http.webSocketFastPath=false} switches to {@link VertxWebSocketWire} (the
 * same protocol over Vert.x's public {@link ServerWebSocket} API, slower).
 *
 * <p>Everything runs on the connection's event loop, the one the HTTP verticle runs on; the bridge's
 * handlers are called inside the verticle's context. The channel's high water mark (set by the
 * connection guard at the upgrade) is {@code limits.maxQueuedBytes}: past it the client is too slow.
 *
 * <p>Longer than 300 lines because it is one Netty handler for one protocol: reading (fragments,
 * control frames, close handshake) and writing (batched flushes, backpressure) share the channel's state,
 * and splitting them would spread that state over classes that must always change together.
 */
final class NettyWebSocketWire extends ChannelInboundHandlerAdapter implements Wire {
  private static final Logger LOG = LoggerFactory.getLogger(NettyWebSocketWire.class);

  private final ContextInternal context;
  private final boolean sockJs;
  private ChannelHandlerContext ctx;
  private Handler<String> textHandler = text -> { };
  private Handler<Void> tooLargeHandler = v -> { };
  private Handler<Void> closeHandler = v -> { };
  private boolean flushScheduled;
  private boolean closing;
  private boolean closed;
  private long lastWrite = System.currentTimeMillis();

  private NettyWebSocketWire(ContextInternal context, boolean sockJs) {
    this.context = context;
    this.sockJs = sockJs;
  }

  /** Whether this Vert.x has the internals the fast path uses. */
  static boolean available(Vertx vertx) {
    try {
      return vertx.getOrCreateContext() instanceof ContextInternal && WebSocketInternal.class.getMethod("channelHandlerContext") != null;
    } catch (NoSuchMethodException | LinkageError e) {
      return false;
    }
  }

  /**
   * Takes the connection of a freshly upgraded WebSocket over from Vert.x; {@code sockJs}: SockJS
   * framing (the {@code o} frame goes out at once). Call on the verticle's event loop right after the
   * upgrade, before any frame of the client was handled.
   */
  static NettyWebSocketWire takeOver(ServerWebSocket ws, Vertx vertx, boolean sockJs, int maxMessageBytes) {
    ContextInternal context = ((ContextInternal) vertx.getOrCreateContext()).unwrap();
    ChannelHandlerContext vertxHandler = ((WebSocketInternal) ws).channelHandlerContext();
    ChannelPipeline pipeline = vertxHandler.pipeline();
    NettyWebSocketWire wire = new NettyWebSocketWire(context, sockJs);
    pipeline.addBefore(vertxHandler.name(), "vertxchat-aggregator", new WebSocketFrameAggregator(maxMessageBytes));
    pipeline.replace(vertxHandler.name(), "vertxchat-bridge", wire);
    if (sockJs) {
      wire.send(new TextWebSocketFrame(SockJs.OPEN));
    }
    return wire;
  }


  @Override
  public String transport() {
    return sockJs ? "sockjs-websocket" : "websocket";
  }

  @Override
  public void bind(Handler<String> text, Handler<Void> tooLarge, Handler<Void> closed) {
    this.textHandler = text;
    this.tooLargeHandler = tooLarge;
    this.closeHandler = closed;
    if (ctx != null && !ctx.channel().isActive()) {
      closed();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof TextWebSocketFrame text) {
        received(text.text());
      } else if (msg instanceof BinaryWebSocketFrame binary) {
        received(binary.content().toString(StandardCharsets.UTF_8));
      } else if (msg instanceof CloseWebSocketFrame close) {
        if (!closing) {
          // the client closes: answer with its status, then the TCP connection goes
          closing = true;
          int status = close.statusCode();
          CloseWebSocketFrame answer = status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, "");
          ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        } else {
          // the client's answer to our close: the closing handshake is complete
          ctx.close();
        }
      }
      // pings and pongs are answered (and limited) by the connection guard in front of this handler
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void received(String payload) {
    if (closing) {
      return;
    }
    if (!sockJs) {
      context.emit(payload, textHandler);
      return;
    }
    try {
      for (String message : SockJs.decode(payload)) {
        context.emit(message, textHandler);
      }
    } catch (DecodeException e) {
      close(CloseCodes.PROTOCOL_ERROR, "broken SockJS framing");
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
      LOG.debug("WebSocket error: {}", cause.toString());
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
    ByteBuf encoded = SharedFrame.encode(sockJs ? SockJs.message(frame) : frame);
    send(encoded);
    return true;
  }

  @Override
  public boolean write(SharedFrame frame) {
    if (closing || !ctx.channel().isWritable()) {
      return closing;
    }
    // the complete frame, header included: it passes the WebSocket encoder untouched (a ByteBuf is
    // not a WebSocketFrame), so no frame object and no header buffer per socket
    send(frame.webSocketFrame(sockJs));
    return true;
  }

  @Override
  public void heartbeat(long now) {
    if (sockJs && !closing && now - lastWrite >= EventBusBridge.HEARTBEAT_MS && ctx.channel().isWritable()) {
      send(new TextWebSocketFrame(SockJs.HEARTBEAT));
    }
  }

  private void send(Object frame) {
    if (ctx.executor().inEventLoop()) {
      lastWrite = System.currentTimeMillis();
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
      Flusher.of(ctx.executor()).add(this);
    }
  }

  private void flush() {
    flushScheduled = false;
    ctx.flush();
  }

  /**
   * The sockets of one event loop written to in this turn, flushed together by one task: a message to a
   * room of 1,000 queues one task, not 1,000 (each a task-queue insertion, and for the first one of a
   * turn a wake-up of the selector).
   */
  private static final class Flusher implements Runnable {
    private static final FastThreadLocal<Flusher> OF_THREAD = new FastThreadLocal<>();
    private final EventExecutor executor;
    private ArrayList<NettyWebSocketWire> pending = new ArrayList<>();
    private ArrayList<NettyWebSocketWire> spare = new ArrayList<>();

    private Flusher(EventExecutor executor) {
      this.executor = executor;
    }

    /** The flusher of the calling event loop's thread, the executor of the sockets it is given. */
    static Flusher of(EventExecutor executor) {
      Flusher flusher = OF_THREAD.get();
      if (flusher == null || flusher.executor != executor) {
        flusher = new Flusher(executor);
        OF_THREAD.set(flusher);
      }
      return flusher;
    }

    void add(NettyWebSocketWire wire) {
      if (pending.isEmpty()) {
        executor.execute(this);
      }
      pending.add(wire);
    }

    @Override
    public void run() {
      // what a flush writes (e.g. a close on a failed write) may schedule flushes: they go to the next task
      ArrayList<NettyWebSocketWire> batch = pending;
      pending = spare;
      try {
        for (NettyWebSocketWire wire : batch) {
          try {
            wire.flush();
          } catch (RuntimeException e) {
            LOG.debug("Flush failed: {}", e.toString());
          }
        }
      } finally {
        batch.clear();
        spare = batch;
      }
    }
  }

  @Override
  public void close(int code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    // SockJS: the close frame first (what sockjs-client reports), then the WebSocket close with the same
    // code. The TCP connection goes when the client answers with its close frame (above), or when the
    // WebSocket guard in front gives up waiting (10 s): closing it at once would reset a connection the
    // client is still sending on (the rest of an oversize message), and a reset can destroy the close
    // frame and the error before them in the client's receive buffer. What the client sends meanwhile
    // is read and dropped.
    Runnable doClose = () -> {
      if (sockJs) {
        ctx.write(new TextWebSocketFrame(SockJs.close(code, reason)), ctx.voidPromise());
      }
      ctx.writeAndFlush(new CloseWebSocketFrame(code, reason), ctx.voidPromise());
    };
    if (ctx.executor().inEventLoop()) {
      doClose.run();
    } else {
      ctx.executor().execute(doClose);
    }
  }
}
