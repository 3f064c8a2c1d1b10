package dev.vertxchat.chat;

import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several HTTP and chat verticle instances in one process behave like one: presence is shared, and
 * under concurrent senders every subscriber receives every message once, in id order.
 */
class MultiInstanceTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  @Test
  void concurrentSendersAcrossInstancesAreDeliveredOnceInIdOrder() {
    JsonObject overrides = new JsonObject()
        .put("deployments", new JsonArray()
            .add(new JsonObject().put("verticle", "dev.vertxchat.chat.ChatVerticle").put("instances", 2))
            .add(new JsonObject().put("verticle", "dev.vertxchat.http.HttpVerticle").put("instances", 2)))
        .put("limits", new JsonObject().put("messagesPerSecond", 10_000).put("messageBurst", 10_000))
        // group commit waits 5 ms for company: batches of both chat instances still take turns in id order
        .put("store", new JsonObject().put("commitDelayMs", 5));
    Http http = service.start(overrides).http();
    List<BridgeClient> clients = new ArrayList<>();
    List<JsonObject> sessions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonObject session = http.guest("user" + i);
      sessions.add(session);
      BridgeClient c = service.connect(session.getString("token"));
      c.join("general", session.getJsonObject("user").getString("id"));
      clients.add(c);
    }
    // every connection, whichever instance serves it, sees all four users
    for (BridgeClient c : clients) {
      JsonObject presence = body(c.request("chat.presence", new JsonObject().put("room", "general")));
      assertEquals(4, presence.getJsonArray("users").size());
    }

    int perSender = 50;
    // fire without waiting for acks, interleaved over four connections
    for (int i = 0; i < perSender; i++) {
      for (int s = 0; s < 4; s++) {
        clients.get(s).write(new JsonObject().put("type", "send").put("address", "chat.send")
            .put("body", new JsonObject().put("room", "general").put("text", s + ":" + i)));
      }
    }
    for (BridgeClient c : clients) {
      for (int s = 0; s < 4; s++) {
        String lastOfSender = s + ":" + (perSender - 1);
        c.awaitFrame(f -> lastOfSender.equals(body(f).getString("text")));
      }
      List<JsonObject> chats = c.chats("general");
      assertEquals(4 * perSender, chats.size(), "every message exactly once");
      for (int i = 1; i < chats.size(); i++) {
        assertTrue(chats.get(i).getLong("id") > chats.get(i - 1).getLong("id"), "delivered in id order");
      }
      // each sender's own messages keep the order they were sent in
      for (int s = 0; s < 4; s++) {
        String prefix = s + ":";
        List<Integer> seq = chats.stream().map(e -> e.getString("text")).filter(t -> t.startsWith(prefix))
            .map(t -> Integer.parseInt(t.substring(prefix.length()))).toList();
        for (int i = 0; i < seq.size(); i++) {
          assertEquals(i, seq.get(i));
        }
      }
    }
    JsonObject history = http.get("/api/rooms/general/messages?limit=200", sessions.get(0).getString("token")).bodyAsJsonObject();
    assertEquals(4 * perSender, history.getJsonArray("messages").size());
  }
}
