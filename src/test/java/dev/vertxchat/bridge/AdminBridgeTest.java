package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the admin API does to live bridge connections, over every transport: disconnect (4102) and ban
 * (4401) close exactly the user's connections with the code in the WebSocket status and the SockJS close
 * frame (an xhr-polling client gets it with its next poll); a deleted room's members get room.deleted
 * and are removed from it; a notice to everyone arrives on the client's own chat.user.<id>.
 */
class AdminBridgeTest {
  private static final String ADMIN = "u-admin";

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("admin", new JsonObject().put("users", new JsonArray().add(ADMIN))));

  private String admin() {
    return Tokens.expiringIn(service.vertx(), ADMIN, "Admin", 600);
  }

  private static void assertClosedWith(Transport transport, BridgeClient client, int code, String reason) {
    assertEquals(code, client.awaitClose(), "close code over " + transport);
    if (transport != Transport.RAW) {
      assertEquals(code, client.closeFrameCode(), "SockJS close frame over " + transport);
      assertEquals(reason, client.closeFrameReason());
    }
    if (transport.webSocket()) {
      assertEquals(code, client.webSocketStatus(), "WebSocket close status over " + transport);
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void disconnectClosesTheUsersConnectionsWith4102(Transport transport) {
    Http http = service.http();
    JsonObject gina = http.guest("Gina");
    String id = gina.getJsonObject("user").getString("id");
    BridgeClient target = service.connect(gina.getString("token"), transport);
    target.join("general", id);
    JsonObject hugo = http.guest("Hugo");
    BridgeClient bystander = service.connect(hugo.getString("token"), transport);

    JsonObject answer = http.post("/api/admin/users/" + id + "/disconnect", admin(), "").bodyAsJsonObject();
    assertEquals(1, answer.getInteger("closed"));
    assertClosedWith(transport, target, CloseCodes.DISCONNECTED, "disconnected by an operator");
    // the others stay, and the user may come back (4102: reconnect with backoff)
    bystander.request("chat.presence", new JsonObject().put("room", "general"));
    assertFalse(bystander.isClosed());
    service.connect(gina.getString("token"), transport).join("general", id);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aBanClosesTheUsersConnectionsWith4401(Transport transport) {
    Http http = service.http();
    JsonObject gina = http.guest("Gina");
    String id = gina.getJsonObject("user").getString("id");
    BridgeClient target = service.connect(gina.getString("token"), transport);
    BridgeClient second = service.connect(gina.getString("token"), Transport.RAW);
    BridgeClient bystander = service.connect(http.guestToken("Hugo"), transport);

    assertEquals(200, http.send(HttpMethod.PUT, "/api/admin/bans/" + id, admin(), new JsonObject()).statusCode());
    assertClosedWith(transport, target, CloseCodes.BANNED, "banned");
    assertEquals(CloseCodes.BANNED, second.awaitClose());
    bystander.request("chat.presence", new JsonObject().put("room", "general"));
    assertFalse(bystander.isClosed());
    assertEquals(0, http.get("/api/admin/connections", admin()).bodyAsJsonObject().getJsonArray("connections").stream()
        .filter(c -> id.equals(((JsonObject) c).getJsonObject("user").getString("id"))).count());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aDeletedRoomsMembersGetRoomDeletedAndAreRemovedFromIt(Transport transport) {
    Http http = service.http();
    JsonObject gina = http.guest("Gina");
    String token = gina.getString("token");
    String id = gina.getJsonObject("user").getString("id");
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "doomed")).statusCode());
    BridgeClient member = service.connect(token, transport);
    member.join("doomed", id);

    assertEquals(204, http.send(HttpMethod.DELETE, "/api/admin/rooms/doomed", admin(), null).statusCode());
    JsonObject deleted = BridgeClient.body(member.awaitFrame(f -> "room.deleted".equals(BridgeClient.bodyType(f))));
    assertEquals("doomed", deleted.getString("room"));
    JsonObject refused = member.request("chat.send", new JsonObject().put("room", "doomed").put("text", "anyone?"));
    assertEquals("err", refused.getString("type"), refused.encode());
    assertTrue(http.get("/api/admin/connections", admin()).bodyAsJsonObject().getJsonArray("connections")
        .getJsonObject(0).getJsonArray("rooms").isEmpty());
    // the subscription ended: a new room of the same id does not reach the old member
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "doomed")).statusCode());
    BridgeClient newcomer = service.connect(token, Transport.RAW);
    newcomer.join("doomed", id);
    assertEquals(201, http.post("/api/rooms/doomed/messages", token, new JsonObject().put("text", "fresh start")).statusCode());
    newcomer.awaitFrame(f -> "chat".equals(BridgeClient.bodyType(f)));
    member.request("chat.presence", new JsonObject().put("room", "general"));
    assertTrue(member.chats("doomed").isEmpty(), member.chats("doomed").toString());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aNoticeToEveryoneArrivesOnTheClientsOwnAddress(Transport transport) {
    Http http = service.http();
    JsonObject gina = http.guest("Gina");
    String id = gina.getJsonObject("user").getString("id");
    BridgeClient client = service.connect(gina.getString("token"), transport);
    client.register("chat.user." + id);
    client.request("chat.presence", new JsonObject().put("room", "general"));

    JsonObject notice = http.post("/api/admin/notices", admin(), new JsonObject().put("text", "restart at noon"))
        .bodyAsJsonObject().getJsonObject("notice");
    assertEquals(notice, BridgeClient.body(client.awaitFrame(f -> ("chat.user." + id).equals(f.getString("address")))));
    assertEquals("restart at noon", notice.getString("text"));
  }
}
