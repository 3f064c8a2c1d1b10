package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.RawSocket;
import dev.vertxchat.support.ServiceTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket control frames (ping, pong) are limited and count against what a connection may make the
 * server hold: a client that floods pings and never reads is closed, on the raw endpoint and on
 * SockJS's WebSocket transport, and the server keeps serving everyone else.
 */
class ControlFrameTest extends ServiceTest {
  private static final long FLOOD_BYTES = 64L * 1024 * 1024;

  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("limits", new JsonObject().put("controlFramesPerSecond", 10));
  }

  private String uri(boolean sockJs, String token) {
    return (sockJs ? "/eventbus/000/flood/websocket" : "/eventbus/websocket") + "?token=" + token;
  }

  /** The attack: 64 MB of pings, never reading a pong. The server closes the connection early instead of buffering pongs. */
  @ParameterizedTest(name = "sockJs={0}")
  @ValueSource(booleans = {false, true})
  void aPingFloodThatNeverReadsIsCutOff(boolean sockJs) throws Exception {
    String token = http.guestToken("flooder");
    long written;
    try (RawSocket socket = RawSocket.open(server.port)) {
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
  void tooManyPingsCloseWith4003(boolean sockJs, Vertx vertx) {
    JsonObject session = http.guest("pinger");
    String token = session.getString("token");
    BridgeClient polite = sockJs ? BridgeClient.connectSockJs(vertx, server.port, token) : BridgeClient.connect(vertx, server.port, token);
    for (int i = 0; i < 5; i++) {
      polite.ping();
    }
    polite.join("general", session.getJsonObject("user").getString("id"));
    assertTrue(!polite.isClosed(), "a few pings are fine");
    polite.close();

    BridgeClient flooder = sockJs ? BridgeClient.connectSockJs(vertx, server.port, token) : BridgeClient.connect(vertx, server.port, token);
    for (int i = 0; i < 50 && !flooder.isClosed(); i++) {
      try {
        flooder.ping();
      } catch (Exception | AssertionError closedMeanwhile) {
        break;
      }
    }
    assertEquals(CloseCodes.PROTOCOL_ERROR, flooder.awaitClose());
    flooder.close();
  }
}
