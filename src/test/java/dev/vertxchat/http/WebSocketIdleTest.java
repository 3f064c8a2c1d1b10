package dev.vertxchat.http;

import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.RawSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code http.idleTimeoutMs} holds for WebSockets too, although Netty's idle handler is taken out of
 * their pipeline (it cost a promise per frame written): a WebSocket on which nothing is read or
 * written for that long is closed. The bridge's ping timeout is set far beyond it, so only the idle
 * timeout can close it. Takes about 30 s (the smallest idle timeout allowed).
 */
class WebSocketIdleTest {
  private static final long IDLE_MS = 30_000;

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("http", new JsonObject().put("idleTimeoutMs", IDLE_MS))
      .put("limits", new JsonObject().put("pingTimeoutMs", 600_000)));

  @Test
  void aWebSocketSilentBothWaysIsClosedAfterTheIdleTimeout(Http http) throws Exception {
    String token = http.guestToken("silent");
    try (RawSocket socket = RawSocket.open(service.port())) {
      long opened = System.nanoTime();
      String head = socket.upgrade("/eventbus/websocket?token=" + token);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      assertNull(socket.readUntilClosed(IDLE_MS - 5_000), "closed before the idle timeout");
      assertNotNull(socket.readUntilClosed(15_000), "still open 10 s after the idle timeout");
      long elapsedMs = (System.nanoTime() - opened) / 1_000_000;
      assertTrue(elapsedMs >= IDLE_MS - 1_000, "closed after " + elapsedMs + " ms");
    }
  }
}
