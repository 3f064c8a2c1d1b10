package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge's contract, the same on every way a client reaches it: the raw WebSocket endpoint and
 * SockJS's websocket transport (each on the fast path and on the fallback over Vert.x's public
 * WebSocket API), xhr-streaming and xhr-polling. Each close code reaches the client (in the SockJS close
 * frame and, on WebSockets, as the close status), oversize frames get {@code frame_too_large} and 1009,
 * and a reply larger than one frame and than {@code limits.maxQueuedBytes} arrives whole.
 */
class TransportContractTest {
  /** A transport, and for WebSockets which server-side implementation serves it. */
  enum Variant {
    RAW(Transport.RAW, true),
    RAW_FALLBACK(Transport.RAW, false),
    SOCKJS_WEBSOCKET(Transport.SOCKJS_WEBSOCKET, true),
    SOCKJS_WEBSOCKET_FALLBACK(Transport.SOCKJS_WEBSOCKET, false),
    XHR_STREAMING(Transport.XHR_STREAMING, true),
    XHR_POLLING(Transport.XHR_POLLING, true);

    final Transport transport;
    final boolean fastPath;

    Variant(Transport transport, boolean fastPath) {
      this.transport = transport;
      this.fastPath = fastPath;
    }
  }

  @RegisterExtension
  final ChatService service = new ChatService();
  private Http http;

  private void start(Variant variant, JsonObject limits) {
    JsonObject config = new JsonObject().put("http", new JsonObject().put("webSocketFastPath", variant.fastPath))
        .put("limits", limits.copy().put("messagesPerSecond", 10000).put("messageBurst", 10000).put("globalMessagesPerSecond", 100000));
    http = service.start(config).http();
  }

  private BridgeClient connect(Variant variant, String token) {
    return service.connect(token, variant.transport);
  }

