package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.store.Database;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomsApiTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  @Test
  void roomsAreListedCreatedOnceAndValidated() {
    service.start(new JsonObject().put("rooms", new JsonObject()
        .put("defaults", new JsonArray().add(new JsonObject().put("id", "general").put("name", "General").put("topic", "t"))
            .add(new JsonObject().put("id", "ops").put("name", "Ops").put("topic", "on call")))));
    Http http = service.http();
    String token = http.guestToken("maker");
    JsonArray rooms = http.get("/api/rooms", token).bodyAsJsonObject().getJsonArray("rooms");
    assertEquals(new JsonObject().put("id", "general").put("name", "General").put("topic", "t").put("members", 0)
        .put("private", false).put("archived", false), rooms.getJsonObject(0));
    assertEquals("ops", rooms.getJsonObject(1).getString("id"));

    var created = http.post("/api/rooms", token, new JsonObject().put("id", "book-club").put("name", "Book club").put("topic", "Reading"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals("Book club", created.bodyAsJsonObject().getString("name"));
    assertEquals("owner", created.bodyAsJsonObject().getString("role"));
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
    JsonObject all = http.get("/api/rooms", token).bodyAsJsonObject();
    assertEquals(3, all.getJsonArray("rooms").size(), "nothing else was created");
    assertNull(all.getString("next"), "one page holds them all");

    // a new room can be joined and written to at once
    JsonObject session = http.guest("reader");
    BridgeClient client = service.connect(session.getString("token"));
    client.join("book-club", session.getJsonObject("user").getString("id"));
    JsonObject reply = client.request("chat.send", new JsonObject().put("room", "book-club").put("text", "first"));
    assertEquals("message", reply.getString("type"));
    assertEquals("first", body(client.awaitFrame(f -> "first".equals(body(f).getString("text")))).getString("text"));
  }

  @Test
  void postingValidatesTextAndRoomAndLeavesHistoryIntact(Http http) {
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
  }

  private static List<String> ids(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("rooms").forEach(r -> out.add(((JsonObject) r).getString("id")));
    return out;
  }

  private static String q(String text) {
    return "q=" + URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  void roomsComeInPagesByIdAndCanBeSearched() {
    service.start(new JsonObject().put("limits",
        new JsonObject().put("roomsPerUser", 100).put("roomsPageMax", 6)));
    Http http = service.http();
    JsonObject session = http.guest("maker");
    String token = session.getString("token");
    List<String> expected = new ArrayList<>(List.of("book-club", "general", "pct", "under"));
    for (int i = 1; i <= 9; i++) {
      expected.add("r-0" + i);
      assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "r-0" + i).put("name", "Room 0" + i)).statusCode());
    }
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "book-club").put("name", "Book Club")).statusCode());
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "pct").put("name", "100% sure")).statusCode());
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "under").put("name", "a_b")).statusCode());
    expected.sort(String::compareTo);

    // someone in a room shows as a member in its entry
    BridgeClient member = service.connect(token);
    member.join("book-club", session.getJsonObject("user").getString("id"));

    // three pages of five walk every room once, in id order; the last page says there is no more
    JsonObject first = http.get("/api/rooms?limit=5", token).bodyAsJsonObject();
    assertEquals(expected.subList(0, 5), ids(first));
    assertEquals(new JsonObject().put("id", "book-club").put("name", "Book Club").put("topic", "").put("members", 1)
        .put("private", false).put("archived", false), first.getJsonArray("rooms").getJsonObject(0));
    assertEquals("r-02", first.getString("next"));
    JsonObject second = http.get("/api/rooms?limit=5&after=" + first.getString("next"), token).bodyAsJsonObject();
    assertEquals(expected.subList(5, 10), ids(second));
    JsonObject third = http.get("/api/rooms?limit=5&after=" + second.getString("next"), token).bodyAsJsonObject();
    assertEquals(expected.subList(10, 13), ids(third));
    assertTrue(third.containsKey("next"), third.encode());
    assertNull(third.getString("next"));

    // no limit: the default page, here cut to limits.roomsPageMax; more than the maximum is clamped
    assertEquals(expected.subList(0, 6), ids(http.get("/api/rooms", token).bodyAsJsonObject()));
    JsonObject clamped = http.get("/api/rooms?limit=1000", token).bodyAsJsonObject();
    assertEquals(expected.subList(0, 6), ids(clamped));
    assertEquals("r-03", clamped.getString("next"));

    // search: id or name, any case, wildcards taken literally, pages too
    assertEquals(List.of("book-club"), ids(http.get("/api/rooms?" + q("CLUB"), token).bodyAsJsonObject()));
    assertEquals(List.of("book-club"), ids(http.get("/api/rooms?" + q("book-"), token).bodyAsJsonObject()));
    assertEquals(List.of("pct"), ids(http.get("/api/rooms?" + q("%"), token).bodyAsJsonObject()));
    assertEquals(List.of("under"), ids(http.get("/api/rooms?" + q("_"), token).bodyAsJsonObject()));
    assertEquals(List.of(), ids(http.get("/api/rooms?" + q("\\"), token).bodyAsJsonObject()));
    JsonObject found = http.get("/api/rooms?limit=4&" + q("room 0"), token).bodyAsJsonObject();
    assertEquals(List.of("r-01", "r-02", "r-03", "r-04"), ids(found));
    JsonObject foundNext = http.get("/api/rooms?limit=4&after=r-04&" + q("room 0"), token).bodyAsJsonObject();
    assertEquals(List.of("r-05", "r-06", "r-07", "r-08"), ids(foundNext));
    assertEquals(List.of("r-09"), ids(http.get("/api/rooms?limit=4&after=r-08&" + q("room 0"), token).bodyAsJsonObject()));
    assertEquals(200, http.get("/api/rooms?" + q("x".repeat(64)), token).statusCode());

    for (String bad : List.of("limit=0", "limit=-1", "limit=abc", "limit=1.5", "after=Not%20an%20id", "after=-x",
        q("x".repeat(65)))) {
      var res = http.get("/api/rooms?" + bad, token);
      assertEquals(400, res.statusCode(), bad + ": " + res.bodyAsString());
      assertEquals(ErrorCodes.INVALID_PAGING, Http.errorCode(res), bad);
    }
  }

  @Test
  void tenThousandRoomsAreListedAPageAtATime() throws Exception {
    Http http = service.http();
    // the rooms go straight into the database (the quota would stop anyone creating them through the API)
    String topic = "t".repeat(256);
    try (Connection db = DriverManager.getConnection(Database.url(service.dataDir().toString()), "sa", "");
         PreparedStatement insert = db.prepareStatement(
             "INSERT INTO rooms (id, name, topic, created_by, created_at) VALUES (?, ?, ?, 'g-filler', 0)")) {
      db.setAutoCommit(false);
      for (int i = 0; i < 10_000; i++) {
        String id = String.format("room-%05d", i);
        insert.setString(1, id);
        insert.setString(2, (id + "-").repeat(6).substring(0, 64));
        insert.setString(3, topic);
        insert.addBatch();
      }
      insert.executeBatch();
      db.commit();
    }
    String token = http.guestToken("reader");

    var first = http.get("/api/rooms", token);
    assertEquals(200, first.statusCode());
    assertEquals(100, first.bodyAsJsonObject().getJsonArray("rooms").size(), "the default page");
    assertTrue(first.body().length() < 50_000, "answer of " + first.body().length() + " bytes");

    int pages = 0;
    int rooms = 0;
    String after = null;
    do {
      var res = http.get("/api/rooms?limit=100000" + (after == null ? "" : "&after=" + after), token);
      assertTrue(res.body().length() < 100_000, "answer of " + res.body().length() + " bytes");
      JsonObject page = res.bodyAsJsonObject();
      assertTrue(page.getJsonArray("rooms").size() <= 200, "at most limits.roomsPageMax a page");
      rooms += page.getJsonArray("rooms").size();
      after = page.getString("next");
      pages++;
    } while (after != null && pages < 100);
    assertEquals(10_001, rooms, "every room, general included, once");
    assertEquals(51, pages);

    assertEquals(List.of("room-09999"), ids(http.get("/api/rooms?" + q("ROOM-09999"), token).bodyAsJsonObject()));
  }

  /** POST /api/rooms takes "private": such a room is listed to its members only; a dm- id is refused. */
  @Test
  void aPrivateRoomIsListedToItsMembersOnly() {
    Http http = service.http();
    String owner = http.guestToken("keeper");
    String other = http.guestToken("passer");
    var created = http.post("/api/rooms", owner, new JsonObject().put("id", "vault").put("private", true));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(true, created.bodyAsJsonObject().getBoolean("private"));
    assertEquals("owner", created.bodyAsJsonObject().getString("role"));
    assertTrue(roomIds(http, owner).contains("vault"), "the owner's list");
    assertTrue(!roomIds(http, other).contains("vault"), "listed to a non-member");
    assertEquals(ErrorCodes.INVALID_ROOM, Http.errorCode(http.post("/api/rooms", owner, new JsonObject().put("id", "dm-abc"))));
    assertEquals(ErrorCodes.BAD_REQUEST, Http.errorCode(http.post("/api/rooms", owner, new JsonObject().put("id", "x1").put("private", "yes"))));
  }

  private static List<String> roomIds(Http http, String token) {
    return http.get("/api/rooms", token).bodyAsJsonObject().getJsonArray("rooms").stream()
        .map(r -> ((JsonObject) r).getString("id")).toList();
  }
}
