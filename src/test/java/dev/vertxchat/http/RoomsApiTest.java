package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
class RoomsApiTest {
  @TempDir
  Path dataDir;

  @Test
  void roomsAreListedCreatedOnceAndValidated(Vertx vertx) {
    TestServer server = TestServer.start(vertx, dataDir, new JsonObject().put("rooms", new JsonObject()
        .put("defaults", new JsonArray().add(new JsonObject().put("id", "general").put("name", "General").put("topic", "t"))
            .add(new JsonObject().put("id", "ops").put("name", "Ops").put("topic", "on call")))));
    try {
      Http http = new Http(vertx, server.port);
      String token = http.guestToken("maker");
      JsonArray rooms = http.get("/api/rooms", token).bodyAsJsonObject().getJsonArray("rooms");
      assertEquals(new JsonObject().put("id", "general").put("name", "General").put("topic", "t").put("members", 0),
          rooms.getJsonObject(0));
      assertEquals("ops", rooms.getJsonObject(1).getString("id"));

      var created = http.post("/api/rooms", token, new JsonObject().put("id", "book-club").put("name", "Book club").put("topic", "Reading"));
      assertEquals(201, created.statusCode(), created.bodyAsString());
      assertEquals("Book club", created.bodyAsJsonObject().getString("name"));
      var again = http.post("/api/rooms", token, new JsonObject().put("id", "book-club").put("name", "Other"));
      assertEquals(409, again.statusCode());
      assertEquals(ErrorCodes.ROOM_EXISTS, Http.errorCode(again));
      for (Object bad : new Object[] {"Book Club", "-x", "a".repeat(65), "", 5, "a/b"}) {
        var res = http.post("/api/rooms", token, new JsonObject().put("id", bad));
        assertEquals(400, res.statusCode(), String.valueOf(bad));
        assertEquals(ErrorCodes.INVALID_ROOM, Http.errorCode(res));
      }
      assertEquals(400, http.post("/api/rooms", token, "{not json").statusCode());
      assertEquals(401, http.post("/api/rooms", null, new JsonObject().put("id", "anon")).statusCode());
      assertEquals(3, http.get("/api/rooms", token).bodyAsJsonObject().getJsonArray("rooms").size(), "nothing else was created");

      // a new room can be joined and written to at once
      JsonObject session = http.guest("reader");
      BridgeClient client = BridgeClient.connect(vertx, server.port, session.getString("token"));
      try {
        client.join("book-club", session.getJsonObject("user").getString("id"));
        JsonObject reply = client.request("chat.send", new JsonObject().put("room", "book-club").put("text", "first"));
        assertEquals("message", reply.getString("type"));
        assertEquals("first", body(client.awaitFrame(f -> "first".equals(body(f).getString("text")))).getString("text"));
      } finally {
        client.close();
      }
    } finally {
      server.stop();
    }
  }

  @Test
  void postingValidatesTextAndRoomAndLeavesHistoryIntact(Vertx vertx) {
    TestServer server = TestServer.start(vertx, dataDir);
    try {
      Http http = new Http(vertx, server.port);
      String token = http.guestToken("poster");
      assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "kept")).statusCode());
      assertEquals(ErrorCodes.ROOM_NOT_FOUND, Http.errorCode(http.post("/api/rooms/nope/messages", token, new JsonObject().put("text", "x"))));
      assertEquals(ErrorCodes.INVALID_TEXT, Http.errorCode(http.post("/api/rooms/general/messages", token, new JsonObject().put("text", " "))));
      assertEquals(ErrorCodes.INVALID_TEXT, Http.errorCode(http.post("/api/rooms/general/messages", token, new JsonObject())));
      assertEquals(ErrorCodes.INVALID_TEXT,
          Http.errorCode(http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "x".repeat(4001)))));
      assertEquals(413, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "x".repeat(70_000))).statusCode());
      assertEquals(ErrorCodes.BAD_REQUEST, Http.errorCode(http.post("/api/rooms/general/messages", token, "[]")));
      assertEquals(404, http.get("/api/nothing-here", token).statusCode());
      JsonArray messages = http.get("/api/rooms/general/messages", token).bodyAsJsonObject().getJsonArray("messages");
      assertEquals(1, messages.size());
      assertEquals("kept", messages.getJsonObject(0).getString("text"));
    } finally {
      server.stop();
    }
  }
}
