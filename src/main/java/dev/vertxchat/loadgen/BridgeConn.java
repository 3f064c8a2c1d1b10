package dev.vertxchat.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One bridge connection of one guest, over the raw WebSocket endpoint or the SockJS WebSocket transport.
 * Used only on the event loop it was opened from. A sample connection parses every frame and records
 * delivery latency (the send time travels in the text, "lg nanoTime seq"); the others only count chat
 * frames by searching the text, without parsing it. Connections with acks on (durable scenario) send with
 * a reply address "a.<nanoTime>" and record the acknowledgement latency.
 * Longer than 300 lines because both transports' framing, the counting fast path and the parsed path are one connection.
 */
final class BridgeConn {
  private static final String CHAT = "\"type\":\"chat\"";
  private static final String ESC_CHAT = "\\\"type\\\":\\\"chat\\\"";
  private static final String ERR = "{\"type\":\"err\"";
  private static final String ESC_ERR = "{\\\"type\\\":\\\"err\\\"";
  private static final String REPLY = "{\"type\":\"message\",\"address\":\"a.";
  private static final String ESC_REPLY = "\\\"address\\\":\\\"a.";
  private static final String JOIN_REPLY = "\"address\":\"j\"";
  private static final String ESC_JOIN_REPLY = "\\\"address\\\":\\\"j\\\"";
  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

  final int index;
  final String token;
  final String userId;
  final String room;
  final boolean sample;
  final boolean acks;
  private final Stats stats;
  private final Vertx vertx;
  private boolean sockjs;
  private WebSocket ws;
  private final Promise<Void> opened = Promise.promise();
  private final Promise<Void> joined = Promise.promise();
  private boolean isJoined;
  /** The service refused (or undid) this connection's register. */
  private boolean registerRefused;
  private boolean closing;
  private boolean closed;
  private int closeCode = -1;
  private long pingTimer = -1;
  private long seq;
  /** When this user's own join envelope arrived (0: not yet). */
  long ownJoinNanos;
  /** chat.send requests with a reply address that are not answered yet. */
  int outstanding;
  /** Called after each acknowledgement or failed reply (closed loop). */
  Runnable onAnswer;
  /**
   * Called with each reply or failure frame to a reply address starting with "r." (see {@link #request}); only
   * sample connections see them (they parse every frame).
   */
  java.util.function.Consumer<JsonObject> onReply;
  /** Called when the connection closes without {@link #close()} (the service closed it, or went away). */
  Runnable onClosed;
  /** Called with each chat envelope (the frame's body) on a sample connection. */
  java.util.function.Consumer<JsonObject> onChat;
  private final String sendPrefix;

  BridgeConn(Vertx vertx, Stats stats, int index, String token, String userId, String room, boolean sample, boolean acks) {
    this.vertx = vertx;
    this.stats = stats;
    this.index = index;
    this.token = token;
    this.userId = userId;
    this.room = room;
    this.sample = sample;
    this.acks = acks;
    this.sendPrefix = "{\"type\":\"send\",\"address\":\"chat.send\",\"body\":{\"room\":\"" + room + "\",\"text\":\"lg ";
  }

  /** Opens the WebSocket (and waits for SockJS's "o"); call on the event loop that will own the connection. */
  Future<Void> open(WebSocketClient client, Options.Target target, boolean sockjs, long timeoutMs) {
    this.sockjs = sockjs;
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String uri;
    if (sockjs) {
      StringBuilder session = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        session.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
      }
      uri = "/eventbus/" + (100 + r.nextInt(900)) + "/" + session + "/websocket?token=" + token;
    } else {
      uri = "/eventbus/websocket?token=" + token;
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(target.host()).setPort(target.port()).setURI(uri)
        .setTimeout(timeoutMs);
    return client.connect(options).compose(socket -> {
      ws = socket;
      socket.textMessageHandler(this::onText);
      socket.exceptionHandler(err -> stats.error("ws-exception"));
      socket.closeHandler(v -> onClose(sockjs ? closeCode : socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));
      if (!sockjs) {
        opened.tryComplete();
      }
      // every connection pings every 5 s like vertx-eventbus.js; the first at a random moment to spread them
      pingTimer = vertx.setPeriodic(1 + r.nextInt(5000), 5000, id -> write("{\"type\":\"ping\"}"));
      return opened.future();
    });
  }

  /**
   * Registers the room, then asks chat.presence with reply address "j": the bridge runs a connection's frames in
   * order and a register is complete before the next frame runs, so the join took effect when that reply (or this
   * user's own join envelope) arrives. A refused register fails it (its err frame comes first).
   */
  Future<Void> join() {
    write("{\"type\":\"register\",\"address\":\"chat.room." + room + "\"}");
    write("{\"type\":\"send\",\"address\":\"chat.presence\",\"body\":{\"room\":\"" + room + "\"},\"replyAddress\":\"j\"}");
    return joined.future();
  }

  boolean isOpen() {
    return ws != null && !closed;
  }

  /** Joined (see {@link #join()}; not refused) and not closed. */
  boolean isJoinedAndOpen() {
    return joined.future().succeeded() && !registerRefused && isOpen();
  }

  /** Sends one chat message stamped with the send time. */
  void sendChat() {
    long now = System.nanoTime();
    StringBuilder b = new StringBuilder(sendPrefix.length() + 64).append(sendPrefix).append(now).append(' ').append(seq++)
        .append("\"}");
    if (acks) {
      b.append(",\"replyAddress\":\"a.").append(now).append('"');
      outstanding++;
    }
    write(b.append('}').toString());
    stats.sent.increment();
  }