  /** The code arrives: as the SockJS close frame on SockJS transports, as the status on WebSockets. */
  private static void assertClosedWith(Variant variant, BridgeClient client, int code) {
    assertEquals(code, client.awaitClose(), "close code over " + variant);
    if (variant.transport != Transport.RAW) {
      assertEquals(code, client.closeFrameCode(), "SockJS close frame over " + variant);
    }
    if (variant.transport.webSocket()) {
      assertEquals(code, client.webSocketStatus(), "WebSocket close status over " + variant);
    }
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void anExpiredTokenClosesWith4200(Variant variant) {
    start(variant, new JsonObject());
    BridgeClient client = connect(variant, Tokens.expiringIn(service.vertx(), "u-expiring", "expiring", 2));
    assertClosedWith(variant, client, CloseCodes.TOKEN_EXPIRED);
    assertEquals("token expired", variant.transport == Transport.RAW ? "token expired" : client.closeFrameReason());
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void aSilentClientIsClosedWith4100(Variant variant) {
    start(variant, new JsonObject().put("pingTimeoutMs", 1000));
    BridgeClient client = connect(variant, http.guest("silent").getString("token"));
    assertClosedWith(variant, client, CloseCodes.PING_TIMEOUT);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void malformedFramesCloseWith4400(Variant variant) {
    start(variant, new JsonObject());
    BridgeClient client = connect(variant, http.guest("garbler").getString("token"));
    for (int i = 0; i < 40 && !client.isClosed(); i++) {
      try {
        client.write("this is not json " + i);
      } catch (Throwable e) {
        break; // the server has closed: a broken pipe, or the session is gone (xhr_send: 404)
      }
    }
    assertClosedWith(variant, client, CloseCodes.PROTOCOL_ERROR);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void anOversizeFrameGetsFrameTooLargeAnd1009(Variant variant) {
    start(variant, new JsonObject());
    BridgeClient client = connect(variant, http.guest("shouter").getString("token"));
    String frame = new JsonObject().put("type", "send").put("address", "chat.send")
        .put("body", new JsonObject().put("room", "general").put("text", "x".repeat(200_000))).encode();
    try {
      client.write(frame);
    } catch (Throwable e) {
      // a WebSocket may already be closed when the last fragment goes out (broken pipe)
    }
    JsonObject err = client.awaitFrame(f -> "err".equals(f.getString("type")));
    assertEquals(BridgeFrames.FRAME_TOO_LARGE, err.getString("body"), err.encode());
    assertClosedWith(variant, client, CloseCodes.TOO_BIG);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void aClientThatStopsReadingIsClosedWith4101(Variant variant) {
    start(variant, new JsonObject().put("maxQueuedBytes", 65536));
    JsonObject slowSession = http.guest("sleepy");
    String slowId = slowSession.getJsonObject("user").getString("id");
    BridgeClient slow = connect(variant, slowSession.getString("token"));
    slow.join("general", slowId);
    JsonObject loudSession = http.guest("loud");
    BridgeClient loud = service.connect(loudSession.getString("token"));
    loud.join("general", loudSession.getJsonObject("user").getString("id"));
    slow.pause();
    String text = "z".repeat(3900);
    long deadline = System.currentTimeMillis() + 30_000;
    boolean gone = false;
    for (int i = 0; i < 20_000 && System.currentTimeMillis() < deadline && !gone; i++) {
      assertEquals("message", loud.request("chat.send", new JsonObject().put("room", "general").put("text", text)).getString("type"));
      gone = !loud.received(f -> "left".equals(BridgeClient.bodyType(f))
          && slowId.equals(body(f).getJsonObject("user").getString("id"))).isEmpty();
    }
    assertTrue(gone, "the slow client was not dropped within 30 s");
    slow.resume();
    assertClosedWith(variant, slow, CloseCodes.SLOW_CONSUMER);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void aServerShuttingDownClosesWith1001(Variant variant) {
    start(variant, new JsonObject());
    BridgeClient client = connect(variant, http.guest("stayer").getString("token"));
    assertEquals("message", client.request("chat.history", new JsonObject().put("room", "general")).getString("type")); // up and answering
    service.stop();
    assertClosedWith(variant, client, CloseCodes.GOING_AWAY);
  }

  /**
   * One history page of 200 messages of 4,000 characters (about 800 KB): more than one 64 KiB frame and
   * more than limits.maxQueuedBytes (512 KiB), read by Vert.x's WebSocket client with its default frame
   * limit (64 KiB), arrives whole: a reply the client asked for is not a slow consumer.
   */
  @ParameterizedTest
  @EnumSource(Variant.class)
  void aHistoryPageLargerThanTheQueueBudgetArrivesWhole(Variant variant) {
    start(variant, new JsonObject().put("maxQueuedBytes", 524288));
    String token = http.guest("archivist").getString("token");
    String text = "y".repeat(3990);
    for (int i = 0; i < 200; i++) {
      assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", text + i)).statusCode());
    }
    // the default frame limit (64 KiB); the message limit raised from its 256 KiB default for an 800 KB reply
    BridgeClient reader = service.connect(token, variant.transport, new WebSocketClientOptions().setMaxMessageSize(4 * 1024 * 1024));
    JsonObject reply = reader.request("chat.history", new JsonObject().put("room", "general").put("limit", 200));
    assertEquals("message", reply.getString("type"), () -> reply.encode().substring(0, Math.min(300, reply.encode().length())));
    JsonArray messages = body(reply).getJsonArray("messages");
    assertEquals(200, messages.size());
    assertTrue(reply.encode().length() > 524288, "larger than the queue budget: " + reply.encode().length());
    for (int i = 0; i < 200; i++) {
      assertEquals(text + i, messages.getJsonObject(i).getString("text"));
    }
    assertTrue(!reader.isClosed(), "still connected");
  }

  /** A SockJS session over XHR lives while its client keeps a receiving request open (longer than the disconnect delay). */
  @ParameterizedTest
  @EnumSource(value = Variant.class, names = {"XHR_STREAMING", "XHR_POLLING"})
  void anXhrSessionLivesWhileItsClientKeepsReceiving(Variant variant) throws InterruptedException {
    start(variant, new JsonObject().put("sockJsDisconnectDelayMs", 2000));
    BridgeClient client = connect(variant, http.guest("patient").getString("token"));
    // time passing is the behaviour: nothing happens for 2 s longer than the disconnect delay (no event to wait for)
    Thread.sleep(4000);
    assertTrue(!client.isClosed(), "still open");
    assertEquals("message", client.request("chat.history", new JsonObject().put("room", "general")).getString("type"));
  }
}
