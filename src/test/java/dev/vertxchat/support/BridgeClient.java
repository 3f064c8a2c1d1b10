package dev.vertxchat.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
 * A test client speaking the event-bus bridge protocol over the raw WebSocket endpoint, frame by
 * frame, as {@code vertx-eventbus.js} does. Every frame received is kept, so a test can wait for one
 * and later count them.
 */
public final class BridgeClient {
  private final WebSocket ws;
  private final WebSocketClient client;
  private final List<JsonObject> frames = new ArrayList<>();
  private final Map<String, Promise<JsonObject>> replies = new ConcurrentHashMap<>();
  private final Promise<Short> closed = Promise.promise();

  private final boolean sockJs;
  private final Promise<Short> sockJsClose = Promise.promise();

  private BridgeClient(WebSocketClient client, WebSocket ws, boolean sockJs) {
    this.client = client;
    this.ws = ws;
    this.sockJs = sockJs;
    ws.textMessageHandler(text -> {
      if (!sockJs) {
        received(new JsonObject(text));
      } else if (text.startsWith("a")) {
        for (Object frame : new JsonArray(text.substring(1))) {
          received(new JsonObject((String) frame));
        }
      } else if (text.startsWith("c")) {
        sockJsClose.tryComplete(new JsonArray(text.substring(1)).getInteger(0).shortValue());
      }
    });
    ws.closeHandler(v -> closed.tryComplete(sockJs && sockJsClose.future().isComplete()
        ? sockJsClose.future().result() : ws.closeStatusCode()));
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
    String session = UUID.randomUUID().toString().substring(0, 8);
    WebSocketClient client = vertx.createWebSocketClient();
    return await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setURI("/eventbus/123/" + session + "/websocket?token=" + token))
        .map(ws -> new BridgeClient(client, ws, true)));
  }

  /** Stops reading from the socket (the server's writes pile up), or reads again. */
  public void pause() {
    ws.pause();
  }

  public void resume() {
    ws.resume();
  }

  /** Connects to {@code /eventbus/websocket?token=...} (token may be null). */
  public static BridgeClient connect(Vertx vertx, int port, String token) {
    return await(tryConnect(vertx, port, new WebSocketConnectOptions()
        .setURI("/eventbus/websocket" + (token == null ? "" : "?token=" + token))));
  }

  /** Like {@link #connect} but offering permessage-deflate, as browsers do. */
  public static BridgeClient connectCompressed(Vertx vertx, int port, String token) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    return await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setURI("/eventbus/websocket?token=" + token))
        .map(ws -> {
          if (!ws.headers().contains("Sec-WebSocket-Extensions")) {
            throw new AssertionError("the server did not accept permessage-deflate");
          }
          return new BridgeClient(client, ws, false);
        }));
  }

  public static Future<BridgeClient> tryConnect(Vertx vertx, int port, WebSocketConnectOptions options) {
    WebSocketClient client = vertx.createWebSocketClient();
    return client.connect(options.setHost("127.0.0.1").setPort(port))
        .map(ws -> new BridgeClient(client, ws, false))
        .onFailure(err -> client.close());
  }

  /** Sends a WebSocket ping frame (a control frame, below the bridge protocol). */
  public void ping() {
    await(ws.writePing(io.vertx.core.buffer.Buffer.buffer("ping")));
  }

  public void write(String text) {
    await(ws.writeTextMessage(sockJs ? new JsonArray().add(text).encode() : text));
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

  public void close() {
    if (!ws.isClosed()) {
      await(ws.close());
    }
    client.close();
  }

  public static JsonObject body(JsonObject frame) {
    return frame.getValue("body") instanceof JsonObject b ? b : new JsonObject();
  }

  public static String bodyType(JsonObject frame) {
    return body(frame).getString("type");
  }
}
