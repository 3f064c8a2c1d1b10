package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Case 5 of issue 8: free guest accounts must not let anyone fill the room table or the storage.
 * Rooms per user and in total, the server-wide message ceiling, and the low-disk refusal.
 */
class RoomLimitsTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  private static JsonObject limits(JsonObject limits) {
    return new JsonObject().put("limits", limits);
  }

  private HttpResponse<Buffer> createRoom(String token, String id) {
    return service.http().post("/api/rooms", token, new JsonObject().put("id", id));
  }

  /** Every room id, walking the pages. */
  private Set<String> allRoomIds(String token) {
    Set<String> ids = new TreeSet<>();
    String after = null;
    for (int i = 0; i < 100; i++) {
      JsonObject page = service.http().get("/api/rooms?limit=200" + (after == null ? "" : "&after=" + after), token).bodyAsJsonObject();
      page.getJsonArray("rooms").forEach(r -> ids.add(((JsonObject) r).getString("id")));
      after = page.getString("next");
      if (after == null) {
        return ids;
      }
    }
    throw new AssertionError("the room list did not end");
  }

  /** Sends {@code requests} all at once (over up to 32 connections) and returns every answer. */
  private List<HttpResponse<Buffer>> concurrently(List<JsonObject> requests) {
    WebClient web = WebClient.create(service.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()),
        new PoolOptions().setHttp1MaxSize(32));
    try {
      List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
      for (JsonObject r : requests) {
        answers.add(web.post(r.getString("path")).putHeader("Authorization", "Bearer " + r.getString("token"))
            .sendJsonObject(r.getJsonObject("body")));
      }
      await(Future.join(answers));
      return answers.stream().map(Future::result).toList();
    } finally {
      web.close();
    }
  }

  private static JsonObject createRequest(String token, String id) {
    return new JsonObject().put("path", "/api/rooms").put("token", token).put("body", new JsonObject().put("id", id));
  }

  private static void assertRefused(HttpResponse<Buffer> res, int status, int code) {
    assertEquals(status, res.statusCode(), res.bodyAsString());
    assertEquals(code, Http.errorCode(res), res.bodyAsString());
  }

  @Test
  void theEleventhRoomOfAUserIsRefusedEvenWhenAllAreAskedForAtOnce(Http http) {
    String alice = http.guestToken("alice");
    for (int i = 0; i < 10; i++) {
      assertEquals(201, createRoom(alice, "alice-" + i).statusCode());
    }
    HttpResponse<Buffer> eleventh = createRoom(alice, "alice-10");
    assertRefused(eleventh, 429, ErrorCodes.ROOM_QUOTA);
    assertTrue(eleventh.bodyAsJsonObject().getJsonObject("error").getString("message").contains("10 rooms"),
        eleventh.bodyAsString());
    // an existing id still says so
    assertRefused(createRoom(alice, "alice-3"), 409, ErrorCodes.ROOM_EXISTS);

    // a fresh guest asking for 40 rooms at once gets exactly 10 of them
    String bob = http.guestToken("bob");
    List<JsonObject> burst = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      burst.add(createRequest(bob, "bob-" + i));
    }
    List<HttpResponse<Buffer>> answers = concurrently(burst);
    assertEquals(10, answers.stream().filter(r -> r.statusCode() == 201).count());
    answers.stream().filter(r -> r.statusCode() != 201).forEach(r -> assertRefused(r, 429, ErrorCodes.ROOM_QUOTA));

    // the list holds general and exactly the rooms that were created, all usable
    Set<String> ids = allRoomIds(alice);
    assertEquals(21, ids.size(), ids.toString());
    assertTrue(ids.contains("general") && ids.contains("alice-9") && !ids.contains("alice-10"), ids.toString());
    assertEquals(201, http.post("/api/rooms/alice-9/messages", bob, new JsonObject().put("text", "still works")).statusCode());
  }

  @Test
  void theServerWideRoomCeilingHoldsAcrossFreshGuests() {
    Http http = service.start(limits(new JsonObject().put("maxRooms", 6))).http();
    // general is one of the six; ten fresh guests ask for three rooms each, all at once
    List<JsonObject> burst = new ArrayList<>();
    String token = null;
    for (int g = 0; g < 10; g++) {
      token = http.guestToken("guest" + g);
      for (int i = 0; i < 3; i++) {
        burst.add(createRequest(token, "g" + g + "-" + i));
      }
    }
    List<HttpResponse<Buffer>> answers = concurrently(burst);
    assertEquals(5, answers.stream().filter(r -> r.statusCode() == 201).count());
    for (HttpResponse<Buffer> refused : answers.stream().filter(r -> r.statusCode() != 201).toList()) {
      assertRefused(refused, 429, ErrorCodes.ROOM_QUOTA);
      assertTrue(refused.bodyAsJsonObject().getJsonObject("error").getString("message").contains("as many rooms as it may"),
          refused.bodyAsString());
    }
    assertRefused(createRoom(http.guestToken("late"), "late"), 429, ErrorCodes.ROOM_QUOTA);
    assertEquals(6, allRoomIds(token).size());
  }

  @Test
  void messagesBeyondTheServerWideCeilingAreRefusedOnEveryTransportAndNotStored() {
    // two messages a second for the whole server (burst four), however many users send
    Http http = service.start(limits(new JsonObject().put("globalMessagesPerSecond", 2)
        .put("messagesPerSecond", 10_000).put("messageBurst", 10_000))).http();
    List<JsonObject> sessions = List.of(http.guest("ann"), http.guest("ben"), http.guest("cy"));
    Set<Long> accepted = new HashSet<>();
    int refused = 0;
    for (int i = 0; i < 12; i++) {
      String token = sessions.get(i % 3).getString("token");
      HttpResponse<Buffer> res = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "rest " + i));
      if (res.statusCode() == 201) {
        accepted.add(res.bodyAsJsonObject().getLong("id"));
      } else {
        assertRefused(res, 503, ErrorCodes.STORAGE_LIMIT);
        assertEquals("1", res.getHeader("Retry-After"));
        refused++;
      }
    }
    assertTrue(accepted.size() >= 4, "the burst is accepted: " + accepted);
    assertTrue(refused >= 4, "what goes beyond it is refused: " + refused);

    for (boolean sockJs : new boolean[] {false, true}) {
      JsonObject session = sessions.get(sockJs ? 1 : 2);
      String user = session.getJsonObject("user").getString("id");
      BridgeClient client = service.connect(session.getString("token"),
          sockJs ? BridgeClient.Transport.SOCKJS_WEBSOCKET : BridgeClient.Transport.RAW);
      client.join("general", user);
      boolean sawRefusal = false;
      for (int i = 0; i < 12 && !sawRefusal; i++) {
        JsonObject reply = client.request("chat.send", new JsonObject().put("room", "general").put("text", "bridge " + i));
        if ("err".equals(reply.getString("type"))) {
          assertEquals(ErrorCodes.STORAGE_LIMIT, reply.getInteger("failureCode"), reply.encode());
          sawRefusal = true;
        } else {
          accepted.add(body(reply).getLong("id"));
        }
      }
      assertTrue(sawRefusal, (sockJs ? "SockJS" : "raw WebSocket") + " client refused with 4005");
    }

    JsonArray history = http.get("/api/rooms/general/messages?limit=200", sessions.get(0).getString("token"))
        .bodyAsJsonObject().getJsonArray("messages");
    Set<Long> stored = new HashSet<>();
    history.forEach(m -> stored.add(((JsonObject) m).getLong("id")));
    assertEquals(accepted, stored, "history holds exactly the accepted messages");
  }

  @Test
  void aDataDirectoryLowOnSpaceRefusesSendsAndStoresNothing() {
    // a petabyte free is more than any test machine has: the watch trips at once
    Http http = service.start(new JsonObject().put("store", new JsonObject().put("minFreeDiskBytes", 1L << 50))).http();
    JsonObject session = http.guest("writer");
    String token = session.getString("token");
    HttpResponse<Buffer> res = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "no room on disk"));
    assertRefused(res, 503, ErrorCodes.STORAGE_LIMIT);
    assertEquals("1", res.getHeader("Retry-After"));
    assertTrue(res.bodyAsJsonObject().getJsonObject("error").getString("message").contains("low on storage"), res.bodyAsString());

    BridgeClient client = service.connect(token);
    client.join("general", session.getJsonObject("user").getString("id"));
    JsonObject reply = client.request("chat.send", new JsonObject().put("room", "general").put("text", "nor here"));
    assertEquals("err", reply.getString("type"), reply.encode());
    assertEquals(ErrorCodes.STORAGE_LIMIT, reply.getInteger("failureCode"));

    // reading still works, and nothing was stored
    HttpResponse<Buffer> history = http.get("/api/rooms/general/messages", token);
    assertEquals(200, history.statusCode());
    assertTrue(history.bodyAsJsonObject().getJsonArray("messages").isEmpty(), history.bodyAsString());
    assertTrue(client.chats("general").isEmpty());
  }

  @Test
  void theNewLimitsAreCheckedAtStartUp() {
    for (JsonObject bad : List.of(
        limits(new JsonObject().put("roomsPerUser", -1)),
        limits(new JsonObject().put("maxRooms", 0)),
        limits(new JsonObject().put("roomsPageMax", 0)),
        limits(new JsonObject().put("globalMessagesPerSecond", 0)),
        new JsonObject().put("store", new JsonObject().put("minFreeDiskBytes", -1)))) {
      Throwable refused = service.refusedStart(bad);
      String key = bad.fieldNames().iterator().next() + "." + bad.getJsonObject(bad.fieldNames().iterator().next())
          .fieldNames().iterator().next();
      assertTrue(refused.getMessage().contains(key), refused.getMessage());
    }
  }
}
