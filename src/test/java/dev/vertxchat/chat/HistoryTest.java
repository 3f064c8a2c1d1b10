package dev.vertxchat.chat;

import dev.vertxchat.bus.ErrorCodes;
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

/** History paging over REST and the bridge, catch-up with {@code after}, and history across a restart. */
class HistoryTest {
  private static final JsonObject FAST = new JsonObject().put("limits",
      new JsonObject().put("messagesPerSecond", 10_000).put("messageBurst", 10_000));

  @RegisterExtension
  final ChatService service = new ChatService();

  private static List<Long> ids(JsonObject page) {
    List<Long> out = new ArrayList<>();
    page.getJsonArray("messages").forEach(m -> out.add(((JsonObject) m).getLong("id")));
    return out;
  }

  private static List<Long> range(List<Long> all, int from, int to) {
    return new ArrayList<>(all.subList(from, to));
  }

  @Test
  void pagesAreOldestFirstAndCursorsWalkTheWholeRoom() {
    Http http = service.start(FAST).http();
    String token = http.guestToken("writer");
    List<Long> sent = new ArrayList<>();
    for (int i = 0; i < 260; i++) {
      var res = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "m" + i));
      assertEquals(201, res.statusCode(), res.bodyAsString());
      sent.add(res.bodyAsJsonObject().getLong("id"));
    }
    JsonObject latest = http.get("/api/rooms/general/messages", token).bodyAsJsonObject();
    assertEquals(range(sent, 210, 260), ids(latest), "default page: the latest 50, oldest first");
    assertEquals("m259", latest.getJsonArray("messages").getJsonObject(49).getString("text"));

    JsonObject capped = http.get("/api/rooms/general/messages?limit=1000", token).bodyAsJsonObject();
    assertEquals(range(sent, 60, 260), ids(capped), "at most 200 a page");

    JsonObject before = http.get("/api/rooms/general/messages?limit=10&before=" + sent.get(100), token).bodyAsJsonObject();
    assertEquals(range(sent, 90, 100), ids(before));

    JsonObject after = http.get("/api/rooms/general/messages?limit=10&after=" + sent.get(100), token).bodyAsJsonObject();
    assertEquals(range(sent, 101, 111), ids(after));

    JsonObject between = http.get("/api/rooms/general/messages?after=" + sent.get(10) + "&before=" + sent.get(14), token)
        .bodyAsJsonObject();
    assertEquals(range(sent, 11, 14), ids(between));

    assertEquals(ErrorCodes.INVALID_PAGING, Http.errorCode(http.get("/api/rooms/general/messages?limit=abc", token)));
    assertEquals(400, http.get("/api/rooms/general/messages?limit=0", token).statusCode());
    assertEquals(404, http.get("/api/rooms/nope/messages", token).statusCode());

    // the same paging over the bridge: a reconnecting client catches up with "after"
    BridgeClient client = service.connect(token);
    JsonObject reply = client.request("chat.history", new JsonObject().put("room", "general").put("after", sent.get(249)));
    JsonArray missed = body(reply).getJsonArray("messages");
    assertEquals(range(sent, 250, 260), ids(body(reply)));
    assertEquals("m250", missed.getJsonObject(0).getString("text"));
    JsonObject bad = client.request("chat.history", new JsonObject().put("room", "general").put("before", "x"));
    assertEquals(ErrorCodes.INVALID_PAGING, bad.getInteger("failureCode"));
  }

  @Test
  void historySurvivesARestartAndIdsKeepIncreasing(Http http) {
    String token = http.guestToken("keeper");
    long before = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "kept")).bodyAsJsonObject().getLong("id");
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "custom").put("name", "Custom")).statusCode());
    assertEquals(2, http.get("/api/rooms", token).bodyAsJsonObject().getJsonArray("rooms").size(), "listed before the restart");

    Http again = service.restart().http();
    JsonObject page = again.get("/api/rooms/general/messages", token).bodyAsJsonObject();
    assertEquals(List.of(before), ids(page));
    assertEquals("kept", page.getJsonArray("messages").getJsonObject(0).getString("text"));
    long after = again.post("/api/rooms/general/messages", token, new JsonObject().put("text", "next")).bodyAsJsonObject().getLong("id");
    assertEquals(true, after > before);
    JsonArray rooms = again.get("/api/rooms", token).bodyAsJsonObject().getJsonArray("rooms");
    assertEquals(List.of("custom", "general"), rooms.stream().map(r -> ((JsonObject) r).getString("id")).toList());
  }
}
