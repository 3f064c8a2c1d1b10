package dev.vertxchat.http;

import ch.qos.logback.classic.Level;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.LogLines;
import dev.vertxchat.support.Scrape;
import dev.vertxchat.support.TestServer;
import dev.vertxchat.support.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

import static dev.vertxchat.support.Http.errorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API over the real HTTP port: who is an operator (config, an identity provider's roles
 * claim; never a service-minted token's), every route's answers and errors, bans everywhere a token or
 * a password is checked, room and message deletion in history, settings, and what survives a restart.
 */
class AdminApiTest {
  private static final String IDP = "https://idp.example";
  private static final String ADMIN = "u-admin";
  private static KeyPair idpKeys;

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("admin", new JsonObject().put("users", new JsonArray().add(ADMIN)))
      .put("store", new JsonObject().put("indexIntervalMs", 60_000).put("indexBatchMaxSize", 100_000)));

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    idpKeys = gen.generateKeyPair();
  }

  private Http start() throws Exception {
    Path keyFile = Files.writeString(service.dataDir().resolve("idp-public.pem"), pem("PUBLIC KEY", idpKeys.getPublic().getEncoded()));
    return service.start(new JsonObject().put("auth", new JsonObject().put("jwt", new JsonObject()
        .put("publicKeyFile", keyFile.toString()).put("publicKeyAlgorithm", "RS256").put("publicKeyIssuer", IDP)))).http();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private String idpToken(String sub, JsonArray roles) {
    JWTAuth auth = JWTAuth.create(service.vertx(), new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", idpKeys.getPrivate().getEncoded()))));
    JsonObject claims = new JsonObject().put("name", "Idp " + sub.replace('@', ' ').trim().split(" ")[0]);
    if (roles != null) {
      claims.put("roles", roles);
    }
    return auth.generateToken(claims, new JWTOptions().setAlgorithm("RS256").setSubject(sub).setIssuer(IDP)
        .setAudience(List.of("vertx-chat")).setExpiresInSeconds(600));
  }

  /** A token the service could have minted, with a roles claim it never puts there. */
  private String forgedRolesToken(String userId) {
    JWTAuth auth = JWTAuth.create(service.vertx(), new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestServer.SECRET)));
    return auth.generateToken(new JsonObject().put("name", "Mallory").put("roles", new JsonArray().add("admin")),
        new JWTOptions().setAlgorithm("HS256").setSubject(userId).setIssuer("vertx-chat")
            .setAudience(List.of("vertx-chat")).setExpiresInSeconds(600));
  }

  private String admin() {
    return Tokens.expiringIn(service.vertx(), ADMIN, "Admin", 600);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, String token, Object body) {
    return service.http().send(method, path, token, body);
  }

  private static void assertError(int status, int code, HttpResponse<Buffer> res) {
    assertEquals(status, res.statusCode(), res.bodyAsString());
    assertEquals(code, errorCode(res), res.bodyAsString());
  }

  // --- who is an operator ---

  @Test
  void meTellsWhetherTheCallerIsAnOperator() throws Exception {
    Http http = start();
    JsonObject guest = http.get("/api/me", http.guestToken("Gina")).bodyAsJsonObject();
    assertEquals("Gina", guest.getString("name"));
    assertEquals(true, guest.getBoolean("guest"));
    assertEquals(false, guest.getBoolean("operator"));
    JsonObject admin = http.get("/api/me", admin()).bodyAsJsonObject();
    assertEquals(new JsonObject().put("id", ADMIN).put("name", "Admin").put("guest", false).put("operator", true), admin);
    assertEquals(true, http.get("/api/me", idpToken("root@idp", new JsonArray().add("user").add("admin"))).bodyAsJsonObject().getBoolean("operator"));
    assertEquals(false, http.get("/api/me", idpToken("bob@idp", new JsonArray().add("user"))).bodyAsJsonObject().getBoolean("operator"));
    assertEquals(false, http.get("/api/me", forgedRolesToken("u-mallory")).bodyAsJsonObject().getBoolean("operator"));
    assertError(401, 2001, http.get("/api/me", null));
  }

  @Test
  void adminRoutesNeedAnOperatorToken() throws Exception {
    Http http = start();
    String[][] routes = {{"GET", "/api/admin/connections"}, {"GET", "/api/admin/users/online"},
        {"POST", "/api/admin/users/u-x/disconnect"}, {"GET", "/api/admin/bans"}, {"PUT", "/api/admin/bans/u-x"},
        {"DELETE", "/api/admin/bans/u-x"}, {"DELETE", "/api/admin/rooms/general"},
        {"DELETE", "/api/admin/rooms/general/messages/1"}, {"POST", "/api/admin/notices"},
        {"GET", "/api/admin/settings"}, {"PATCH", "/api/admin/settings"}};
    String guest = http.guestToken("Gina");
    String member = Tokens.expiringIn(service.vertx(), "u-bob", "Bob", 600);
    for (String[] route : routes) {
      HttpMethod method = HttpMethod.valueOf(route[0]);
      Object body = method == HttpMethod.GET || method == HttpMethod.DELETE ? null : new JsonObject();
      assertError(401, 2001, call(method, route[1], null, body));
      assertError(401, 2001, call(method, route[1], "not.a.token", body));
      assertError(403, 2003, call(method, route[1], guest, body));
      assertError(403, 2003, call(method, route[1], member, body));
      assertError(403, 2003, call(method, route[1], forgedRolesToken("u-mallory"), body));
      assertError(403, 2003, call(method, route[1], idpToken("bob@idp", null), body));
    }
    assertEquals(200, http.get("/api/admin/settings", idpToken("root@idp", new JsonArray().add("admin"))).statusCode());
    assertError(404, 3000, http.get("/api/admin/nothing-here", admin()));
    // the rest of the API is untouched
    assertEquals(200, http.get("/api/rooms", guest).statusCode());
  }

  /** Any token holder can knock: refusals are counted, the audit log gets at most a line per 10 s of them. */
  @Test
  void refusedRequestsOfNonOperatorsAreCountedNotLoggedOneByOne() throws Exception {
    Http http = start();
    String guest = http.guestToken("Knocker");
    try (LogLines audit = new LogLines("dev.vertxchat.audit", Level.INFO)) {
      for (int i = 0; i < 200; i++) {
        HttpMethod method = i % 2 == 0 ? HttpMethod.PATCH : HttpMethod.GET;
        assertError(403, 2003, call(method, "/api/admin/settings", guest, method == HttpMethod.GET ? null : new JsonObject()));
      }
      // an operator's actions are still one line each
      for (int i = 0; i < 3; i++) {
        assertEquals(200, call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject().put("guestSignIn", true))
            .statusCode());
      }
      audit.await(e -> audit.lines().stream().filter(l -> l.contains("operator=" + ADMIN + " action=settings")).count() == 3,
          "three operator lines");
      List<String> lines = audit.lines();
      long refusedLines = lines.stream().filter(l -> l.contains("action=refused")).count();
      // none when another test of this JVM had its line in the last 10 s: the period is the process's
      assertTrue(refusedLines <= 2, "at most a line per 10 s: " + lines);
      assertTrue(lines.size() <= 6, lines.toString());
    }
    Scrape s = Scrape.of(service.vertx(), service.adminPort());
    assertEquals(200, s.count("chat_auth_refusals_total", "reason", "operator"), s.text);
  }

  @Test
  void withSeveralHttpInstancesEveryActionReachesThemAll() throws Exception {
    service.start(new JsonObject().put("deployments", new JsonArray()
        .add(new JsonObject().put("verticle", "dev.vertxchat.chat.ChatVerticle").put("instances", 1))
        .add(new JsonObject().put("verticle", "dev.vertxchat.http.HttpVerticle").put("instances", 3))));
    Http http = service.http();
    JsonObject gina = http.guest("Gina");
    String id = gina.getJsonObject("user").getString("id");
    // connections are spread over the instances' event loops
    List<BridgeClient> clients = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      clients.add(service.connect(gina.getString("token"), i % 2 == 0 ? BridgeClient.Transport.RAW : BridgeClient.Transport.XHR_STREAMING));
    }
    assertEquals(6, http.get("/api/admin/connections", admin()).bodyAsJsonObject().getJsonArray("connections").size());
    assertEquals(6, http.post("/api/admin/users/" + id + "/disconnect", admin(), "").bodyAsJsonObject().getInteger("closed"));
    clients.forEach(c -> assertEquals(4102, c.awaitClose()));

    call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject().put("guestSignIn", false));
    for (int i = 0; i < 6; i++) {
      // a new connection each time: any instance may answer
      Http fresh = service.closeAfter(new Closing(new Http(service.vertx(), service.port()))).http;
      assertError(403, 2004, fresh.post("/api/auth/guest", null, new JsonObject().put("name", "Gina")));
    }
  }

  private record Closing(Http http) implements AutoCloseable {
    @Override
    public void close() {
      http.close();
    }
  }

  // --- connections ---

  @Test
  void connectionsAndUsersOnlineListTheBridgeConnections() throws Exception {
    Http http = start();
    JsonObject gina = http.guest("Gina");
    String id = gina.getJsonObject("user").getString("id");
    BridgeClient raw = service.connect(gina.getString("token"));
    raw.join("general", id);
    service.connect(gina.getString("token"), BridgeClient.Transport.XHR_POLLING);

    JsonArray connections = http.get("/api/admin/connections", admin()).bodyAsJsonObject().getJsonArray("connections");
    assertEquals(2, connections.size(), connections.encode());
    JsonObject first = connections.getJsonObject(0);
    assertEquals(new JsonObject().put("id", id).put("name", "Gina").put("guest", true), first.getJsonObject("user"));
    assertEquals("websocket", first.getString("transport"));
    assertEquals("127.0.0.1", first.getString("address"));
    assertTrue(first.getLong("since") <= System.currentTimeMillis());
    assertEquals(new JsonArray().add("general"), first.getJsonArray("rooms"));
    assertEquals("xhr-polling", connections.getJsonObject(1).getString("transport"));
    assertFalse(first.getString("id").equals(connections.getJsonObject(1).getString("id")));

    JsonArray users = http.get("/api/admin/users/online", admin()).bodyAsJsonObject().getJsonArray("users");
    assertEquals(new JsonArray().add(new JsonObject().put("id", id).put("name", "Gina").put("guest", true).put("connections", 2)
        .put("rooms", new JsonArray().add("general"))), users);

    HttpResponse<Buffer> closed = http.post("/api/admin/users/" + id + "/disconnect", admin(), "");
    assertEquals(200, closed.statusCode(), closed.bodyAsString());
    assertEquals(2, closed.bodyAsJsonObject().getInteger("closed"));
    assertEquals(4102, raw.awaitClose());
    assertEquals(0, http.post("/api/admin/users/u-nobody/disconnect", admin(), "").bodyAsJsonObject().getInteger("closed"));
    assertError(400, 1100, http.post("/api/admin/users/%20bad%20/disconnect", admin(), ""));
  }

  // --- bans ---

  @Test
  void aBannedUserIsRefusedEverywhereUntilUnbannedAndTheBanSurvivesARestart() throws Exception {
    Http http = start();
    HttpResponse<Buffer> reg = http.post("/api/auth/register", null, new JsonObject().put("name", "Bert").put("password", "berts password"));
    assertEquals(201, reg.statusCode(), reg.bodyAsString());
    String token = reg.bodyAsJsonObject().getString("token");
    String id = reg.bodyAsJsonObject().getJsonObject("user").getString("id");
    BridgeClient conn = service.connect(token);

    HttpResponse<Buffer> banned = call(HttpMethod.PUT, "/api/admin/bans/" + id, admin(), new JsonObject().put("reason", "spam"));
    assertEquals(200, banned.statusCode(), banned.bodyAsString());
    JsonObject ban = banned.bodyAsJsonObject().getJsonObject("ban");
    assertEquals(id, ban.getString("user"));
    assertEquals("spam", ban.getString("reason"));
    assertEquals(ADMIN, ban.getString("by"));
    assertTrue(ban.getLong("since") > 0);
    assertEquals(4401, conn.awaitClose());
    // idempotent; without a body
    assertEquals(200, call(HttpMethod.PUT, "/api/admin/bans/" + id, admin(), null).statusCode());

    assertBanned(http, token);
    assertEquals(new JsonArray().add(id), ids(http.get("/api/admin/bans", admin()).bodyAsJsonObject().getJsonArray("bans")));

    service.restart();
    http = service.http();
    assertBanned(http, token);

    assertEquals(204, call(HttpMethod.DELETE, "/api/admin/bans/" + id, admin(), null).statusCode());
    assertError(404, 3000, call(HttpMethod.DELETE, "/api/admin/bans/" + id, admin(), null));
    assertEquals(200, http.get("/api/rooms", token).statusCode());
    assertEquals(200, http.post("/api/auth/login", null, new JsonObject().put("name", "Bert").put("password", "berts password")).statusCode());
    assertEquals(200, http.post("/api/auth/refresh", token, "").statusCode());
    service.connect(token).join("general", id);
    assertEquals(new JsonArray(), http.get("/api/admin/bans", admin()).bodyAsJsonObject().getJsonArray("bans"));
  }

  private void assertBanned(Http http, String token) {
    assertError(403, 2009, http.get("/api/rooms", token));
    assertError(403, 2009, http.get("/api/me", token));
    assertError(403, 2009, http.post("/api/auth/refresh", token, ""));
    assertError(403, 2009, http.post("/api/auth/login", null, new JsonObject().put("name", "Bert").put("password", "berts password")));
    // a wrong password says nothing about the ban
    assertError(401, 2002, http.post("/api/auth/login", null, new JsonObject().put("name", "Bert").put("password", "wrong password")));
    // the bridge handshake: SockJS's info request and the raw WebSocket upgrade
    assertError(403, 2009, http.get("/eventbus/info?token=" + token, null));
    assertError(403, 2009, http.get("/eventbus/websocket?token=" + token, null));
  }

  @Test
  void banAnswersItsErrors() throws Exception {
    Http http = start();
    assertError(400, 1100, call(HttpMethod.PUT, "/api/admin/bans/" + ADMIN, admin(), new JsonObject()));
    assertError(400, 1100, call(HttpMethod.PUT, "/api/admin/bans/u-x", admin(), "[1]"));
    assertError(400, 1100, call(HttpMethod.PUT, "/api/admin/bans/u-x", admin(), "{oops"));
    assertError(400, 1100, call(HttpMethod.PUT, "/api/admin/bans/u-x", admin(), new JsonObject().put("reason", 5)));
    assertError(400, 1100, call(HttpMethod.PUT, "/api/admin/bans/u-x", admin(), new JsonObject().put("reason", "x".repeat(201))));
    // text validated like notices and messages: no lone surrogate, NUL, control or bidi character
    for (String reason : new String[] {"\\ud800", "a\\udc00b", "nul\\u0000", "esc\\u001b[2J", "del\\u007f", "c1\\u0085",
        "line\\nbreak", "tab\\there", "\\u202eevil", "\\u2066isolate", "mark\\u200f"}) {
      assertError(400, 1100, call(HttpMethod.PUT, "/api/admin/bans/u-x", admin(), "{\"reason\":\"" + reason + "\"}"));
    }
    assertEquals(new JsonArray(), http.get("/api/admin/bans", admin()).bodyAsJsonObject().getJsonArray("bans"));
    // the length counts code points: 200 emoji (400 UTF-16 units) are 200 characters
    String emoji = "\uD83D\uDE00";
    assertError(400, 1100, call(HttpMethod.PUT, "/api/admin/bans/u-x", admin(), new JsonObject().put("reason", emoji.repeat(201))));
    assertEquals(emoji.repeat(200), call(HttpMethod.PUT, "/api/admin/bans/u-y", admin(),
        new JsonObject().put("reason", emoji.repeat(200))).bodyAsJsonObject().getJsonObject("ban").getString("reason"));
    JsonObject ban = call(HttpMethod.PUT, "/api/admin/bans/u-x", admin(), new JsonObject()).bodyAsJsonObject().getJsonObject("ban");
    assertNull(ban.getString("reason"));
    assertTrue(ban.containsKey("reason"));
  }

  private static JsonArray ids(JsonArray bans) {
    JsonArray out = new JsonArray();
    bans.forEach(b -> out.add(((JsonObject) b).getString("user")));
    return out;
  }

  // --- rooms and messages ---

  @Test
  void aDeletedRoomTellsItsMembersAndDisappears() throws Exception {
    Http http = start();
    String token = http.guestToken("Gina");
    JsonObject created = http.post("/api/rooms", token, new JsonObject().put("id", "doomed")).bodyAsJsonObject();
    assertEquals("doomed", created.getString("id"));
    String id = http.get("/api/me", token).bodyAsJsonObject().getString("id");
    BridgeClient member = service.connect(token);
    member.join("doomed", id);
    assertEquals(201, http.post("/api/rooms/doomed/messages", token, new JsonObject().put("text", "hello")).statusCode());

    assertEquals(204, call(HttpMethod.DELETE, "/api/admin/rooms/doomed", admin(), null).statusCode());
    JsonObject deleted = BridgeClient.body(member.awaitFrame(f -> "room.deleted".equals(BridgeClient.bodyType(f))));
    assertEquals("doomed", deleted.getString("room"));
    assertEquals(ADMIN, deleted.getJsonObject("user").getString("id"));
    assertTrue(deleted.getLong("ts") > 0);
    // removed from the room: a send on the connection is refused, the REST API knows no such room
    JsonObject reply = member.request("chat.send", new JsonObject().put("room", "doomed").put("text", "still here?"));
    assertEquals("err", reply.getString("type"), reply.encode());
    assertError(404, 3001, http.post("/api/rooms/doomed/messages", token, new JsonObject().put("text", "x")));
    assertError(404, 3001, http.get("/api/rooms/doomed/messages", token));
    assertFalse(http.get("/api/rooms", token).bodyAsString().contains("doomed"));
    // a new room of the same id starts empty
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "doomed")).statusCode());
    assertEquals(new JsonArray(), http.get("/api/rooms/doomed/messages", token).bodyAsJsonObject().getJsonArray("messages"));

    assertError(404, 3001, call(HttpMethod.DELETE, "/api/admin/rooms/never-was", admin(), null));
    assertError(400, 1103, call(HttpMethod.DELETE, "/api/admin/rooms/Not_A_Room", admin(), null));
  }

  @Test
  void aDeletedMessageBecomesATombstoneAlsoWhenStillOnlyInTheJournalAndAfterARestart() throws Exception {
    Http http = start();
    String token = http.guestToken("Gina");
    String id = http.get("/api/me", token).bodyAsJsonObject().getString("id");
    BridgeClient member = service.connect(token);
    member.join("general", id);
    long keep = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "keep me")).bodyAsJsonObject().getLong("id");
    // the journal copies into the table only every 60 s here: this one is still only in the journal
    long gone = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "delete me")).bodyAsJsonObject().getLong("id");

    assertEquals(204, call(HttpMethod.DELETE, "/api/admin/rooms/general/messages/" + gone, admin(), null).statusCode());
    JsonObject tombstone = BridgeClient.body(member.awaitFrame(f -> "deleted".equals(BridgeClient.bodyType(f))));
    assertEquals(gone, tombstone.getLong("id"));
    assertEquals("general", tombstone.getString("room"));
    assertEquals(ADMIN, tombstone.getJsonObject("user").getString("id"));
    assertFalse(tombstone.containsKey("text"));
    assertHistory(http, token, keep, gone);
    // the journal's copy ran before the deletion, and deleted the segments holding the text
    try (var files = Files.walk(service.dataDir().resolve("journal"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertFalse(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1).contains("delete me"), file.toString());
      }
    }

    service.restart();
    http = service.http();
    token = http.guestToken("Gina2");
    assertHistory(http, token, keep, gone);

    assertError(404, 3000, call(HttpMethod.DELETE, "/api/admin/rooms/general/messages/999999", admin(), null));
    assertError(404, 3000, call(HttpMethod.DELETE, "/api/admin/rooms/general/messages/abc", admin(), null));
    assertError(404, 3001, call(HttpMethod.DELETE, "/api/admin/rooms/nowhere/messages/" + keep, admin(), null));
  }

  @Test
  void theIdsOfADeletedRoomsMessagesAreNotGivenOutAgainAfterARestart() throws Exception {
    Http http = start();
    String token = http.guestToken("Gina");
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "doomed")).statusCode());
    http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "older"));
    long last = 0;
    for (int i = 0; i < 3; i++) {
      last = http.post("/api/rooms/doomed/messages", token, new JsonObject().put("text", "m" + i)).bodyAsJsonObject().getLong("id");
    }
    assertEquals(204, call(HttpMethod.DELETE, "/api/admin/rooms/doomed", admin(), null).statusCode());
    service.restart();
    http = service.http();
    token = http.guestToken("Gina");
    long next = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "newer")).bodyAsJsonObject().getLong("id");
    assertTrue(next > last, next + " after " + last);
    // a default room comes back at restart, empty
    assertEquals(204, call(HttpMethod.DELETE, "/api/admin/rooms/general", admin(), null).statusCode());
    assertError(404, 3001, http.get("/api/rooms/general/messages", token));
    service.restart();
    http = service.http();
    assertEquals(new JsonArray(), http.get("/api/rooms/general/messages", http.guestToken("Gina")).bodyAsJsonObject().getJsonArray("messages"));
  }

  private static void assertHistory(Http http, String token, long keep, long gone) {
    JsonArray messages = http.get("/api/rooms/general/messages", token).bodyAsJsonObject().getJsonArray("messages");
    assertEquals(2, messages.size(), messages.encode());
    assertEquals("keep me", messages.getJsonObject(0).getString("text"));
    assertEquals(keep, messages.getJsonObject(0).getLong("id"));
    JsonObject deleted = messages.getJsonObject(1);
    assertEquals(List.of("id", "room", "type", "ts"), List.copyOf(deleted.fieldNames()), deleted.encode());
    assertEquals(gone, deleted.getLong("id"));
    assertEquals("deleted", deleted.getString("type"));
  }

  // --- notices ---

  @Test
  void noticesReachARoomsMembersOrEveryConnectedClient() throws Exception {
    Http http = start();
    JsonObject gina = http.guest("Gina");
    String ginaId = gina.getJsonObject("user").getString("id");
    JsonObject hugo = http.guest("Hugo");
    String hugoId = hugo.getJsonObject("user").getString("id");
    BridgeClient inRoom = service.connect(gina.getString("token"));
    inRoom.join("general", ginaId);
    BridgeClient elsewhere = service.connect(hugo.getString("token"), BridgeClient.Transport.XHR_STREAMING);
    elsewhere.register("chat.user." + hugoId);
    inRoom.register("chat.user." + ginaId);
    // a registration is effective once a later request on the connection has its answer
    elsewhere.request("chat.presence", new JsonObject().put("room", "general"));
    inRoom.request("chat.presence", new JsonObject().put("room", "general"));

    HttpResponse<Buffer> res = http.post("/api/admin/notices", admin(), new JsonObject().put("room", "general").put("text", " maintenance at 5 "));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    JsonObject notice = res.bodyAsJsonObject().getJsonObject("notice");
    assertEquals("notice", notice.getString("type"));
    assertEquals("general", notice.getString("room"));
    assertEquals("maintenance at 5", notice.getString("text"));
    assertEquals(new JsonObject().put("id", "system").put("name", "server"), notice.getJsonObject("user"));
    assertEquals(notice, BridgeClient.body(inRoom.awaitFrame(f -> "chat.room.general".equals(f.getString("address"))
        && "notice".equals(BridgeClient.bodyType(f)))));

    JsonObject everyone = http.post("/api/admin/notices", admin(), new JsonObject().put("text", "hello all"))
        .bodyAsJsonObject().getJsonObject("notice");
    assertFalse(everyone.containsKey("room"));
    assertEquals(everyone, BridgeClient.body(elsewhere.awaitFrame(f -> ("chat.user." + hugoId).equals(f.getString("address")))));
    assertEquals(everyone, BridgeClient.body(inRoom.awaitFrame(f -> ("chat.user." + ginaId).equals(f.getString("address")))));
    assertTrue(elsewhere.received(f -> "chat.room.general".equals(f.getString("address"))).isEmpty());
    // not stored
    assertEquals(new JsonArray(), http.get("/api/rooms/general/messages", gina.getString("token")).bodyAsJsonObject().getJsonArray("messages"));

    assertError(400, 1104, http.post("/api/admin/notices", admin(), new JsonObject().put("text", "   ")));
    assertError(400, 1104, http.post("/api/admin/notices", admin(), new JsonObject()));
    assertError(400, 1104, http.post("/api/admin/notices", admin(), new JsonObject().put("text", "x".repeat(4001))));
    assertError(400, 1103, http.post("/api/admin/notices", admin(), new JsonObject().put("text", "x").put("room", 7)));
    assertError(404, 3001, http.post("/api/admin/notices", admin(), new JsonObject().put("text", "x").put("room", "nowhere")));
    assertError(400, 1100, http.post("/api/admin/notices", admin(), "not json"));
  }

  // --- settings ---

  @Test
  void settingsTakeEffectAtOnceAndSurviveARestart() throws Exception {
    Http http = start();
    assertEquals(new JsonObject().put("guestSignIn", true).put("registration", true),
        http.get("/api/admin/settings", admin()).bodyAsJsonObject());
    HttpResponse<Buffer> res = call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject().put("guestSignIn", false));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject().put("guestSignIn", false).put("registration", true), res.bodyAsJsonObject());
    // the sign-in page asks before it shows its buttons
    assertEquals(new JsonObject().put("guests", false).put("registration", true),
        http.get("/api/auth/options", null).bodyAsJsonObject());
    assertError(403, 2004, http.post("/api/auth/guest", null, new JsonObject().put("name", "Gina")));
    assertEquals(201, http.post("/api/auth/register", null, new JsonObject().put("name", "Reg").put("password", "long enough")).statusCode());

    call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject().put("registration", false));
    assertError(403, 2010, http.post("/api/auth/register", null, new JsonObject().put("name", "Reg2").put("password", "long enough")));

    service.restart();
    http = service.http();
    assertEquals(new JsonObject().put("guestSignIn", false).put("registration", false),
        http.get("/api/admin/settings", admin()).bodyAsJsonObject());
    assertEquals(new JsonObject().put("guests", false).put("registration", false),
        http.get("/api/auth/options", null).bodyAsJsonObject());
    assertError(403, 2004, http.post("/api/auth/guest", null, new JsonObject().put("name", "Gina")));
    assertError(403, 2010, http.post("/api/auth/register", null, new JsonObject().put("name", "Reg2").put("password", "long enough")));

    call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject().put("registration", true).put("guestSignIn", true));
    assertEquals(200, http.post("/api/auth/guest", null, new JsonObject().put("name", "Gina")).statusCode());
    assertEquals(201, http.post("/api/auth/register", null, new JsonObject().put("name", "Reg2").put("password", "long enough")).statusCode());

    assertError(400, 1100, call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject().put("guestSignIn", "no")));
    assertError(400, 1100, call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject().put("guests", false)));
    assertError(400, 1100, call(HttpMethod.PATCH, "/api/admin/settings", admin(), "[]"));
    assertEquals(new JsonObject().put("guestSignIn", true).put("registration", true),
        call(HttpMethod.PATCH, "/api/admin/settings", admin(), new JsonObject()).bodyAsJsonObject());
  }
}
