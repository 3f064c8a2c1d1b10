package dev.vertxchat.metrics;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Scrape;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What an operator reads on {@code /metrics} after real traffic: the chat's counters and gauges with the
 * right labels and values over every transport, Vert.x's and the JVM's metrics, and a number of series
 * that does not grow with the rooms a guest creates.
 */
class MetricsTest {
  /** One message in the burst, refilled once in 100 s: the second send of a test is refused by the rate limit. */
  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("limits", new JsonObject().put("messageBurst", 1).put("messagesPerSecond", 0.01)
          .put("roomsPerUser", 100).put("maxRoomsPerConnection", 100)));

  private static String transportLabel(Transport transport) {
    return switch (transport) {
      case RAW -> "websocket";
      case SOCKJS_WEBSOCKET -> "sockjs-websocket";
      case XHR_STREAMING -> "xhr-streaming";
      case XHR_POLLING -> "xhr-polling";
    };
  }

  private static JsonObject send(BridgeClient client, String room, String text) {
    return client.request("chat.send", new JsonObject().put("room", room).put("text", text));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aGuestsSessionShowsInTheChatMetrics(Transport transport) {
    String label = transportLabel(transport);
    Http http = service.http();
    JsonObject session = http.guest("alice");
    String userId = session.getJsonObject("user").getString("id");
    BridgeClient client = service.connect(session.getString("token"), transport);
    client.join("general", userId);

    assertEquals("message", send(client, "general", "hello").getString("type"));
    JsonObject invalid = send(client, "general", "   ");
    assertEquals(ErrorCodes.INVALID_TEXT, invalid.getInteger("failureCode"), invalid.encode());
    JsonObject limited = send(client, "general", "again");
    assertEquals(ErrorCodes.RATE_LIMITED, limited.getInteger("failureCode"), limited.encode());
    client.awaitFrame(f -> "chat".equals(bodyType(f)) && "hello".equals(body(f).getString("text")));

    Scrape s = Scrape.of(service.vertx(), service.adminPort());
    for (String t : ChatMetrics.TRANSPORTS) {
      assertEquals(t.equals(label) ? 1 : 0, s.count("chat_bridge_connections", "transport", t), t + "\n" + s.text);
      assertEquals(t.equals(label) ? 1 : 0, s.count("chat_bridge_connects_total", "transport", t), t);
    }
    assertEquals(1, s.count("chat_auth_sign_ins_total", "kind", "guest"));
    assertEquals(1, s.count("chat_room_joins_total"));
    assertEquals(1, s.count("chat_rooms_with_members"));
    assertEquals(1, s.count("chat_messages_accepted_total"));
    assertEquals(1, s.count("chat_messages_refused_total", "code", Integer.toString(ErrorCodes.INVALID_TEXT)));
    assertEquals(1, s.count("chat_messages_refused_total", "code", Integer.toString(ErrorCodes.RATE_LIMITED)));
    assertEquals(1, s.count("chat_rate_limited_total", "limit", "messages"));
    assertEquals(1, s.count("chat_send_ack_seconds_count"));
    assertEquals(1, s.count("chat_send_ack_seconds_bucket", "le", "+Inf"));
    assertEquals("histogram", s.types().get("chat_send_ack_seconds"), s.types().toString());
    // two frames fanned out to the one subscriber: alice's join, then her message
    assertEquals(2, s.count("chat_fanout_deliveries_total"));
    assertEquals(0, s.count("chat_slow_consumers_total"));

    client.close();
    Scrape after = Scrape.awaitUntil(service.vertx(), service.adminPort(),
        x -> x.count("chat_bridge_connections", "transport", label) == 0, "the connection counted as closed");
    assertEquals(1, after.count("chat_bridge_closes_total", "transport", label, "code", "client"), after.text);
    assertEquals(0, after.count("chat_rooms_with_members"));
  }

  @Test
  void refusedSignInsAndTokensAreCountedByReason(Http http) {
    String token = http.guestToken("bob");
    assertEquals(401, http.get("/api/rooms", "not-a-token").statusCode());
    assertEquals(401, http.get("/api/rooms", null).statusCode());
    HttpResponse<Buffer> wrong = http.post("/api/auth/login", null, new JsonObject().put("name", "nobody").put("password", "wrong-password"));
    assertEquals(ErrorCodes.BAD_CREDENTIALS, Http.errorCode(wrong));
    HttpResponse<Buffer> foreign = http.post("/api/auth/guest", null, new JsonObject().put("name", "  "));
    assertEquals(ErrorCodes.INVALID_NAME, Http.errorCode(foreign));
    assertEquals(200, http.get("/api/rooms", token).statusCode());

    Scrape s = Scrape.of(service.vertx(), service.adminPort());
    assertEquals(1, s.count("chat_auth_sign_ins_total", "kind", "guest"));
    assertEquals(1, s.count("chat_auth_sign_in_failures_total", "kind", "login", "code", Integer.toString(ErrorCodes.BAD_CREDENTIALS)));
    assertEquals(1, s.count("chat_auth_sign_in_failures_total", "kind", "guest", "code", Integer.toString(ErrorCodes.INVALID_NAME)));
    assertEquals(1, s.count("chat_auth_refusals_total", "reason", "malformed"), s.text);
    assertEquals(1, s.count("chat_auth_refusals_total", "reason", "missing"));
  }

  @Test
  void vertxAndJvmMetricsAreThere(Http http) {
    http.guestToken("carol");
    Scrape s = Scrape.awaitUntil(service.vertx(), service.adminPort(),
        x -> x.sum("vertx_http_server_requests_total", l -> "200".equals(l.get("code")) && "POST".equals(l.get("method"))
            && l.getOrDefault("route", "").endsWith("/api/auth/guest")) == 1,
        "the sign-in counted by route");
    Set<String> names = s.names();
    for (String name : List.of("vertx_http_server_response_time_seconds_bucket", "vertx_eventbus_handlers",
        "vertx_pool_in_use", "jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
        "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "netty_eventexecutor_tasks_pending")) {
      assertTrue(names.contains(name), name + " missing from " + names);
    }
  }

  /**
   * A guest who creates rooms, joins and writes in each of them adds no series: room ids appear in no
   * label, and the event bus's metrics have no address label.
   */
  @Test
  void fiftyRoomsDoNotAddFiftySeries(Http http) {
    JsonObject session = http.guest("dave");
    String token = session.getString("token");
    String userId = session.getJsonObject("user").getString("id");
    BridgeClient client = service.connect(token);
    // one room first (one message accepted, one refused): every label value a room brings exists from here on,
    // as do those of a scrape (its HTTP request, counted once it is answered)
    createJoinAndWrite(http, client, token, userId, "first-room");
    client.request("chat.send", new JsonObject().put("room", "first-room").put("text", "refused"));
    Scrape.of(service.vertx(), service.adminPort());
    Scrape before = Scrape.of(service.vertx(), service.adminPort());

    for (int i = 0; i < 50; i++) {
      createJoinAndWrite(http, client, token, userId, "room-" + i);
    }
    Scrape after = Scrape.of(service.vertx(), service.adminPort());
    Set<String> added = new HashSet<>();
    after.series().forEach(series -> added.add(series.toString()));
    before.series().forEach(series -> added.remove(series.toString()));
    added.removeIf(series -> series.startsWith("jvm_gc_")); // a collection may come along at any time
    assertEquals(Set.of(), added, "series added by 50 rooms");
    String withRoom = after.series().stream().map(Object::toString).filter(s -> s.contains("room-") || s.contains("no-such-page"))
        .collect(Collectors.joining("\n"));
    assertEquals("", withRoom, "no series names a room");
    assertTrue(after.series().stream().noneMatch(x -> x.labels().containsKey("address")), after.text);
    assertTrue(after.count("vertx_eventbus_published_total", "side", "local") >= 50, after.text);
    assertEquals(51, after.count("chat_rooms_with_members"));
  }

  private static void createJoinAndWrite(Http http, BridgeClient client, String token, String userId, String room) {
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", room)).statusCode());
    client.join(room, userId);
    // the rate limit allows one message: the rest are refused, counted by code all the same
    client.request("chat.send", new JsonObject().put("room", room).put("text", "hi " + room));
    // paths with the room's id, and paths nobody routes, go by their route in the HTTP server's metrics
    assertEquals(200, http.get("/api/rooms/" + room + "/messages", token).statusCode());
    assertEquals(404, http.get("/no-such-page/" + room, token).statusCode());
  }
}
