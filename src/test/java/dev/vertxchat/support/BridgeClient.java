package dev.vertxchat.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.vertxchat.support.TestServer.await;

/**
 * A test client speaking the event-bus bridge protocol, frame by frame, as {@code vertx-eventbus.js}
 * does, over any transport the service serves: the raw WebSocket endpoint, or SockJS's websocket,
 * xhr-streaming or xhr-polling transport (SockJS framing: {@code o}, {@code h}, {@code a[...]},
 * {@code c[code,"reason"]}). Every frame received is kept, so a test can wait for one and later count
 * them. The close code is that of the SockJS close frame when one arrived, else the WebSocket status.
 */
public final class BridgeClient implements AutoCloseable {
  /** The ways a client reaches the bridge. */
  public enum Transport {
    RAW, SOCKJS_WEBSOCKET, XHR_STREAMING, XHR_POLLING;

    public boolean webSocket() {
      return this == RAW || this == SOCKJS_WEBSOCKET;
    }
  }

  /** What carries frames for one transport. */
  private interface Link {
    Future<Void> send(String bridgeFrame);

    void pause();

    void resume();

    Future<Void> close();
  }

  private final Transport transport;
  private Link link;
  private WebSocket ws;
  private final List<JsonObject> frames = new ArrayList<>();
  private final Map<String, Promise<JsonObject>> replies = new ConcurrentHashMap<>();
  private final Promise<Short> closed = Promise.promise();
  private final Promise<Void> opened = Promise.promise();
  private volatile Integer closeFrameCode;
  private volatile String closeFrameReason;
  private volatile Integer webSocketStatus;

  private BridgeClient(Transport transport) {
    this.transport = transport;
  }

  /** Connects with {@code token} over {@code transport}; SockJS transports wait for the open frame. */
  public static BridgeClient connect(Vertx vertx, int port, String token, Transport transport) {
    return connect(vertx, port, token, transport, new WebSocketClientOptions());
  }

  /** As {@link #connect(Vertx, int, String, Transport)}, WebSockets with the given client options. */
  public static BridgeClient connect(Vertx vertx, int port, String token, Transport transport, WebSocketClientOptions options) {
    return connect(vertx, port, token, transport, options, false);
  }

