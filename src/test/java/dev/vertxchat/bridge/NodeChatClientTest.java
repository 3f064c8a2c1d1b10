package dev.vertxchat.bridge;

import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.NodeChatClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official client in a Node process ({@link NodeChatClient}, src/test/js/chat-client.js) against one
 * in-process node: over each SockJS transport and the raw WebSocket endpoint it joins, sends, gets every acknowledged message, and its view
 * of the room equals the room's history; across a restart of the node it reconnects and catches up.
 */
class NodeChatClientTest {
  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("limits", new JsonObject().put("messagesPerSecond", 1000).put("messageBurst", 1000)));

  /** The ids of the room's history, oldest first (one page: the tests stay under 200 messages). */
  private List<Long> history(String token) {
    return service.http().get("/api/rooms/general/messages?after=0&limit=200", token).bodyAsJsonObject().getJsonArray("messages")
        .stream().map(m -> ((JsonObject) m).getLong("id")).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling", "raw"})
  void theOfficialClientSendsAndReceivesOverEachTransport(String transport) {
    NodeChatClient.require();
    String token = service.http().guestToken("node " + transport);
    for (int i = 0; i < 3; i++) { // before it connects: it has them only if it catches up
      assertEquals(201, service.http().post("/api/rooms/general/messages", token, new JsonObject().put("text", "earlier " + i))
          .statusCode());
    }
    try (NodeChatClient client = NodeChatClient.start(NodeChatClient.options(service.base(), token, transport, "general", 20, 50))) {
      NodeChatClient.Result result = client.await(60_000);
      assertFalse(result.timedOut(), client.log());
      assertEquals(20, result.acked().size(), client.log());
      assertEquals(List.of(), result.failed());
      assertEquals(0, result.unknown());
      assertEquals(0, result.duplicates());
      assertEquals(0, result.outages(), client.log());
      assertTrue(result.received().containsAll(result.acked()), result.toString());
      assertEquals(history(token), result.received(), "the client's view is the history");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "xhr-polling", "raw"})
  void theOfficialClientReconnectsAndCatchesUpAcrossARestart(String transport) throws Exception {
    NodeChatClient.require();
    String token = service.http().guestToken("node restart");
    JsonObject options = NodeChatClient.options(service.base(), token, transport, "general", 40, 20).put("stopWhenDone", false);
    try (NodeChatClient client = NodeChatClient.start(options)) {
      for (long deadline = System.currentTimeMillis() + 20_000; history(token).size() < 5; ) { // a part sent before the restart
        assertTrue(System.currentTimeMillis() < deadline, "no 5 messages within 20 s: " + client.log());
        Thread.sleep(50);
      }
      service.restart();
      client.stop();
      NodeChatClient.Result result = client.await(60_000);
      assertFalse(result.timedOut(), client.log());
      assertEquals(1, result.outages(), "the restart closed the connection once: " + client.log());
      assertEquals(1, result.reconnectMs().size(), "caught up again: " + result);
      assertEquals(40, result.acked().size() + result.failed().size() + result.unknown(), result.toString());
      assertTrue(result.acked().size() >= 30, result.toString());
      assertEquals(0, result.duplicates());
      assertTrue(result.received().containsAll(result.acked()), result.toString());
      assertEquals(history(token), result.received(), "the client's view is the history");
    }
  }
}
