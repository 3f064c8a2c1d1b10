package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same WebSocket protocol as {@link NettyWebSocketWire} (raw or SockJS framing, the fragmentation
 * rule of {@link SharedFrame}, the same limits and close codes) over Vert.x's public
 * {@link ServerWebSocket} API only: the fallback when {@code http.webSocketFastPath} is false. Slower
 * (Vert.x's write queue and objects per connection, a frame object per write) but independent of
 * Vert.x internals. Client messages are assembled here from their frames, up to the size limit.
 */
final class VertxWebSocketWire implements Wire {
  private static final Logger LOG = LoggerFactory.getLogger(VertxWebSocketWire.class);
  /** UTF-16 units per fragment: at most 3 UTF-8 bytes each, so a fragment stays within 64 KiB. */
  private static final int FRAGMENT_CHARS = SharedFrame.MAX_FRAGMENT / 3;

  private final ServerWebSocket ws;
  private final boolean sockJs;
  private final int maxMessageBytes;
  private Handler<String> textHandler = text -> { };
  private Handler<Void> tooLargeHandler = v -> { };
  private Handler<Void> closeHandler = v -> { };
  private Buffer message;
  private boolean dropping;
  private boolean closing;
  private boolean closed;
  private long lastWrite = System.currentTimeMillis();
  /** Bytes handed to Vert.x and not yet written to the socket. */
  private long queued;
  private final long maxQueued;

  VertxWebSocketWire(ServerWebSocket ws, boolean sockJs, int maxMessageBytes, long maxQueued) {
    this.ws = ws;
    this.maxQueued = maxQueued;
    this.sockJs = sockJs;
    this.maxMessageBytes = maxMessageBytes;
    ws.frameHandler(this::frame);
    ws.exceptionHandler(err -> LOG.debug("WebSocket error: {}", err.toString()));
    ws.closeHandler(v -> closed());
    if (sockJs) {
      writeText(SockJs.OPEN);
    }
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
    if (ws.isClosed()) {
      closed();
    }
  }

  private void frame(WebSocketFrame frame) {
    if (closing || !(frame.isText() || frame.isBinary() || frame.isContinuation())) {
      return; // control frames: Vert.x answers pings, the connection guard limits them
    }
    if (!frame.isContinuation()) {
      message = null;
      dropping = false;
    }
    if (dropping) {
      return;
    }
    Buffer data = frame.binaryData();
    if (message == null) {
      message = frame.isFinal() ? data : Buffer.buffer().appendBuffer(data);
    } else {
      message.appendBuffer(data);
    }
    if (message.length() > maxMessageBytes) {
      message = null;
      dropping = true;
      tooLargeHandler.handle(null);
      return;
    }
    if (frame.isFinal()) {
      String payload = message.toString();
      message = null;
      received(payload);
    }
  }

  private void received(String payload) {
    if (!sockJs) {
      textHandler.handle(payload);
      return;
    }
    try {
      for (String text : SockJs.decode(payload)) {
        if (!closing) {
          textHandler.handle(text);
        }
      }
    } catch (DecodeException e) {
      close(CloseCodes.PROTOCOL_ERROR, "broken SockJS framing");
    }
  }

  private void closed() {
    if (!closed) {
      closed = true;
      closing = true;
      closeHandler.handle(null);
    }
  }

  @Override
  public boolean write(String frame) {
    if (closing || queued >= maxQueued) {
      return closing;
    }
    writeText(sockJs ? SockJs.message(frame) : frame);
    return true;
  }

  @Override
  public boolean write(SharedFrame frame) {
    if (closing || queued >= maxQueued) {
      return closing;
    }
    writeText(sockJs ? frame.sockJsText() : frame.text);
    return true;
  }

  /** One text message, in fragments of at most 64 KiB (split between UTF-16 surrogates never). */
  private void writeText(String text) {
    lastWrite = System.currentTimeMillis();
    long size = text.length();
    queued += size;
    if (text.length() <= FRAGMENT_CHARS) {
      ws.writeFrame(WebSocketFrame.textFrame(text, true)).onComplete(ar -> queued -= size);
      return;
    }
    int start = 0;
    while (start < text.length()) {
      int end = Math.min(text.length(), start + FRAGMENT_CHARS);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      String part = text.substring(start, end);
      boolean last = end == text.length();
      var written = ws.writeFrame(start == 0 ? WebSocketFrame.textFrame(part, last) : WebSocketFrame.continuationFrame(Buffer.buffer(part), last));
      if (last) {
        written.onComplete(ar -> queued -= size);
      }
      start = end;
    }
  }

  @Override
  public void heartbeat(long now) {
    if (sockJs && !closing && now - lastWrite >= EventBusBridge.HEARTBEAT_MS && queued < maxQueued) {
      writeText(SockJs.HEARTBEAT);
    }
  }

  @Override
  public void close(int code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    if (sockJs) {
      writeText(SockJs.close(code, reason));
    }
    ws.close((short) code, reason);
  }
}