  /**
   * Sends a request to a service address with reply address {@code "r." + tag}; the answer goes to
   * {@link #onReply} (sample connections only). {@code body} must not contain backslashes.
   */
  void request(String address, JsonObject body, String tag) {
    write(new JsonObject().put("type", "send").put("address", address).put("body", body)
        .put("replyAddress", "r." + tag).encode());
  }

  /** The id of the user of this connection's token. */
  String userId() {
    return userId;
  }

  void write(String frame) {
    if (ws == null || closed) {
      return;
    }
    // bridge frames written here never contain backslashes; quotes are escaped for the SockJS array
    ws.writeTextMessage(sockjs ? "[\"" + frame.replace("\"", "\\\"") + "\"]" : frame);
  }

  Future<Void> close() {
    closing = true;
    vertx.cancelTimer(pingTimer);
    if (ws == null || closed) {
      return Future.succeededFuture();
    }
    return ws.close();
  }

  private void onClose(int code) {
    closed = true;
    vertx.cancelTimer(pingTimer);
    if (!closing) {
      stats.error("closed-" + code);
    }
    opened.tryFail("closed " + code + " before opening");
    joined.tryFail("closed " + code + " before joining");
    if (!closing && onClosed != null) {
      onClosed.run();
    }
  }

  private void onText(String text) {
    stats.messages.increment();
    if (ownJoinNanos == 0 && text.contains(userId) && text.contains("join")) {
      ownJoinNanos = System.nanoTime();
    }
    if (!isJoined && (text.contains(JOIN_REPLY) || text.contains(ESC_JOIN_REPLY)
        || (text.contains(userId) && text.contains("join")))) {
      if (text.startsWith(ERR) || text.contains(ESC_ERR)) {
        joinFailed(text);
      } else {
        isJoined = true;
        joined.tryComplete();
      }
    }
    if (!sockjs) {
      onFrame(text);
      return;
    }
    char c = text.isEmpty() ? ' ' : text.charAt(0);
    switch (c) {
      case 'o' -> opened.tryComplete();
      case 'h' -> { }
      case 'c' -> {
        JsonArray close = new JsonArray(text.substring(1));
        closeCode = close.getValue(0) instanceof Number n ? n.intValue() : -1;
      }
      case 'a' -> {
        if (!sample && text.indexOf(ESC_ERR) < 0 && !(acks && text.indexOf(ESC_REPLY) >= 0)) {
          int n = count(text, ESC_CHAT);
          if (n > 0) {
            stats.delivered.add(n);
          }
        } else {
          for (Object frame : new JsonArray(text.substring(1))) {
            onFrame((String) frame);
          }
        }
      }
      default -> stats.error("sockjs-unexpected-frame");
    }
  }

  /** One bridge frame (raw, or unwrapped from a SockJS array). */
  private void onFrame(String frame) {
    if (sample) {
      parsed(new JsonObject(frame));
    } else if (frame.startsWith(REPLY)) {
      int start = REPLY.length();
      int end = frame.indexOf('"', start);
      acked(Long.parseLong(frame, start, end, 10));
    } else if (frame.startsWith(ERR)) {
      parsed(new JsonObject(frame));
    } else if (frame.contains(CHAT)) {
      stats.delivered.increment();
    }
  }

  private void parsed(JsonObject f) {
    String type = f.getString("type", "");
    String address = f.getString("address", "");
    if (address.startsWith("r.") && onReply != null) {
      onReply.accept(f);
      return;
    }
    if (type.equals("err")) {
      String code = String.valueOf(f.getValue("failureCode"));
      if (address.startsWith("a.")) {
        stats.error("send-" + code);
        answered();
      } else if (address.startsWith("chat.room.")) {
        stats.error("join-" + code);
        if (joined.future().succeeded()) {
          stats.error("join-undone-after-reply");
        }
        registerRefused = true;
        joined.tryFail("join refused: " + f.getString("message"));
      } else {
        stats.error("err-" + code);
      }
    } else if (address.startsWith("a.")) {
      acked(Long.parseLong(address.substring(2)));
    } else if (f.getValue("body") instanceof JsonObject body && "chat".equals(body.getString("type"))) {
      stats.delivered.increment();
      if (onChat != null) {
        onChat.accept(body);
      }
      String text = body.getString("text", "");
      if (text.startsWith("lg ")) {
        int end = text.indexOf(' ', 3);
        stats.latencyNanos(System.nanoTime() - Long.parseLong(text, 3, end < 0 ? text.length() : end, 10));
      }
    }
  }

  private void acked(long sentNanos) {
    stats.acked.increment();
    stats.ackNanos(System.nanoTime() - sentNanos);
    answered();
  }

  private void answered() {
    outstanding--;
    if (onAnswer != null) {
      onAnswer.run();
    }
  }

  /** An err frame before the join completed: the register (or the presence request after it) was refused. */
  private void joinFailed(String text) {
    if (!joined.future().isComplete()) {
      stats.error("join-refused");
      joined.tryFail("join refused: " + text);
    }
  }

  private static int count(String text, String pattern) {
    int n = 0;
    for (int i = text.indexOf(pattern); i >= 0; i = text.indexOf(pattern, i + pattern.length())) {
      n++;
    }
    return n;
  }
}
