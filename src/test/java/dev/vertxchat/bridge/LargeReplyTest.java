package dev.vertxchat.bridge;

import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reply larger than one 64 KiB WebSocket frame (a history page of long messages) reaches a client with
 * the usual frame limit (Vert.x's own WebSocket client: 64 KiB per frame) whole, over the raw endpoint.
 */
class LargeReplyTest {
  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject().put("limits", new JsonObject().put("messagesPerSecond", 1000).put("messageBurst", 1000)));

  @Test
  void aHistoryPageOverOneFrameArrivesWhole(Http http) {
    JsonObject session = http.guest("archivist");
    String token = session.getString("token");
    String text = "y".repeat(3990);
    for (int i = 0; i < 30; i++) {
      assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", text + i)).statusCode());
    }
    BridgeClient client = service.connect(token);
    JsonObject reply = client.request("chat.history", new JsonObject().put("room", "general").put("limit", 30));
    assertEquals("message", reply.getString("type"), reply.encode().substring(0, Math.min(200, reply.encode().length())));
    JsonArray messages = body(reply).getJsonArray("messages");
    assertEquals(30, messages.size());
    assertTrue(reply.encode().length() > 120_000, "the reply spans several frames: " + reply.encode().length());
    for (int i = 0; i < 30; i++) {
      assertEquals(text + i, messages.getJsonObject(i).getString("text"));
    }
  }
}