  /** As {@link #connect(Vertx, int, String, Transport)} over TLS ({@code wss://}, HTTPS), trusting any certificate. */
  public static BridgeClient connectTls(Vertx vertx, int port, String token, Transport transport) {
    return connect(vertx, port, token, transport, new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false), true,
        false);
  }

  /** A SockJS XHR transport over HTTPS with HTTP/2 negotiated by ALPN (as a browser makes its XHRs). */
  public static BridgeClient connectHttp2(Vertx vertx, int port, String token, Transport transport) {
    if (transport.webSocket()) {
      throw new IllegalArgumentException("WebSockets stay on HTTP/1.1 connections");
    }
    return connect(vertx, port, token, transport, new WebSocketClientOptions(), true, true);
  }

  private static BridgeClient connect(Vertx vertx, int port, String token, Transport transport, WebSocketClientOptions options,
                                      boolean tls) {
    return connect(vertx, port, token, transport, options, tls, false);
  }

  private static BridgeClient connect(Vertx vertx, int port, String token, Transport transport, WebSocketClientOptions options,
                                      boolean tls, boolean http2) {
    BridgeClient c = new BridgeClient(transport);
    String session = UUID.randomUUID().toString().substring(0, 8);
    switch (transport) {
      case RAW, SOCKJS_WEBSOCKET -> {
        // the handlers are set before connecting: the server's first frame may come with the handshake
        WebSocketClient client = vertx.createWebSocketClient(options);
        String uri = transport == Transport.RAW ? "/eventbus/websocket" + (token == null ? "" : "?token=" + token)
            : "/eventbus/123/" + session + "/websocket?token=" + token;
        ClientWebSocket ws = client.webSocket();
        c.webSocket(client, ws);
        await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri).setSsl(tls))
            .onFailure(e -> client.close()));
        if (transport == Transport.SOCKJS_WEBSOCKET) {
          c.awaitOpen();
        }
      }
      default -> {
        c.link = c.new XhrLink(vertx, port, "/eventbus/123/" + session, token, transport == Transport.XHR_STREAMING, tls, http2);
        c.awaitOpen();
      }
    }
    return c;
  }

  private void awaitOpen() {
    try {
      opened.future().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no SockJS open frame within 10 s", e);
    }
  }

  private void webSocket(WebSocketClient client, WebSocket ws) {
    this.ws = ws;
    boolean sockJs = transport == Transport.SOCKJS_WEBSOCKET;
    ws.textMessageHandler(text -> {
      if (sockJs) {
        sockJsFrame(text);
      } else {
        received(new JsonObject(text));
      }
    });
    ws.closeHandler(v -> {
      webSocketStatus = ws.closeStatusCode() == null ? null : (int) ws.closeStatusCode();
      closed(closeFrameCode != null ? closeFrameCode : ws.closeStatusCode() == null ? -1 : ws.closeStatusCode());
    });
    link = new Link() {
      @Override
      public Future<Void> send(String bridgeFrame) {
        return ws.writeTextMessage(sockJs ? new JsonArray().add(bridgeFrame).encode() : bridgeFrame);
      }

      @Override
      public void pause() {
        ws.pause();
      }

      @Override
      public void resume() {
        ws.resume();
      }

      @Override
      public Future<Void> close() {
        Future<Void> f = ws.isClosed() ? Future.succeededFuture() : ws.close();
        return f.eventually(() -> client.close());
      }
    };
  }

  /** One SockJS frame: open, heartbeat, messages or close. */
  private void sockJsFrame(String text) {
    if (text.isEmpty()) {
      return;
    }
    switch (text.charAt(0)) {
      case 'o' -> opened.tryComplete();
      case 'a' -> {
        for (Object frame : new JsonArray(text.substring(1))) {
          received(new JsonObject((String) frame));
        }
      }
      case 'c' -> {
        JsonArray close = new JsonArray(text.substring(1));
        closeFrameReason = close.getString(1);
        closeFrameCode = close.getInteger(0);
      }
      default -> { } // h: heartbeat
    }
  }

  private void closed(int code) {
    opened.tryFail("closed with " + code + " before it opened");
    closed.tryComplete((short) code);
  }

  /**
   * SockJS over XHR: one receiving request at a time ({@code xhr}: a poll per response;
   * {@code xhr_streaming}: a long response, renewed when the server ends it), sends with {@code xhr_send}.
   */
  private final class XhrLink implements Link {
    private final HttpClient client;
    /**
     * Every request of this link is made on one event-loop context, so its connections live on that
     * loop and a response's handlers are set before any of its data is handled.
     */
    private final io.vertx.core.Context context;
    private final String base;
    private final String query;
    private final boolean streaming;
    private volatile boolean paused;
    private volatile HttpClientResponse current;
    private volatile boolean receiving;

    XhrLink(Vertx vertx, int port, String base, String token, boolean streaming, boolean tls, boolean http2) {
      this.client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setSsl(tls).setTrustAll(tls).setVerifyHost(false).setUseAlpn(http2)
          .setProtocolVersion(http2 ? io.vertx.core.http.HttpVersion.HTTP_2 : io.vertx.core.http.HttpVersion.HTTP_1_1));
      this.base = base;
      this.query = "?token=" + token;
      this.streaming = streaming;
      this.context = vertx.getOrCreateContext();
      receive();
    }

    private void receive() {
      context.runOnContext(v -> doReceive());
    }

    private void doReceive() {
      if (closed.future().isComplete() || closeFrameCode != null || paused) {
        return;
      }
      receiving = true;
      client.request(HttpMethod.POST, base + (streaming ? "/xhr_streaming" : "/xhr") + query)
          .compose(req -> req.send())
          .onSuccess(resp -> {
            if (resp.statusCode() != 200) {
              closed(-resp.statusCode());
              return;
            }
            current = resp;
            Buffer[] pending = {Buffer.buffer()};
            resp.handler(chunk -> {
              Buffer buf = pending[0].appendBuffer(chunk);
              int start = 0;
              for (int i = 0; i < buf.length(); i++) {
                if (buf.getByte(i) == '\n') {
                  line(buf.getString(start, i));
                  start = i + 1;
                }
              }
              pending[0] = start == 0 ? buf : buf.getBuffer(start, buf.length()).copy();
            });
            resp.endHandler(v -> {
              current = null;
              receiving = false;
              if (closeFrameCode != null) {
                closed(closeFrameCode);
              } else {
                receive();
              }
            });
            resp.exceptionHandler(err -> closed(-1));
          })
          .onFailure(err -> closed(-1));
    }

    private void line(String text) {
      if (!text.chars().allMatch(ch -> ch == 'h')) {
        sockJsFrame(text); // all h: a heartbeat or the streaming prelude
      }
    }

    @Override
    public Future<Void> send(String bridgeFrame) {
      return sendBody(new JsonArray().add(bridgeFrame).encode());
    }

    Future<Void> sendBody(String body) {
      Promise<Void> sent = Promise.promise();
      context.runOnContext(v -> client.request(HttpMethod.POST, base + "/xhr_send" + query)
          .compose(req -> req.putHeader("Content-Type", "text/plain").send(body))
          .compose(resp -> resp.body().compose(b -> resp.statusCode() == 204 ? Future.<Void>succeededFuture()
              : Future.<Void>failedFuture("xhr_send answered " + resp.statusCode() + " " + b)))
          .onComplete(sent));
      return sent.future();
    }

    @Override
    public void pause() {
      paused = true;
      HttpClientResponse r = current;
      if (streaming && r != null) {
        r.pause();
      }
    }

    @Override
    public void resume() {
      paused = false;
      HttpClientResponse r = current;
      if (streaming && r != null) {
        r.resume();
      } else if (!receiving) {
        receive();
      }
    }

    @Override
    public Future<Void> close() {
      // SockJS over XHR has no close message: the client stops receiving and the session times out
      paused = true;
      closed.tryComplete((short) 1000);
      return client.shutdown(0, TimeUnit.SECONDS);
    }
  }

  private void received(JsonObject frame) {
    Promise<JsonObject> reply = frame.getString("address") == null ? null : replies.remove(frame.getString("address"));
    synchronized (frames) {
      frames.add(frame);
      frames.notifyAll();
    }
    if (reply != null) {
      reply.complete(frame);
    }
  }

  /** Connects over the SockJS WebSocket transport ({@code /eventbus/<server>/<session>/websocket}). */
  public static BridgeClient connectSockJs(Vertx vertx, int port, String token) {
    return connect(vertx, port, token, Transport.SOCKJS_WEBSOCKET);
  }

  /** Stops reading from the connection (the server's writes pile up), or reads again. */
  public void pause() {
    link.pause();
  }

  public void resume() {
    link.resume();
  }

  /** Connects to {@code /eventbus/websocket?token=...} (token may be null). */
  public static BridgeClient connect(Vertx vertx, int port, String token) {
    return connect(vertx, port, token, Transport.RAW);
  }

  /** Like {@link #connect} but offering permessage-deflate, as browsers do. */
  public static BridgeClient connectCompressed(Vertx vertx, int port, String token) {
    BridgeClient c = connect(vertx, port, token, Transport.RAW, new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    if (!c.ws.headers().contains("Sec-WebSocket-Extensions")) {
      throw new AssertionError("the server did not accept permessage-deflate");
    }
    return c;
  }

  public static Future<BridgeClient> tryConnect(Vertx vertx, int port, WebSocketConnectOptions options) {
    WebSocketClient client = vertx.createWebSocketClient();
    return client.connect(options.setHost("127.0.0.1").setPort(port))
        .map(ws -> {
          BridgeClient c = new BridgeClient(Transport.RAW);
          c.webSocket(client, ws);
          return c;
        })
        .onFailure(err -> client.close());
  }

  /** Sends a WebSocket ping frame (a control frame, below the bridge protocol). */
  public void ping() {
    await(ws.writePing(io.vertx.core.buffer.Buffer.buffer("ping")));
  }

  /** Sends one bridge frame. */
  public void write(String text) {
    await(link.send(text));
  }

  /** Sends a raw transport payload: a WebSocket text message, or an {@code xhr_send} body. */
  public void writeRaw(String payload) {
    if (link instanceof XhrLink xhr) {
      await(xhr.sendBody(payload));
    } else {
      await(ws.writeTextMessage(payload));
    }
  }

  /** The code of the SockJS close frame received, or null. */
  public Integer closeFrameCode() {
    return closeFrameCode;
  }

  public String closeFrameReason() {
    return closeFrameReason;
  }

  /** The WebSocket close status received (WebSocket transports), or null. */
  public Integer webSocketStatus() {
    return webSocketStatus;
  }

  public void write(JsonObject frame) {
    write(frame.encode());
  }

  public void register(String address) {
    write(new JsonObject().put("type", "register").put("address", address).put("headers", new JsonObject()));
  }

  public void unregister(String address) {
    write(new JsonObject().put("type", "unregister").put("address", address).put("headers", new JsonObject()));
  }

  /** Sends a request with a reply address and returns the reply frame (type "message" or "err"). */
  public JsonObject request(String address, JsonObject body) {
    return request(address, body, new JsonObject());
  }

  public JsonObject request(String address, JsonObject body, JsonObject headers) {
    String replyAddress = UUID.randomUUID().toString();
    Promise<JsonObject> reply = Promise.promise();
    replies.put(replyAddress, reply);
    write(new JsonObject().put("type", "send").put("address", address).put("headers", headers)
        .put("body", body).put("replyAddress", replyAddress));
    return await(reply.future());
  }

  /** Joins a room and waits until the join is effective (a presence request lists this user). */
  public void join(String room, String userId) {
    register("chat.room." + room);
    awaitFrame(f -> "join".equals(bodyType(f)) && userId.equals(body(f).getJsonObject("user").getString("id"))
        && ("chat.room." + room).equals(f.getString("address")));
  }

  /** Waits for the first received frame (past or future) matching the predicate. */
  public JsonObject awaitFrame(Predicate<JsonObject> match) {
    long deadline = System.currentTimeMillis() + 10_000;
    synchronized (frames) {
      while (true) {
        for (JsonObject f : frames) {
          if (match.test(f)) {
            return f;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no matching frame within 10 s; received: " + frames);
        }
        try {
          frames.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  /**
   * Waits until {@code count} received frames (past or future) match, woken by each frame that arrives;
   * fails after 15 s saying how many did.
   */
  public void awaitFrames(int count, Predicate<JsonObject> match) {
    long deadline = System.currentTimeMillis() + 15_000;
    synchronized (frames) {
      int seen = 0;
      int checked = 0;
      while (true) {
        for (; checked < frames.size(); checked++) {
          if (match.test(frames.get(checked))) {
            seen++;
          }
        }
        if (seen >= count) {
          return;
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError(seen + " of " + count + " matching frames within 15 s");
        }
        try {
          frames.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  /** Every frame received so far that matches. */
  public List<JsonObject> received(Predicate<JsonObject> match) {
    synchronized (frames) {
      return frames.stream().filter(match).toList();
    }
  }

  /** Chat envelopes received on a room address so far, in arrival order. */
  public List<JsonObject> chats(String room) {
    return received(f -> ("chat.room." + room).equals(f.getString("address")) && "chat".equals(bodyType(f)))
        .stream().map(BridgeClient::body).toList();
  }

  /** Waits for the server to close the connection and returns the close status code. */
  public short awaitClose() {
    try {
      return closed.future().await(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("connection not closed within 15 s", e);
    }
  }

  public boolean isClosed() {
    return closed.future().isComplete();
  }

  @Override
  public void close() {
    await(link.close());
  }

  public static JsonObject body(JsonObject frame) {
    return frame.getValue("body") instanceof JsonObject b ? b : new JsonObject();
  }

  public static String bodyType(JsonObject frame) {
    return body(frame).getString("type");
  }
}
