package dev.vertxchat.bridge;

import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SockJS sessions over XHR with clients that misbehave, on two HTTP verticle instances (so a request for
 * a session often arrives on another event loop than the session's own).
 */
class XhrSessionTest {
  @RegisterExtension
  // a fixed port: with port 0 every instance would listen on a port of its own
  final ChatService service = new ChatService(new JsonObject().put("http", new JsonObject().put("port", freePort()))
      .put("deployments", new JsonArray()
          .add(new JsonObject().put("verticle", "dev.vertxchat.chat.ChatVerticle").put("instances", 1))
          .add(new JsonObject().put("verticle", "dev.vertxchat.http.HttpVerticle").put("instances", 2)))
      .put("limits", new JsonObject().put("sockJsDisconnectDelayMs", 2000)));

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private SockJsTransports.Sessions sessions() {
    return service.vertx().sharedData().<String, SockJsTransports.Sessions>getLocalMap("vertxchat.sockjs").get("sessions");
  }

  /** Sends a request and resets the connection at once, without reading the answer. */
  private void postAndReset(String uri) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", service.port()), 5000);
      socket.getOutputStream().write(("POST " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.setSoLinger(true, 0); // RST on close
    }
  }

  /**
   * A client whose receiving request's connection is gone before the session got to it (it hops to the
   * session's event loop) must not stay attached as the session's receiver: the session then ends after
   * the disconnect delay like any session whose client left, and gives back its place under the caps.
   * Before, such a dead receiver kept the session (and the user's presence and connection count) until
   * the ping timeout, and every further receiving request was refused with 2010.
   */
  @Test
  void aReceiverWhoseClientLeftBeforeItWasServedDoesNotKeepTheSession(Vertx vertx, Http http) throws Exception {
    String token = http.guestToken("leaver");
    for (int i = 0; i < 16; i++) {
      String id = "leave" + i;
      String base = "/eventbus/000/" + id + "/";
      assertEquals("o\n", http.post(base + "xhr", token, null).bodyAsString());
      // the session's event loop is busy for a moment, so a request that arrives on the other one (every
      // other connection) is still waiting to hop to the session when its client resets the connection
      CountDownLatch busy = new CountDownLatch(1);
      sessions().byId.get(id).context.runOnContext(v -> {
        busy.countDown();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150));
      });
      assertTrue(busy.await(5, TimeUnit.SECONDS));
      postAndReset(base + (i % 2 == 0 ? "xhr_streaming" : "xhr") + "?token=" + token);
    }
    // every client is gone: after the disconnect delay (2 s here) no session is left (bounded wait)
    long deadline = System.currentTimeMillis() + 9000;
    while ((!sessions().byId.isEmpty() || HandshakeGuard.bridgeConnections(vertx).total() > 0)
        && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(0, sessions().byId.size(), "sessions still held by a receiver whose client is gone");
    assertEquals(0, HandshakeGuard.bridgeConnections(vertx).total(), "bridge connections still counted");
  }

  /**
   * sockjs-client sends everything queued while an {@code xhr_send} is on its way in the next one, as one
   * body: twenty messages of the longest text (what the send rate allows at once) make a body several
   * times {@code limits.maxFrameBytes}, yet every frame in it is within the limit, as over the WebSocket.
   * Before, the whole session was closed with 1009 (frame too large: "fix the client").
   */
  @Test
  void aBatchOfFramesEachWithinTheLimitIsNotTooLarge(Http http) {
    String token = http.guestToken("batcher");
    String base = "/eventbus/000/batch/";
    assertEquals("o\n", http.post(base + "xhr", token, null).bodyAsString());
    JsonArray join = new JsonArray().add(new JsonObject().put("type", "register").put("address", "chat.room.general").encode());
    assertEquals(204, http.post(base + "xhr_send", token, join).statusCode());
    String joined = http.post(base + "xhr", token, null).bodyAsString();
    assertTrue(joined.startsWith("a["), joined);

    JsonArray batch = new JsonArray();
    for (int i = 0; i < 20; i++) {
      batch.add(new JsonObject().put("type", "send").put("address", "chat.send").put("replyAddress", "r" + i)
          .put("body", new JsonObject().put("room", "general").put("text", (char) ('a' + i) + "x".repeat(3999))).encode());
    }
    assertTrue(batch.encode().length() > 65536 + 1024, "the body is larger than one frame may be");
    assertEquals(204, http.post(base + "xhr_send", token, batch).statusCode());
    // every send is answered; the session stays open (bounded: 20 replies, a few polls)
    StringBuilder got = new StringBuilder();
    for (int polls = 0; polls < 40 && !got.toString().contains("\\\"address\\\":\\\"r19\\\""); polls++) {
      String frames = http.post(base + "xhr", token, null).bodyAsString();
      assertTrue(!frames.contains("c["), "the session was closed: " + frames);
      got.append(frames);
    }
    assertTrue(got.toString().contains("\\\"address\\\":\\\"r19\\\""), "no reply to the last send: " + got);
  }
}
