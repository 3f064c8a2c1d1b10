package dev.vertxchat.http;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each conversation route sends to which bus address: the path's room, message id, emoji and user, the body's
 * fields and nothing else; the status of the answer; a bad message id refused before any request. The chat
 * service is replaced by a recorder (ConversationsApiTest drives the same routes against the real one).
 */
class ConversationRoutesTest {
  private record Sent(String address, JsonObject body) {}

  private final List<Sent> sent = new ArrayList<>();
  /** What the recorder answers every request with. */
  private Future<JsonObject> answer = Future.succeededFuture(new JsonObject().put("ok", true));
  private Vertx vertx;
  private HttpServer server;
  private WebClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(65536));
    new ConversationRoutes((ctx, address, body) -> {
      sent.add(new Sent(address, body));
      return answer;
    }).mount(router);
    router.route().failureHandler(new Failures());
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  private HttpResponse<Buffer> call(String method, String uri, String body) {
    var req = client.request(HttpMethod.valueOf(method), uri);
    return await(body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }

  /** The request answers {@code status} after exactly one bus request: {@code address} with {@code body}. */
  private void maps(int status, String method, String uri, String body, String address, JsonObject expected) {
    sent.clear();
    HttpResponse<Buffer> res = call(method, uri, body);
    assertEquals(status, res.statusCode(), method + " " + uri + " -> " + res.bodyAsString());
    assertEquals(List.of(new Sent(address, expected)), sent, method + " " + uri);
  }

  private static JsonObject json(String key, Object value) {
    return new JsonObject().put(key, value);
  }

  @Test
  void eachRouteAsksItsAddressWithThePathAndTheBodysFields() {
    maps(201, "POST", "/api/rooms", "{\"id\":\"den\",\"private\":true,\"user\":\"u-x\",\"name\":\"Den\"}", "chat.rooms.create",
        json("id", "den").put("name", "Den").put("private", true));
    maps(200, "PATCH", "/api/rooms/den", "{\"topic\":\"t\",\"archived\":true,\"room\":\"other\"}", "chat.rooms.update",
        json("room", "den").put("topic", "t").put("archived", true));
    maps(200, "DELETE", "/api/rooms/den", null, "chat.rooms.delete", json("room", "den"));

    maps(201, "POST", "/api/rooms/den/messages", "{\"text\":\"hi\",\"replyTo\":7,\"room\":\"other\"}", "chat.send",
        json("room", "den").put("text", "hi").put("replyTo", 7));
    maps(201, "POST", "/api/rooms/den/messages", "{\"text\":\"hi\"}", "chat.send", json("room", "den").put("text", "hi"));
    maps(200, "PATCH", "/api/rooms/den/messages/42", "{\"text\":\"new\"}", "chat.edit",
        json("room", "den").put("id", 42L).put("text", "new"));
    maps(200, "DELETE", "/api/rooms/den/messages/42", null, "chat.delete", json("room", "den").put("id", 42L));
    maps(200, "PUT", "/api/rooms/den/messages/42/reactions/%F0%9F%91%8D", null, "chat.react",
        json("room", "den").put("id", 42L).put("emoji", "\uD83D\uDC4D").put("on", true));
    maps(200, "DELETE", "/api/rooms/den/messages/42/reactions/%E2%9D%A4%EF%B8%8F", null, "chat.react",
        json("room", "den").put("id", 42L).put("emoji", "\u2764\uFE0F").put("on", false));

    maps(200, "PUT", "/api/rooms/den/read", "{\"id\":42}", "chat.read", json("room", "den").put("id", 42));
    maps(200, "GET", "/api/unread", null, "chat.unread", new JsonObject());
    maps(200, "GET", "/api/search?q=purple%20cow&room=den&before=99&limit=5", null, "chat.search",
        json("q", "purple cow").put("room", "den").put("before", 99L).put("limit", 5L));
    maps(200, "GET", "/api/search?q=x", null, "chat.search", json("q", "x"));

    maps(200, "GET", "/api/rooms/den/members", null, "chat.members.list", json("room", "den"));
    maps(201, "POST", "/api/rooms/den/members", "{\"user\":\"u-b\"}", "chat.members.invite", json("room", "den").put("user", "u-b"));
    maps(200, "DELETE", "/api/rooms/den/members/u-b", null, "chat.members.remove", json("room", "den").put("user", "u-b"));
    maps(200, "PUT", "/api/rooms/den/members/u-b/role", "{\"role\":\"moderator\"}", "chat.members.role",
        json("room", "den").put("user", "u-b").put("role", "moderator"));
    maps(200, "POST", "/api/rooms/den/mutes", "{\"user\":\"u-b\",\"seconds\":60}", "chat.members.mute",
        json("room", "den").put("user", "u-b").put("seconds", 60));
    maps(200, "DELETE", "/api/rooms/den/mutes/u-b", null, "chat.members.unmute", json("room", "den").put("user", "u-b"));
    maps(200, "POST", "/api/rooms/den/kicks", "{\"user\":\"u-b\"}", "chat.members.kick", json("room", "den").put("user", "u-b"));
    maps(200, "POST", "/api/rooms/den/bans", "{\"user\":\"u-b\",\"reason\":\"spam\"}", "chat.members.ban",
        json("room", "den").put("user", "u-b").put("reason", "spam"));
    maps(200, "DELETE", "/api/rooms/den/bans/u-b", null, "chat.members.unban", json("room", "den").put("user", "u-b"));

    maps(200, "GET", "/api/dms", null, "chat.dm.list", new JsonObject());
    maps(200, "GET", "/api/me/prefs", null, "chat.prefs", new JsonObject());
    maps(200, "PATCH", "/api/me/prefs", "{\"dms\":false}", "chat.prefs", json("dms", false));
    maps(200, "PATCH", "/api/me/prefs", "{}", "chat.prefs", new JsonObject());
    maps(200, "PUT", "/api/me/blocks/u-c", null, "chat.prefs", json("block", "u-c"));
    maps(200, "DELETE", "/api/me/blocks/u-c", null, "chat.prefs", json("unblock", "u-c"));
  }

  @Test
  void aDmIsCreatedWith201AndFoundWith200() {
    answer = Future.succeededFuture(json("room", json("id", "dm-x")).put("created", true));
    maps(201, "POST", "/api/dms", "{\"user\":\"u-b\"}", "chat.dm.open", json("user", "u-b"));
    answer = Future.succeededFuture(json("room", json("id", "dm-x")).put("created", false));
    maps(200, "POST", "/api/dms", "{\"name\":\"bob\",\"text\":\"x\"}", "chat.dm.open", json("name", "bob"));
  }

  @Test
  void refusalsKeepTheirCodeAndBadIdsAskNothing() {
    for (String uri : List.of("/api/rooms/den/messages/abc", "/api/rooms/den/messages/-1", "/api/rooms/den/messages/1.5",
        "/api/rooms/den/messages/12345678901234567")) {
      sent.clear();
      HttpResponse<Buffer> res = call("DELETE", uri, null);
      assertEquals(400, res.statusCode(), uri);
      assertEquals(ErrorCodes.INVALID_PAGING, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"), uri);
      res = call("PATCH", uri, "{\"text\":\"x\"}");
      assertEquals(ErrorCodes.INVALID_PAGING, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"), uri);
      assertTrue(sent.isEmpty(), uri);
    }
    HttpResponse<Buffer> res = call("GET", "/api/search?q=cow&limit=many", null);
    assertEquals(ErrorCodes.INVALID_PAGING, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
    res = call("PUT", "/api/rooms/den/read", "[1]");
    assertEquals(ErrorCodes.BAD_REQUEST, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
    // preferences over PATCH take only dms: a block sent there is refused, not silently dropped
    res = call("PATCH", "/api/me/prefs", "{\"dms\":false,\"block\":\"u-c\"}");
    assertEquals(400, res.statusCode());
    assertEquals(ErrorCodes.INVALID_MEMBER, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
    assertTrue(sent.isEmpty());

    answer = Future.failedFuture(new ChatException(ErrorCodes.MUTED, "muted until 2026-12-02T05:00:00Z"));
    res = call("POST", "/api/rooms/den/messages", "{\"text\":\"hi\"}");
    assertEquals(403, res.statusCode());
    assertEquals(ErrorCodes.MUTED, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
    answer = Future.failedFuture(new ChatException(ErrorCodes.DMS_REFUSED, "no"));
    assertEquals(403, call("POST", "/api/dms", "{\"user\":\"u-b\"}").statusCode());
    answer = Future.failedFuture(new ChatException(ErrorCodes.ROOM_ARCHIVED, "archived"));
    assertEquals(409, call("PATCH", "/api/rooms/den/messages/1", "{\"text\":\"x\"}").statusCode());
  }
}
