package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the bridge refuses, and that every refusal is answered. */
class BridgeRulesTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  private static String id(JsonObject session) {
    return session.getJsonObject("user").getString("id");
  }

  private static JsonObject sendFrame(String address, JsonObject body) {
    return new JsonObject().put("type", "send").put("address", address).put("body", body);
  }

  @Test
  void registeringAnythingButRoomsAndTheOwnUserAddressIsRefused(Vertx vertx, Http http) {
    JsonObject alice = http.guest("alice");
    JsonObject bob = http.guest("bob");
    BridgeClient a = service.connect(alice.getString("token"));
    for (String address : List.of("chat.user." + id(bob), "chat.send", "chat.room.nope", "chat.room.Bad Id", "anything")) {
      a.register(address);
      JsonObject err = a.awaitFrame(f -> "err".equals(f.getString("type")) && address.equals(f.getString("address")));
      assertEquals("access_denied", err.getString("body"), address);
    }
    JsonObject notFound = a.received(f -> "chat.room.nope".equals(f.getString("address"))).get(0);
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, notFound.getInteger("failureCode"));

    // the own user address works: a notice published there reaches this connection only
    BridgeClient b = service.connect(bob.getString("token"));
    a.register("chat.user." + id(alice));
    b.register("chat.user." + id(bob));
    a.request("chat.presence", new JsonObject().put("room", "general")); // both registrations processed in order
    b.request("chat.presence", new JsonObject().put("room", "general"));
    // fan-out addresses carry typed messages (a RoomMessage or a JSON object), never a bare string
    vertx.eventBus().publish("chat.user." + id(alice), new JsonObject().put("type", "notice"));
    a.awaitFrame(f -> ("chat.user." + id(alice)).equals(f.getString("address")));
    b.request("chat.presence", new JsonObject().put("room", "general"));
    assertTrue(b.received(f -> ("chat.user." + id(alice)).equals(f.getString("address"))).isEmpty());
  }

  @Test
  void clientsCanNeverPublishOrSendToFanOutAddresses(Http http) {
    JsonObject alice = http.guest("alice");
    BridgeClient a = service.connect(alice.getString("token"));
    a.join("general", id(alice));
    JsonObject fake = new JsonObject().put("type", "chat").put("text", "fake").put("room", "general")
        .put("user", new JsonObject().put("id", "g-admin").put("name", "admin"));
    a.write(new JsonObject().put("type", "publish").put("address", "chat.room.general").put("body", fake));
    a.write(sendFrame("chat.room.general", fake));
    a.write(sendFrame("chat.user." + id(alice), fake));
    JsonObject viaRequest = a.request("chat.room.general", fake);
    assertEquals("err", viaRequest.getString("type"));
    assertEquals(ErrorCodes.ACCESS_DENIED, viaRequest.getInteger("failureCode"));
    assertEquals(3, a.received(f -> "err".equals(f.getString("type")) && "access_denied".equals(f.getString("body"))).size());
    assertTrue(a.chats("general").isEmpty(), "no fake message was delivered");
  }

  @Test
  void textIsValidatedAndNothingInvalidIsStored() {
    Http http = service.start(new JsonObject().put("limits", new JsonObject().put("maxTextLength", 10))).http();
    JsonObject alice = http.guest("alice");
    BridgeClient a = service.connect(alice.getString("token"));
    a.join("general", id(alice));
    for (Object text : new Object[] {"", "   ", "12345678901", 42}) {
      JsonObject reply = a.request("chat.send", new JsonObject().put("room", "general").put("text", text));
      assertEquals("err", reply.getString("type"), String.valueOf(text));
      assertEquals(ErrorCodes.INVALID_TEXT, reply.getInteger("failureCode"));
    }
    JsonObject ok = a.request("chat.send", new JsonObject().put("room", "general").put("text", "  1234567890  "));
    assertEquals("message", ok.getString("type"));
    JsonObject history = a.request("chat.history", new JsonObject().put("room", "general"));
    assertEquals(1, body(history).getJsonArray("messages").size());
    assertEquals("1234567890", body(history).getJsonArray("messages").getJsonObject(0).getString("text"));
  }

  @Test
  void senderIsRateLimitedAndRefusedMessagesAreNotStored() {
    Http http = service.start(new JsonObject().put("limits", new JsonObject().put("messagesPerSecond", 0.001).put("messageBurst", 3))).http();
    JsonObject alice = http.guest("alice");
    BridgeClient a = service.connect(alice.getString("token"));
    a.join("general", id(alice));
    int accepted = 0;
    int limited = 0;
    for (int i = 0; i < 6; i++) {
      JsonObject reply = a.request("chat.send", new JsonObject().put("room", "general").put("text", "m" + i));
      if ("message".equals(reply.getString("type"))) {
        accepted++;
      } else {
        assertEquals(ErrorCodes.RATE_LIMITED, reply.getInteger("failureCode"));
        limited++;
      }
    }
    assertEquals(3, accepted);
    assertEquals(3, limited);
    // REST posting shares the same per-user budget
    assertEquals(429, http.post("/api/rooms/general/messages", alice.getString("token"), new JsonObject().put("text", "x")).statusCode());
    JsonObject history = a.request("chat.history", new JsonObject().put("room", "general"));
    assertEquals(3, body(history).getJsonArray("messages").size());
  }

  @Test
  void malformedFramesAreAnsweredAndOtherUsersAreUnaffected(Http http) {
    JsonObject alice = http.guest("alice");
    JsonObject bob = http.guest("bob");
    BridgeClient a = service.connect(alice.getString("token"));
    BridgeClient b = service.connect(bob.getString("token"));
    b.join("general", id(bob));
    a.write("not json");
    a.write("[1,2,3]");
    a.write(new JsonObject().put("address", "chat.send").encode());
    a.write(new JsonObject().put("type", "explode").put("address", "chat.send").encode());
    a.write(new JsonObject().put("type", 7).encode());
    a.write(new JsonObject().put("type", "register").encode());
    a.write(new JsonObject().put("type", "send").put("address", "chat.history").put("body", "text").put("replyAddress", "r1").encode());
    a.awaitFrame(f -> "r1".equals(f.getString("address")));
    List<JsonObject> errs = a.received(f -> "err".equals(f.getString("type")));
    assertEquals(7, errs.size(), errs.toString());
    assertEquals(List.of("invalid_json", "invalid_json", "unknown_type", "unknown_type", "unknown_type", "address_required"),
        errs.subList(0, 6).stream().map(f -> f.getString("body")).toList());
    assertEquals(ErrorCodes.BAD_REQUEST, errs.get(6).getInteger("failureCode"));
    // the server still serves everyone, including the sender
    JsonObject reply = b.request("chat.send", new JsonObject().put("room", "general").put("text", "still here"));
    assertEquals("message", reply.getString("type"));
    assertEquals("message", a.request("chat.presence", new JsonObject().put("room", "general")).getString("type"));
  }

  @Test
  void aFrameLargerThanTheLimitClosesTheConnection() {
    Http http = service.start(new JsonObject().put("limits", new JsonObject().put("maxFrameBytes", 2048))).http();
    JsonObject alice = http.guest("alice");
    BridgeClient a = service.connect(alice.getString("token"));
    a.write(sendFrame("chat.send", new JsonObject().put("room", "general").put("text", "x".repeat(2100))).encode());
    JsonObject err = a.awaitFrame(f -> "err".equals(f.getString("type")));
    assertEquals(ErrorCodes.PAYLOAD_TOO_LARGE, err.getInteger("failureCode"));
    assertEquals(CloseCodes.TOO_BIG, a.awaitClose());
  }

  @Test
  void aConnectionMayJoinOnlySoManyRooms() {
    Http http = service.start(new JsonObject().put("limits", new JsonObject().put("maxRoomsPerConnection", 2))).http();
    JsonObject alice = http.guest("alice");
    for (String room : List.of("r1", "r2", "r3")) {
      assertEquals(201, http.post("/api/rooms", alice.getString("token"), new JsonObject().put("id", room)).statusCode());
    }
    BridgeClient a = service.connect(alice.getString("token"));
    a.join("r1", id(alice));
    a.join("r2", id(alice));
    a.register("chat.room.r3");
    JsonObject err = a.awaitFrame(f -> "err".equals(f.getString("type")) && "chat.room.r3".equals(f.getString("address")));
    assertEquals(ErrorCodes.TOO_MANY_ROOMS, err.getInteger("failureCode"));
    a.unregister("chat.room.r1");
    a.join("r3", id(alice));
  }

  @Test
  void aSilentClientIsDroppedAndCountedAsLeft(Vertx vertx) {
    Http http = service.start(new JsonObject().put("limits", new JsonObject().put("pingTimeoutMs", 1500))).http();
    JsonObject alice = http.guest("alice");
    JsonObject bob = http.guest("bob");
    BridgeClient a = service.connect(alice.getString("token"));
    BridgeClient b = service.connect(bob.getString("token"));
    a.join("general", id(alice));
    b.join("general", id(bob));
    assertEquals(2, body(b.request("chat.presence", new JsonObject().put("room", "general"))).getJsonArray("users").size());
    // bob keeps pinging, alice stays silent
    long timer = vertx.setPeriodic(300, t -> b.write(new JsonObject().put("type", "ping")));
    try {
      assertEquals(CloseCodes.PING_TIMEOUT, a.awaitClose());
      JsonObject left = b.awaitFrame(f -> "left".equals(BridgeClient.bodyType(f)));
      assertEquals(id(alice), body(left).getJsonObject("user").getString("id"));
      assertTrue(!b.isClosed());
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @Test
  void theConnectionIsClosedWhenItsTokenExpires(Vertx vertx) {
    service.start(); // before the 2 s token is made: a start under load must not use up its lifetime
    String token = Tokens.expiringIn(vertx, "g-shortlived", "shorty", 2);
    BridgeClient a = service.connect(token);
    a.join("general", "g-shortlived");
    assertEquals(CloseCodes.TOKEN_EXPIRED, a.awaitClose());
  }
}
