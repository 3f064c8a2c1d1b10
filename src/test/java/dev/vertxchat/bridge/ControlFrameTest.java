package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.RawSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket control frames (ping, pong) are limited and count against what a connection may make the
 * server hold: a client that floods pings and never reads is closed, on the raw endpoint and on
 * SockJS's WebSocket transport, and the server keeps serving everyone else.
 */
class ControlFrameTest {
  private static final long FLOOD_BYTES = 64L * 1024 * 1024;

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject().put("limits", new JsonObject().put("controlFramesPerSecond", 10)));

  private String uri(boolean sockJs, String token) {
    return (sockJs ? "/eventbus/000/flood/websocket" : "/eventbus/websocket") + "?token=" + token;
  }

  /** The attack: 64 MB of pings, never reading a pong. The server closes the connection early instead of buffering pongs. */
  @ParameterizedTest(name = "sockJs={0}")
  @ValueSource(booleans = {false, true})
  void aPingFloodThatNeverReadsIsCutOff(boolean sockJs, Http http) throws Exception {
    String token = http.guestToken("flooder");
    long written;
    try (RawSocket socket = RawSocket.open(service.port())) {
      String head = socket.upgrade(uri(sockJs, token));
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      written = socket.pingFlood(FLOOD_BYTES, 20_000);
    }
    // what the kernel buffers take before the server's close arrives is a few MB at most on loopback
    assertTrue(written < FLOOD_BYTES / 4, "the server took " + written + " bytes of pings without closing");
    assertEquals(200, http.get("/health", null).statusCode());
  }

  /** A client that reads but pings too often is closed with 4003; pings within the limit are answered. */
  @ParameterizedTest(name = "sockJs={0}")
  @ValueSource(booleans = {false, true})
  void tooManyPingsCloseWith4003(boolean sockJs, Http http) {
    JsonObject session = http.guest("pinger");
    String token = session.getString("token");
    BridgeClient.Transport transport = sockJs ? BridgeClient.Transport.SOCKJS_WEBSOCKET : BridgeClient.Transport.RAW;
    BridgeClient polite = service.connect(token, transport);
    for (int i = 0; i < 5; i++) {
      polite.ping();
    }
    polite.join("general", session.getJsonObject("user").getString("id"));
    assertTrue(!polite.isClosed(), "a few pings are fine");
    polite.close();

    BridgeClient flooder = service.connect(token, transport);
    for (int i = 0; i < 50 && !flooder.isClosed(); i++) {
      try {
        flooder.ping();
      } catch (Exception | AssertionError closedMeanwhile) {
        break;
      }
    }
    assertEquals(CloseCodes.PROTOCOL_ERROR, flooder.awaitClose());
  }
}
