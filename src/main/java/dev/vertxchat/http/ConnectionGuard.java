package dev.vertxchat.http;

import dev.vertxchat.bridge.Connections;
import dev.vertxchat.bridge.QuietLog;
import dev.vertxchat.bridge.EventBusBridge;
import dev.vertxchat.bridge.SockJs;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.config.ChatConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.Http2ServerConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Guards one TCP connection of the HTTP server, from accept to close, whatever it turns into (plain
 * HTTP, SockJS polling, the raw or the SockJS WebSocket). It sits in the Netty pipeline just in front of
 * Vert.x's own handler:
 * <ul>
 *   <li>connection caps: past {@code http.maxConnections} in total or {@code http.maxConnectionsPerAddress}
 *       from one address (trusted proxies exempt), the connection's first request is answered 503 with
 *       code 4006 and the connection closed;</li>
 *   <li>header timeout: a request's headers must be complete within {@code http.headerTimeoutMs} of the
 *       connection opening or of the previous response ending (slowloris, silent connections, idle
 *       keep-alive);</li>
 *   <li>body timeout and budget: a request's body must be complete within {@code http.bodyTimeoutMs} of
 *       its headers, and the bodies still arriving on all connections together may hold at most
 *       {@code http.maxPendingBodyBytes}; past either the connection is closed (slow or stalled uploads
 *       would otherwise hold their buffered bodies for as long as they trickle);</li>
 *   <li>idle timeout: Vert.x's idle handler ({@code http.idleTimeoutMs}) fires here until the connection
 *       is a WebSocket; then the {@link WebSocketGuard} keeps the same timeout;</li>
 *   <li>WebSockets: permessage-deflate inflates a message to at most the largest message allowed, the
 *       write buffer's high water mark is {@code limits.maxQueuedBytes}, and a {@link WebSocketGuard}
 *       takes over once the upgrade is answered.</li>
 * </ul>
 * With TLS, the guard starts after the handshake (which has to complete within {@code http.headerTimeoutMs});
 * an HTTP/2 connection (ALPN {@code h2}) only counts against the caps, see {@link #install}.
 *
 * <p>Longer than 300 lines because each of these bounds is a few lines on the same per-connection state
 * (request phase, timers, byte counts) in one pipeline handler; apart, they would need to share it.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final QuietLog CUT_OFF = new QuietLog(LOG, 10);
  /** The name of Vert.x's WebSocket extension handler in a connection's pipeline. */
  private static final String EXTENSIONS = "webSocketExtensionHandler";
  /** The names of Vert.x's idle handler ({@code http.idleTimeoutMs}) and of its chunked writer. */
  private static final String IDLE = "idle";
  private static final String CHUNKED_WRITER = "chunkedWriter";
  private static final long CLOSE_GRACE_MS = 1000;

  /** What every guard of an HTTP server shares. */
  record Settings(ChatConfig config, ClientAddress addresses, Connections counts) {}

  private final Settings settings;
  private final String address;
  private final boolean counted;
  private ScheduledFuture<?> headerTimer;
  private ScheduledFuture<?> bodyTimer;
  /** Bytes of the body of the request being read (counted in {@link Connections#addPendingBodyBytes}). */
  private long bodyBytes;
  private int pendingRequests;
  private boolean upgraded;
  /** The path of the request being answered (the last one read: HTTP/1.1 answers in order). */
  private String requestPath;
  /** Over a cap: the refusal has been answered. */
  private boolean refused;
  private boolean released;

  private ConnectionGuard(Settings settings, String address, boolean counted) {
    this.settings = settings;
    this.address = address;
    this.counted = counted;
  }

  /**
   * Installs a guard on a new connection; call from the server's connection handler. An HTTP/2
   * connection (TLS with ALPN {@code h2}) is only counted against the caps (over one it is closed at
   * once); its streams have HTTP/2's own bounds, and the idle timeout applies as to any connection.
   */
  static void install(HttpConnection connection, Settings settings) {
    if (!(connection instanceof HttpServerConnection internal)) {
      return;
    }
    String peer = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    ChatConfig config = settings.config();
    int perAddress = settings.addresses().trustedProxy(peer) ? 0 : config.maxConnectionsPerAddress();
    String key = ClientAddress.key(peer);
    boolean counted = settings.counts().tryOpen(key, config.maxConnections(), perAddress);
    if (connection instanceof Http2ServerConnection) {
      if (!counted) {
        CUT_OFF.warn("Closing an HTTP/2 connection from {}: over http.maxConnections or http.maxConnectionsPerAddress", key);
        connection.close();
      } else {
        connection.closeHandler(v -> settings.counts().close(key));
      }
      return;
    }
    ChannelHandlerContext vertx = internal.channelHandlerContext();
    ChannelPipeline pipeline = vertx.pipeline();
    if (pipeline.get(EXTENSIONS) != null) {
      // Vert.x's permessage-deflate inflates a frame without bound before any size check (a 64 KB frame of
      // zeros is 60 MB); the same extension with the inflated size capped at the largest message allowed
      int maxInflated = config.maxFrameBytes() + EventBusBridge.FRAME_SLACK;
      pipeline.replace(EXTENSIONS, EXTENSIONS, new WebSocketServerExtensionHandler(new PerMessageDeflateServerExtensionHandshaker(
          HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL, ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
          PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, HttpServerOptions.DEFAULT_WEBSOCKET_ALLOW_SERVER_NO_CONTEXT,
          HttpServerOptions.DEFAULT_WEBSOCKET_PREFERRED_CLIENT_NO_CONTEXT, maxInflated)));
    }
    pipeline.addBefore(vertx.name(), "vertxchat-guard", new ConnectionGuard(settings, key, counted));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    armHeaderTimer(ctx, counted ? settings.config().headerTimeoutMs() : CLOSE_GRACE_MS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!counted) {
      refuse(ctx, msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      String uri = request.uri();
      int query = uri.indexOf('?');
      requestPath = query < 0 ? uri : uri.substring(0, query);
      pendingRequests++;
      cancelHeaderTimer();
      armBodyTimer(ctx);
    }
    if (msg instanceof HttpContent content && !upgraded && !body(ctx, content)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse informational && informational.status().codeClass() == HttpStatusClass.INFORMATIONAL
        && informational.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      ctx.write(msg, promise); // 100 Continue: the response to come is still pending
      return;
    }
    if (msg instanceof HttpResponse response && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      upgraded = true;
      cancelHeaderTimer();
      int maxQueued = settings.config().maxQueuedBytes();
      ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueued / 2, maxQueued));
      boolean sockJs = requestPath != null && requestPath.startsWith(HttpVerticle.BRIDGE_PATH + "/")
          && SockJs.WEBSOCKET_PATH.matcher(requestPath.substring(HttpVerticle.BRIDGE_PATH.length() + 1)).matches();
      ctx.pipeline().addAfter(ctx.name(), "vertxchat-websocket-guard", new WebSocketGuard(settings.config(), address, sockJs));
      dropHttpOnlyHandlers(ctx, promise);
    } else if (!upgraded && msg instanceof LastHttpContent && pendingRequests > 0 && --pendingRequests == 0) {
      armHeaderTimer(ctx, settings.config().headerTimeoutMs());
    }
    ctx.write(msg, promise);
  }

  /**
   * Once a connection is a WebSocket, two of Vert.x's HTTP handlers only cost time on every frame: the
   * idle handler turns each write's void promise into a real one with a listener (the WebSocket guard
   * keeps the idle timeout instead, without either), and the chunked writer (for files) queues every
   * write until the flush. The idle handler goes at once; the chunked writer when the upgrade response
   * has been written, so nothing it still holds is lost (with a void promise it stays).
   */
  private static void dropHttpOnlyHandlers(ChannelHandlerContext ctx, ChannelPromise upgrade) {
    ChannelPipeline pipeline = ctx.pipeline();
    if (pipeline.get(IDLE) instanceof IdleStateHandler) {
      pipeline.remove(IDLE);
    }
    if (!upgrade.isVoid()) {
      upgrade.addListener(written -> {
        if (pipeline.get(CHUNKED_WRITER) instanceof ChunkedWriteHandler) {
          pipeline.remove(CHUNKED_WRITER);
        }
      });
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      LOG.debug("Closing idle connection from {}", address);
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    cancelHeaderTimer();
    bodyDone();
    if (counted && !released) {
      released = true;
      settings.counts().close(address);
    }
  }

  /** Over a connection cap: the first request gets a clear answer, then the connection closes. */
  private void refuse(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
    if (!(msg instanceof HttpRequest) || refused) {
      return;
    }
    refused = true;
    byte[] body = new JsonObject().put("error", new JsonObject().put("code", ErrorCodes.TOO_MANY_CONNECTIONS)
        .put("message", "too many connections, try again later")).encode().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.RETRY_AFTER, 5)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** Counts a piece of a request body; false when the connection was closed for it. */
  private boolean body(ChannelHandlerContext ctx, HttpContent content) {
    int size = content.content().readableBytes();
    bodyBytes += size;
    long pending = settings.counts().addPendingBodyBytes(size);
    if (content instanceof LastHttpContent) {
      bodyDone();
    } else if (pending > settings.config().maxPendingBodyBytes()) {
      CUT_OFF.warn("Closing a connection from {}: request bodies still arriving hold more than http.maxPendingBodyBytes = {}",
          address, settings.config().maxPendingBodyBytes());
      bodyDone();
      ctx.close();
      return false;
    }
    return true;
  }

  /** The body of the current request is complete (or the connection gone): it no longer counts. */
  private void bodyDone() {
    if (bodyTimer != null) {
      bodyTimer.cancel(false);
      bodyTimer = null;
    }
    if (bodyBytes > 0) {
      settings.counts().addPendingBodyBytes(-bodyBytes);
      bodyBytes = 0;
    }
  }

  private void armBodyTimer(ChannelHandlerContext ctx) {
    if (bodyTimer != null) {
      bodyTimer.cancel(false);
    }
    long delayMs = settings.config().bodyTimeoutMs();
    bodyTimer = ctx.executor().schedule(() -> {
      bodyTimer = null;
      if (ctx.channel().isActive()) {
        LOG.debug("Closing connection from {}: request body not complete within {} ms", address, delayMs);
        ctx.close();
      }
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  private void armHeaderTimer(ChannelHandlerContext ctx, long delayMs) {
    cancelHeaderTimer();
    headerTimer = ctx.executor().schedule(() -> {
      headerTimer = null;
      if (pendingRequests == 0 && !upgraded && ctx.channel().isActive()) {
        LOG.debug("Closing connection from {}: no complete request headers within {} ms", address, delayMs);
        ctx.close();
      }
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  private void cancelHeaderTimer() {
    if (headerTimer != null) {
      headerTimer.cancel(false);
      headerTimer = null;
    }
  }
}
