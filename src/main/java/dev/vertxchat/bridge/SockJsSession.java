package dev.vertxchat.bridge;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * A SockJS session on the XHR transports: the client receives over {@code xhr} (one response per
 * poll) or {@code xhr_streaming} (one long response carrying frames, renewed every
 * {@value #STREAM_LIMIT} bytes) and sends over {@code xhr_send}. At most one receiving request is
 * attached at a time; while none is, frames wait here (up to {@code limits.maxQueuedBytes}, see
 * {@link Wire}). The session lives as long as its client keeps a receiving request open or opens the
 * next one within {@code limits.sockJsDisconnectDelayMs} (5 s by default, as SockJS's); after that the client is gone.
 *
 * <p>A close by the server (token expiry, ping timeout, slow consumer...) becomes the close frame
 * {@code c[code,"reason"]}, after any frames still waiting; a receiving request that arrives later, within
 * the disconnect delay, gets the same frame. Touched only on its context (the event loop of the request
 * that opened it); requests served on other event loops hop to it.
 */
final class SockJsSession implements Wire {
  /** Bytes one streaming response carries before it ends and the client opens the next (as SockJS does). */
  static final int STREAM_LIMIT = 128 * 1024;
  /** The streaming prelude: 2 KiB that make browsers hand the response over as it arrives. */
  private static final String PRELUDE = "h".repeat(2048) + "\n";
  private static final String ANOTHER_RECEIVER = SockJs.close(2010, "Another connection still open") + "\n";

  final String id;
  final String userId;
  final Context context;
  private final Vertx vertx;
  private final long maxQueued;
  private final long disconnectDelayMs;
  private final Map<String, SockJsSession> registry;
  /** Messages waiting for a receiving request, each quoted as a JSON string. */
  private final ArrayDeque<String> pending = new ArrayDeque<>();
  private long pendingChars;
  private HttpServerResponse receiver;
  /** Whether the receiving request is xhr_streaming (the transport the client receives with). */
  private boolean streaming;
  private long streamed;
  private boolean openSent;
  private boolean flushScheduled;
  private String closeFrame;
  private boolean ended;
  private long disconnectTimer = -1;
  private long lastWrite = System.currentTimeMillis();
  private final Promise<Void> closeDelivered = Promise.promise();
  private Handler<String> textHandler = text -> { };
  private Handler<Void> tooLargeHandler = v -> { };
  private Handler<Void> closeHandler = v -> { };

  /** @param streaming whether the request that opens it is xhr_streaming (its {@link #transport()} until it receives) */
  SockJsSession(Vertx vertx, String id, String userId, long maxQueued, long disconnectDelayMs, Map<String, SockJsSession> registry, boolean streaming) {
    this.streaming = streaming;
    this.vertx = vertx;
    this.id = id;
    this.userId = userId;
    this.context = vertx.getOrCreateContext();
    this.maxQueued = maxQueued;
    this.disconnectDelayMs = disconnectDelayMs;
    this.registry = registry;
    armDisconnect();
  }


  @Override
  public String transport() {
    return streaming ? "xhr-streaming" : "xhr-polling";
  }

  @Override
  public void bind(Handler<String> text, Handler<Void> tooLarge, Handler<Void> closed) {
    this.textHandler = text;
    this.tooLargeHandler = tooLarge;
    this.closeHandler = closed;
  }

  /** A receiving request ({@code xhr} or {@code xhr_streaming}); call on the session's context. */
  void receive(HttpServerResponse response, boolean stream) {
    if (receiver != null && receiver.closed()) {
      detach(); // its client is gone; its close handler has not got here yet
    }
    headers(response);
    if (receiver != null) {
      response.end(ANOTHER_RECEIVER);
      return;
    }
    // set before looking whether the connection is still there: a request that hopped here from another
    // event loop may have lost its connection on the way, and then its close handler never runs
    response.closeHandler(v -> context.runOnContext(x -> {
      if (receiver == response) {
        detach();
      }
    }));
    if (response.closed()) {
      return; // the session waits for its client's next request (disconnect delay) as before
    }
    cancelDisconnect();
    receiver = response;
    streaming = stream;
    streamed = 0;
    if (stream) {
      response.setChunked(true);
      response.write(PRELUDE);
    }
    if (!openSent) {
      openSent = true;
      send(SockJs.OPEN);
      if (closeFrame != null && receiver != null) {
        sendPendingAndClose(); // closed before its first request was served: a stream gets the close at once
      }
    } else if (closeFrame != null) {
      sendPendingAndClose();
    } else {
      flush();
    }
  }

  /** Messages posted with {@code xhr_send}; call on the session's context. */
  void received(List<String> messages, boolean tooLarge) {
    if (closeFrame != null) {
      return;
    }
    for (String message : messages) {
      if (closeFrame == null) {
        textHandler.handle(message);
      }
    }
    if (tooLarge && closeFrame == null) {
      tooLargeHandler.handle(null);
    }
  }

  boolean closed() {
    return closeFrame != null;
  }

  static void headers(HttpServerResponse response) {
    response.putHeader("Content-Type", "application/javascript; charset=UTF-8")
        .putHeader("Cache-Control", SockJs.NO_CACHE);
  }

  @Override
  public boolean write(String frame) {
    return queue(SockJs.quote(frame));
  }

  @Override
  public boolean write(SharedFrame frame) {
    // a room message is quoted once for every session it goes to
    return queue(frame.quoted());
  }

  /** Queues a message, already quoted as a JSON string, for the next frame to the client. */
  private boolean queue(String quoted) {
    if (closeFrame != null) {
      return true;
    }
    if (pendingChars >= maxQueued) {
      return false;
    }
    pending.add(quoted);
    pendingChars += quoted.length();
    if (receiver != null && !flushScheduled) {
      // what this event-loop turn writes leaves in one frame
      flushScheduled = true;
      context.runOnContext(v -> {
        flushScheduled = false;
        flush();
      });
    }
    return true;
  }

  private void flush() {
    if (receiver == null || pending.isEmpty() || closeFrame != null) {
      return;
    }
    if (streaming && receiver.writeQueueFull()) {
      HttpServerResponse r = receiver;
      // called on the response's own event loop, which may not be the session's
      r.drainHandler(v -> context.runOnContext(x -> {
        if (receiver == r) {
          flush();
        }
      }));
      return;
    }
    String frame = SockJs.messages(pending);
    pending.clear();
    pendingChars = 0;
    send(frame);
  }

  /** Sends one SockJS frame on the receiving request; a poll ends with it, a stream at its byte limit. */
  private void send(String frame) {
    lastWrite = System.currentTimeMillis();
    HttpServerResponse r = receiver;
    if (!streaming) {
      detach();
      r.end(frame + "\n");
      return;
    }
    r.write(frame + "\n");
    streamed += frame.length() + 1;
    if (streamed >= STREAM_LIMIT) {
      detach();
      r.end();
    }
  }

  private void detach() {
    receiver = null;
    armDisconnect();
  }

  @Override
  public Future<Void> closeDelivered() {
    return closeDelivered.future();
  }

  @Override
  public void heartbeat(long now) {
    if (receiver != null && closeFrame == null && now - lastWrite >= EventBusBridge.HEARTBEAT_MS) {
      send(SockJs.HEARTBEAT);
    }
  }

  @Override
  public void close(int code, String reason) {
    if (closeFrame != null) {
      return;
    }
    closeFrame = SockJs.close(code, reason);
    if (receiver != null) {
      sendPendingAndClose();
    }
    end();
  }

  /** The frames still waiting, then the close frame; the receiving request ends. */
  private void sendPendingAndClose() {
    HttpServerResponse r = receiver;
    StringBuilder out = new StringBuilder();
    if (!pending.isEmpty()) {
      out.append(SockJs.messages(pending)).append('\n');
      pending.clear();
      pendingChars = 0;
    }
    out.append(closeFrame).append('\n');
    detach();
    r.end(out.toString());
    closeDelivered.tryComplete();
  }

  /** The bridge connection ends; the session stays a while for a late poll to learn why. */
  private void end() {
    if (!ended) {
      ended = true;
      closeHandler.handle(null);
    }
    if (receiver == null) {
      armDisconnect();
    }
  }

  private void armDisconnect() {
    cancelDisconnect();
    disconnectTimer = vertx.setTimer(disconnectDelayMs, t -> {
      disconnectTimer = -1;
      if (receiver != null) {
        return;
      }
      registry.remove(id, this);
      closeDelivered.tryComplete(); // or never will be
      if (closeFrame == null) {
        // the client did not come back: it is gone
        closeFrame = SockJs.close(1002, "client gone");
        pending.clear();
        pendingChars = 0;
        ended = true;
        closeHandler.handle(null);
      }
    });
  }

  private void cancelDisconnect() {
    if (disconnectTimer >= 0) {
      vertx.cancelTimer(disconnectTimer);
      disconnectTimer = -1;
    }
  }
}
