package dev.vertxchat.bridge;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two users chatting over the raw WebSocket bridge, as the browser app does. */
@ExtendWith(VertxExtension.class)
class BridgeChatTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Http http;
  JsonObject alice;
  JsonObject bob;
  BridgeClient a;
  BridgeClient b;

  @BeforeEach
  void start(Vertx vertx) {
    server = TestServer.start(vertx, dataDir);
    http = new Http(vertx, server.port);
    alice = http.guest("alice");
    bob = http.guest("bob");
    a = BridgeClient.connect(vertx, server.port, alice.getString("token"));
    b = BridgeClient.connect(vertx, server.port, bob.getString("token"));
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    server.stop();
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
}
