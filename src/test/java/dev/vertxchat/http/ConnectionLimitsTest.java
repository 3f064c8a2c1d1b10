package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.RawSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/** Slowloris, silent connections and connection floods are bounded in time and count. */
class ConnectionLimitsTest {
  private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  @RegisterExtension
  final ChatService service = new ChatService();

  private void start(JsonObject http) {
    service.start(new JsonObject().put("http", http));
  }

  private RawSocket open() throws IOException {
    return service.closeAfter(RawSocket.open(service.port()));
  }

  @Test
  void halfSentHeadersAndSilentConnectionsAreDropped() throws IOException {
    start(new JsonObject().put("headerTimeoutMs", 1000));
    RawSocket slowloris = open();
    slowloris.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
    RawSocket silent = open();
    RawSocket idleKeepAlive = open();
    idleKeepAlive.send(HEALTH);
    assertNotNull(slowloris.readUntilClosed(5000), "half-sent headers kept open");
    assertNotNull(silent.readUntilClosed(5000), "silent connection kept open");
    String answered = idleKeepAlive.readUntilClosed(5000);
    assertNotNull(answered, "idle keep-alive connection kept open");
    assertTrue(answered.startsWith("HTTP/1.1 200"), answered);
  }

  @Test
  void aBodyThatStopsHalfWayIsDroppedAfterTheBodyTimeout() throws IOException {
    start(new JsonObject().put("bodyTimeoutMs", 1000));
    RawSocket stalled = open();
    stalled.send("POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 1000\r\n\r\n{\"name\":\"alice\",\"pass");
    assertNotNull(stalled.readUntilClosed(5000), "a stalled request body kept its connection open");
  }

