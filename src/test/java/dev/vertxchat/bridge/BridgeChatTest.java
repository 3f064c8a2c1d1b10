package dev.vertxchat.bridge;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two users chatting over the raw WebSocket bridge, as the browser app does. */
class BridgeChatTest {
  @RegisterExtension
  final ChatService service = new ChatService();
  Http http;
  JsonObject alice;
  JsonObject bob;
  BridgeClient a;
  BridgeClient b;

  /** The transport the clients use; the subclasses run the same tests over the other transports. */
  BridgeClient.Transport transport() {
    return BridgeClient.Transport.RAW;
  }

  /** The WebSockets on the fast path (true) or on the fallback over Vert.x's public API. */
  boolean fastPath() {
    return true;
  }

  BridgeClient connect(String token) {
    return service.connect(token, transport());
  }

  @BeforeEach
  void start() {
    // an XHR client that closes is gone after the disconnect delay: 2 s instead of 5 s (xhr subclasses)
    http = service.start(new JsonObject().put("http", new JsonObject().put("webSocketFastPath", fastPath()))
        .put("limits", new JsonObject().put("sockJsDisconnectDelayMs", 2000))).http();
    alice = http.guest("alice");
    bob = http.guest("bob");
    a = connect(alice.getString("token"));
    b = connect(bob.getString("token"));
  }

  private static String id(JsonObject session) {
    return session.getJsonObject("user").getString("id");
  }

  @Test
  void messagesArriveOnceInOrderWithTheServerStampedSender() {
    a.join("general", id(alice));
    b.join("general", id(bob));
    for (int i = 0; i < 20; i++) {
      BridgeClient sender = i % 2 == 0 ? a : b;
      JsonObject reply = sender.request("chat.send", new JsonObject().put("room", "general").put("text", "m" + i));
      assertEquals("message", reply.getString("type"), reply.encode());
      assertTrue(body(reply).getLong("id") > 0);
    }
    for (BridgeClient client : List.of(a, b)) {
      client.awaitFrame(f -> "m19".equals(body(f).getString("text")));
      List<JsonObject> chats = client.chats("general");
      assertEquals(20, chats.size(), "each message exactly once");
      for (int i = 0; i < 20; i++) {
        JsonObject env = chats.get(i);
        assertEquals("m" + i, env.getString("text"));
        assertEquals(i % 2 == 0 ? id(alice) : id(bob), env.getJsonObject("user").getString("id"));
        assertEquals(i % 2 == 0 ? "alice" : "bob", env.getJsonObject("user").getString("name"));
        assertEquals("general", env.getString("room"));
        if (i > 0) {
          assertTrue(env.getLong("id") > chats.get(i - 1).getLong("id"), "ids increase");
        }
      }
    }
  }

  @Test
  void aForgedSenderIdAndTimestampAreIgnored() {
    a.join("general", id(alice));
    b.join("general", id(bob));
    JsonObject forged = new JsonObject().put("room", "general").put("text", "trust me")
        .put("user", new JsonObject().put("id", id(bob)).put("name", "bob"))
        .put("id", 999999).put("ts", 1);
    JsonObject reply = a.request("chat.send", forged,
        new JsonObject().put("x-user-id", id(bob)).put("x-user-name", "bob"));
    assertEquals("message", reply.getString("type"), reply.encode());
    JsonObject env = body(b.awaitFrame(f -> "trust me".equals(body(f).getString("text"))));
    assertEquals(id(alice), env.getJsonObject("user").getString("id"));
    assertEquals("alice", env.getJsonObject("user").getString("name"));
    assertTrue(env.getLong("id") < 999999);
    assertTrue(env.getLong("ts") > 1_600_000_000_000L);
  }

  @Test
  void sendingToARoomNotJoinedOnThisConnectionIsRefused() {
    JsonObject reply = a.request("chat.send", new JsonObject().put("room", "general").put("text", "hi"));
    assertEquals("err", reply.getString("type"));
    assertEquals(ErrorCodes.NOT_JOINED, reply.getInteger("failureCode"));
    JsonObject history = http.get("/api/rooms/general/messages", alice.getString("token")).bodyAsJsonObject();
    assertTrue(history.getJsonArray("messages").isEmpty(), "nothing stored");
  }

  @Test
  void joinAndLeftFollowAUsersFirstAndLastConnectionAndPresenceListsTheRoom() {
    a.join("general", id(alice));
    b.join("general", id(bob));
    a.awaitFrame(f -> "join".equals(bodyType(f)) && id(bob).equals(body(f).getJsonObject("user").getString("id")));
    assertEquals(List.of("alice", "bob"), users(a));

    BridgeClient b2 = connect(bob.getString("token"));
    try {
      b2.register("chat.room.general");
      b2.request("chat.presence", new JsonObject().put("room", "general")); // the register was handled
      b.unregister("chat.room.general");
      b.request("chat.presence", new JsonObject().put("room", "general"));
      assertEquals(List.of("alice", "bob"), users(a), "bob is still in through his second connection");
    } finally {
      b2.close();
    }
    JsonObject left = a.awaitFrame(f -> "left".equals(bodyType(f)));
    assertEquals(id(bob), body(left).getJsonObject("user").getString("id"));
    assertEquals(1, a.received(f -> "join".equals(bodyType(f)) && id(bob).equals(body(f).getJsonObject("user").getString("id"))).size(),
        "one join for bob's two connections");
    assertEquals(1, a.received(f -> "left".equals(bodyType(f))).size());
    assertEquals(List.of("alice"), users(a));
    JsonObject rooms = http.get("/api/rooms", alice.getString("token")).bodyAsJsonObject();
    assertEquals(1, rooms.getJsonArray("rooms").getJsonObject(0).getInteger("members"));
  }

  @Test
  void typingIsFannedOutButNotStored() {
    a.join("general", id(alice));
    b.join("general", id(bob));
    JsonObject reply = a.request("chat.typing", new JsonObject().put("room", "general"));
    assertEquals("message", reply.getString("type"), reply.encode());
    JsonObject typing = body(b.awaitFrame(f -> "typing".equals(bodyType(f))));
    assertEquals(id(alice), typing.getJsonObject("user").getString("id"));
    assertEquals("general", typing.getString("room"));
    assertTrue(!typing.containsKey("id") && !typing.containsKey("text"));
    JsonObject history = a.request("chat.history", new JsonObject().put("room", "general"));
    assertTrue(body(history).getJsonArray("messages").isEmpty());
    JsonObject notJoined = a.request("chat.typing", new JsonObject().put("room", "elsewhere"));
    assertEquals(ErrorCodes.NOT_JOINED, notJoined.getInteger("failureCode"));
  }

  @Test
  void aRestPostReachesBridgeSubscribersThroughTheSamePipeline() {
    b.join("general", id(bob));
    var res = http.post("/api/rooms/general/messages", alice.getString("token"), new JsonObject().put("text", "from a bot"));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    long id = res.bodyAsJsonObject().getLong("id");
    JsonObject env = body(b.awaitFrame(f -> "from a bot".equals(body(f).getString("text"))));
    assertEquals(id, env.getLong("id"));
    assertEquals(id(alice), env.getJsonObject("user").getString("id"));
    assertEquals(res.bodyAsJsonObject().getLong("ts"), env.getLong("ts"));
  }

  private static List<String> users(BridgeClient client) {
    JsonObject reply = client.request("chat.presence", new JsonObject().put("room", "general"));
    return body(reply).getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("name")).toList();
  }
}