  /** Bodies still arriving are budgeted over all connections, so trickling uploads cannot fill the heap. */
  @Test
  void bodiesStillArrivingAreBudgetedInTotal() throws IOException {
    start(new JsonObject().put("maxPendingBodyBytes", 65_536));
    String head = "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 60000\r\n\r\n";
    RawSocket first = open();
    first.send(head + "x".repeat(40_000));
    RawSocket second = open();
    second.send(head + "x".repeat(40_000));
    boolean oneClosed = first.readUntilClosed(3000) != null | second.readUntilClosed(3000) != null;
    assertTrue(oneClosed, "80,000 bytes of unfinished bodies held with a budget of 65,536");
    RawSocket normal = open();
    normal.send(HEALTH.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
    String health = normal.readUntilClosed(5000);
    assertNotNull(health);
    assertTrue(health.startsWith("HTTP/1.1 200"), health);
  }

  @Test
  void connectionsPerAddressAreCapped() throws IOException {
    start(new JsonObject().put("maxConnectionsPerAddress", 3));
    List<RawSocket> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(open());
    }
    RawSocket extra = open();
    extra.send(HEALTH);
    String refused = extra.readUntilClosed(5000);
    assertNotNull(refused, "the connection over the cap stays open");
    assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
    assertTrue(refused.contains("\"code\":" + ErrorCodes.TOO_MANY_CONNECTIONS), refused);

    held.get(0).close();
    String again = null;
    for (int i = 0; i < 50 && (again == null || !again.startsWith("HTTP/1.1 200")); i++) {
      RawSocket next = open();
      next.send(HEALTH.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
      again = next.readUntilClosed(5000);
    }
    assertNotNull(again);
    assertTrue(again.startsWith("HTTP/1.1 200"), "a freed slot is usable again: " + again);
  }

  @Test
  void connectionsInTotalAreCapped() throws IOException {
    start(new JsonObject().put("maxConnections", 2));
    open();
    open();
    RawSocket extra = open();
    extra.send(HEALTH);
    String refused = extra.readUntilClosed(5000);
    assertNotNull(refused);
    assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
  }

  /**
   * Opens in flight at the same time (their bodies still arriving, behind a trusted proxy whose own
   * connections are not capped) cannot pass the cap together: each reserves its place at the handshake.
   */
  @Test
  void sessionOpensInFlightCannotPassTheCapTogether() throws IOException {
    start(new JsonObject().put("maxConnectionsPerAddress", 3)
        .put("trustedProxies", new io.vertx.core.json.JsonArray().add("127.0.0.1")));
    String token = service.http().guestToken("burst");
    List<RawSocket> inFlight = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      RawSocket s = open();
      s.send("POST /eventbus/000/burst" + i + "/xhr?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "X-Forwarded-For: 203.0.113.5\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n");
      inFlight.add(s);
    }
    int opened = 0;
    for (RawSocket s : inFlight) {
      s.send("{}");
      String answer = s.readUntilClosed(10_000);
      assertNotNull(answer);
      if (answer.startsWith("HTTP/1.1 200")) {
        opened++;
      } else {
        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
      }
    }
    assertEquals(3, opened, "sessions opened by 6 requests in flight at once with a cap of 3");
  }

  /**
   * A SockJS WebSocket always opens a bridge connection of its own, so it is admitted under the caps
   * whatever its session id: before, a WebSocket that reused the id of an open XHR session (whose owner
   * is known) passed without a place under the caps, and one client (behind a trusted proxy, where the
   * TCP cap per peer does not apply) could open as many as it liked.
   */
  @Test
  void webSocketsReusingAnOpenSessionsIdAreCappedToo() throws IOException {
    start(new JsonObject().put("maxConnectionsPerAddress", 3)
        .put("trustedProxies", new io.vertx.core.json.JsonArray().add("127.0.0.1")));
    String token = service.http().guestToken("reuser");
    String forwarded = "X-Forwarded-For: 203.0.113.7\r\n";
    RawSocket poll = open();
    poll.send("POST /eventbus/000/shared/xhr?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + forwarded
        + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    String opened = poll.readUntilClosed(10_000);
    assertNotNull(opened);
    assertTrue(opened.endsWith("\r\n\r\no\n"), opened);
    int upgraded = 0;
    for (int i = 0; i < 4; i++) {
      String head = open().upgrade("/eventbus/000/shared/websocket?token=" + token, forwarded);
      if (head.startsWith("HTTP/1.1 101")) {
        upgraded++;
      } else {
        assertTrue(head.startsWith("HTTP/1.1 503"), head);
      }
    }
    assertEquals(2, upgraded, "WebSockets admitted next to one open session with a cap of 3");
  }

  /** SockJS sessions outlive their HTTP requests, so they count against the per-address cap too. */
  @Test
  void sockJsSessionsCountPerAddress(Vertx vertx) {
    start(new JsonObject().put("maxConnectionsPerAddress", 3));
    String token = service.http().guestToken("collector");
    WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()).setKeepAlive(false));
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> open = await(web.post("/eventbus/000/session" + i + "/xhr?token=" + token).send());
      assertEquals("o\n", open.bodyAsString());
    }
    HttpResponse<Buffer> fourth = await(web.post("/eventbus/000/session3/xhr?token=" + token).send());
    assertEquals(503, fourth.statusCode(), fourth.bodyAsString());
    assertEquals(ErrorCodes.TOO_MANY_CONNECTIONS, fourth.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
    HttpResponse<Buffer> streaming = await(web.post("/eventbus/000/session4/xhr_streaming?token=" + token).send());
    assertEquals(503, streaming.statusCode(), streaming.bodyAsString());
    // a WebSocket (raw endpoint, SockJS transport) is a bridge connection too
    for (String uri : List.of("/eventbus/websocket?token=" + token, "/eventbus/000/session5/websocket?token=" + token)) {
      Throwable refused = await(vertx.createWebSocketClient().connect(new WebSocketConnectOptions()
          .setHost("127.0.0.1").setPort(service.port()).setURI(uri)).transform(ar -> Future.succeededFuture(ar.cause())));
      assertTrue(refused instanceof UpgradeRejectedException r && r.getStatus() == 503, uri + ": " + refused);
    }
    assertEquals(204, await(web.post("/eventbus/000/session0/xhr_send?token=" + token).putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("[\"{\\\"type\\\":\\\"ping\\\"}\"]"))).statusCode(), "an open session keeps working");
    web.close();
  }
}
