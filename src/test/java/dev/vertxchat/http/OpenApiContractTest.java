package dev.vertxchat.http;

import dev.vertxchat.store.Database;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.TestServer;
import dev.vertxchat.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * docs/openapi.yaml is the REST API as it answers: real requests to every route, provoking every status
 * that can be provoked here, each response checked with Vert.x's OpenAPI validator against the document
 * (status documented, headers, content type, body schema). A route of the document that no request
 * covered fails the test.
 *
 * <p>A case is one line: {@code api.expect(status, "METHOD", "/uri", token, body)}, or
 * {@code api.expectError(status, code, ...)} where the error code matters (the document's error schemas
 * allow every code of a status). Longer than 300 lines because every case of every route is here, in one
 * service's life.
 */
class OpenApiContractTest {
  private static final Path DOCUMENT = Path.of("docs/openapi.yaml");

  /** An operator (admin.users). */
  private static final String ADMIN = "u-admin";

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject().put("limits", new JsonObject()
      .put("roomsPerUser", 1).put("messageBurst", 3).put("messagesPerSecond", 0.01).put("failedLoginsPerName", 2))
      .put("admin", new JsonObject().put("users", new JsonArray().add(ADMIN))));
  @TempDir
  Path tmp;

  /** The document as written (for what the validator cannot check: media types it does not support). */
  private JsonObject raw;
  private OpenAPIContract contract;
  private ResponseValidator validator;
  private final Set<String> covered = new TreeSet<>();

  @Test
  void everyRouteAnswersAsDocumented() throws Exception {
    load();
    Api api = new Api(service.port());
    JsonObject ann = api.expect(200, "POST", "/api/auth/guest", null, json("name", "ann")).bodyAsJsonObject();
    String annToken = ann.getString("token");
    api.expect(400, "POST", "/api/auth/guest", null, "not json");
    api.expect(400, "POST", "/api/auth/guest", null, json("name", " bad  name "));
    api.expect(413, "POST", "/api/auth/guest", null, json("name", "x".repeat(5000)));

    String bob = api.expect(201, "POST", "/api/auth/register", null, json("name", "bob").put("password", "password-1"))
        .bodyAsJsonObject().getString("token");
    api.expect(409, "POST", "/api/auth/register", null, json("name", "BOB").put("password", "password-1"));
    api.expect(400, "POST", "/api/auth/register", null, json("name", "carol").put("password", "short"));
    api.expect(409, "POST", "/api/auth/guest", null, json("name", "bob"));

    api.expect(200, "POST", "/api/auth/login", null, json("name", "bob").put("password", "password-1"));
    api.expect(400, "POST", "/api/auth/login", null, "[]");
    api.expect(401, "POST", "/api/auth/login", null, json("name", "bob").put("password", "wrong-password"));
    api.expect(401, "POST", "/api/auth/login", null, json("name", "bob").put("password", "wrong-password"));
    api.expect(429, "POST", "/api/auth/login", null, json("name", "bob").put("password", "wrong-password"));

    api.expect(200, "GET", "/api/auth/options", null, null);
    api.expect(200, "POST", "/api/auth/refresh", annToken, null);
    api.expect(401, "POST", "/api/auth/refresh", null, null);
    api.expect(401, "POST", "/api/auth/refresh", Tokens.expiredAgo(service.vertx(), "u-old", "old", 7200), null);

    api.expect(200, "GET", "/api/rooms", annToken, null);
    api.expect(200, "GET", "/api/rooms?limit=1&q=gen", annToken, null);
    api.expect(400, "GET", "/api/rooms?limit=many", annToken, null);
    api.expect(401, "GET", "/api/rooms", null, null);
    api.expect(201, "POST", "/api/rooms", annToken, json("id", "den").put("topic", "quiet"));
    api.expect(429, "POST", "/api/rooms", annToken, json("id", "den-two"));
    api.expect(409, "POST", "/api/rooms", bob, json("id", "den"));
    api.expect(400, "POST", "/api/rooms", bob, json("id", "Not An Id"));
    api.expect(413, "POST", "/api/rooms", bob, json("id", "x".repeat(70_000)));
    api.expect(401, "POST", "/api/rooms", null, json("id", "nobody"));

    List<Long> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(api.expect(201, "POST", "/api/rooms/general/messages", annToken, json("text", "hello " + i))
          .bodyAsJsonObject().getLong("id"));
    }
    api.expect(429, "POST", "/api/rooms/general/messages", annToken, json("text", "one too many"));
    api.expect(400, "POST", "/api/rooms/general/messages", bob, json("text", "   "));
    api.expect(404, "POST", "/api/rooms/nowhere/messages", bob, json("text", "hello?"));
    api.expect(413, "POST", "/api/rooms/general/messages", bob, json("text", "x".repeat(70_000)));
    api.expect(401, "POST", "/api/rooms/general/messages", null, json("text", "hi"));
    api.expect(200, "GET", "/api/rooms/general/messages", bob, null);
    api.expect(200, "GET", "/api/rooms/general/messages?after=1&limit=2", bob, null);
    api.expect(400, "GET", "/api/rooms/general/messages?limit=0", bob, null);
    api.expect(404, "GET", "/api/rooms/nowhere/messages", bob, null);
    api.expect(401, "GET", "/api/rooms/general/messages", null, null);

    conversations(api, sent.get(1));

    HttpResponse<Buffer> document = api.expect(200, "GET", "/api/openapi.yaml", null, null);
    assertEquals(Files.readString(DOCUMENT), document.bodyAsString(), "serves docs/openapi.yaml as it is");
    api.expect(200, "GET", "/health", null, null);
    api.expect(200, "GET", "/health/live", null, null);
    api.expect(200, "GET", "/health/ready", null, null);

    adminApi(api, ann, bob, sent.get(0));

    // guest sign-in off, and a disk too small for the storage floor: 403 and 503 (a Vert.x of its own: services in
    // one Vert.x would share the chat.* addresses)
    Vertx otherVertx = Vertx.vertx();
    try {
      TestServer other = TestServer.start(otherVertx, tmp.resolve("other"), new JsonObject()
          .put("auth", json("guests", false)).put("store", json("minFreeDiskBytes", 1L << 50)));
      Api otherApi = new Api(other.port);
      otherApi.expect(403, "POST", "/api/auth/guest", null, json("name", "dora"));
      String tess = Tokens.expiringIn(service.vertx(), "u-tess", "tess", 600);
      otherApi.expect(503, "POST", "/api/rooms/general/messages", tess, json("text", "no room on disk"));
    } finally {
      await(otherVertx.close());
    }

    // the database gone under the service: the ready check says so with 503. One request only: the pool may open a
    // new connection afterwards, and embedded H2 then opens the database again (/health answers as /health/ready)
    try (Connection conn = DriverManager.getConnection(Database.url(service.dataDir().toString()), "sa", "");
         Statement st = conn.createStatement()) {
      st.execute("SHUTDOWN");
    }
    api.expect(503, "GET", "/health/ready", null, null);

    Set<String> missing = new TreeSet<>(documentedRoutes());
    missing.removeAll(covered);
    assertEquals(Set.of(), missing, "routes of docs/openapi.yaml no request covered");
  }

  /**
   * {@code /api/me} and the operators' API: every route with every status it can be made to answer here
   * (not 503 {@code 5001}, which only a service without moderation answers). Ann, a guest, is on the
   * bridge in general; bob has an account and is no operator.
   */
  private void adminApi(Api api, JsonObject ann, String bob, long messageId) {
    String admin = Tokens.expiringIn(service.vertx(), ADMIN, "Admin", 600);
    String annToken = ann.getString("token");
    String annId = ann.getJsonObject("user").getString("id");

    assertEquals(true, api.expect(200, "GET", "/api/me", admin, null).bodyAsJsonObject().getBoolean("operator"));
    assertEquals(false, api.expect(200, "GET", "/api/me", annToken, null).bodyAsJsonObject().getBoolean("operator"));
    api.expectError(401, 2001, "GET", "/api/me", null, null);

    // a connection in a room: the lists have items to check
    BridgeClient annOnline = service.connect(annToken);
    annOnline.join("general", annId);
    JsonArray connections = api.expect(200, "GET", "/api/admin/connections", admin, null).bodyAsJsonObject()
        .getJsonArray("connections");
    assertEquals(1, connections.size());
    assertEquals(true, connections.getJsonObject(0).getJsonObject("user").getBoolean("guest"), "a guest, as everywhere");
    api.expectError(401, 2001, "GET", "/api/admin/connections", null, null);
    api.expectError(403, 2003, "GET", "/api/admin/connections", bob, null);
    JsonArray online = api.expect(200, "GET", "/api/admin/users/online", admin, null).bodyAsJsonObject().getJsonArray("users");
    assertEquals(1, online.size());
    assertEquals(true, online.getJsonObject(0).getBoolean("guest"));
    api.expectError(401, 2001, "GET", "/api/admin/users/online", null, null);
    api.expectError(403, 2003, "GET", "/api/admin/users/online", annToken, null);

    String notices = "/api/admin/notices";
    assertNull(api.expect(201, "POST", notices, admin, json("text", "to everyone")).bodyAsJsonObject()
        .getJsonObject("notice").getString("room"));
    assertEquals("general", api.expect(201, "POST", notices, admin, json("text", "to general").put("room", "general"))
        .bodyAsJsonObject().getJsonObject("notice").getString("room"));
    api.expectError(400, 1100, "POST", notices, admin, "not json");
    api.expectError(400, 1104, "POST", notices, admin, json("text", "   "));
    api.expectError(400, 1104, "POST", notices, admin, json("room", "general"));
    api.expectError(400, 1103, "POST", notices, admin, json("text", "hi").put("room", "Not A Room"));
    api.expectError(404, 3001, "POST", notices, admin, json("text", "hi").put("room", "nowhere"));
    api.expectError(413, 1106, "POST", notices, admin, json("text", "x".repeat(70_000)));
    api.expectError(401, 2001, "POST", notices, null, json("text", "hi"));
    api.expectError(403, 2003, "POST", notices, bob, json("text", "hi"));

    String disconnect = "/api/admin/users/" + annId + "/disconnect";
    assertEquals(1, api.expect(200, "POST", disconnect, admin, null).bodyAsJsonObject().getInteger("closed"));
    assertEquals(4102, annOnline.awaitClose());
    assertEquals(0, api.expect(200, "POST", disconnect, admin, null).bodyAsJsonObject().getInteger("closed"));
    api.expectError(400, 1100, "POST", "/api/admin/users/bad!id/disconnect", admin, null);
    api.expectError(401, 2001, "POST", disconnect, null, null);
    api.expectError(403, 2003, "POST", disconnect, bob, null);

    String message = "/api/admin/rooms/general/messages/";
    api.expect(204, "DELETE", message + messageId, admin, null);
    api.expect(204, "DELETE", message + messageId, admin, null); // again: the tombstone goes out again
    JsonArray history = api.expect(200, "GET", "/api/rooms/general/messages", bob, null).bodyAsJsonObject().getJsonArray("messages");
    assertTrue(history.stream().map(JsonObject.class::cast).anyMatch(m -> m.getLong("id") == messageId
        && "deleted".equals(m.getString("type"))), history.encode());
    api.expectError(404, 3000, "DELETE", message + "999999", admin, null);
    api.expectError(404, 3000, "DELETE", message + "not-a-number", admin, null);
    api.expectError(404, 3001, "DELETE", "/api/admin/rooms/nowhere/messages/1", admin, null);
    api.expectError(400, 1103, "DELETE", "/api/admin/rooms/Not_A_Room/messages/1", admin, null);
    api.expectError(401, 2001, "DELETE", message + messageId, null, null);
    api.expectError(403, 2003, "DELETE", message + messageId, bob, null);

    api.expect(204, "DELETE", "/api/admin/rooms/den", admin, null);
    api.expectError(404, 3001, "DELETE", "/api/admin/rooms/den", admin, null);
    api.expectError(400, 1103, "DELETE", "/api/admin/rooms/Not_A_Room", admin, null);
    api.expectError(401, 2001, "DELETE", "/api/admin/rooms/general", null, null);
    api.expectError(403, 2003, "DELETE", "/api/admin/rooms/general", bob, null);

    String settings = "/api/admin/settings";
    api.expect(200, "GET", settings, admin, null);
    api.expectError(401, 2001, "GET", settings, null, null);
    api.expectError(403, 2003, "GET", settings, bob, null);
    api.expect(200, "PATCH", settings, admin, json("registration", false));
    api.expectError(403, 2010, "POST", "/api/auth/register", null, json("name", "frank").put("password", "password-1"));
    api.expect(200, "PATCH", settings, admin, json("guestSignIn", false));
    api.expectError(403, 2004, "POST", "/api/auth/guest", null, json("name", "gina"));
    api.expect(200, "PATCH", settings, admin, new JsonObject());
    assertEquals(json("guestSignIn", true).put("registration", true), api.expect(200, "PATCH", settings, admin,
        json("guestSignIn", true).put("registration", true)).bodyAsJsonObject());
    api.expectError(400, 1100, "PATCH", settings, admin, json("signUps", true));
    api.expectError(400, 1100, "PATCH", settings, admin, json("registration", "no"));
    api.expectError(400, 1100, "PATCH", settings, admin, "[true]");
    api.expectError(413, 1106, "PATCH", settings, admin, json("registration", "x".repeat(70_000)));
    api.expectError(401, 2001, "PATCH", settings, null, json("registration", true));
    api.expectError(403, 2003, "PATCH", settings, bob, json("registration", true));

    JsonObject erin = api.expect(201, "POST", "/api/auth/register", null, json("name", "erin").put("password", "password-1"))
        .bodyAsJsonObject();
    String erinToken = erin.getString("token");
    String ban = "/api/admin/bans/" + erin.getJsonObject("user").getString("id");
    assertEquals(0, api.expect(200, "GET", "/api/admin/bans", admin, null).bodyAsJsonObject().getJsonArray("bans").size());
    JsonObject first = api.expect(200, "PUT", ban, admin, json("reason", "spam")).bodyAsJsonObject().getJsonObject("ban");
    JsonObject again = api.expect(200, "PUT", ban, admin, null).bodyAsJsonObject().getJsonObject("ban");
    assertEquals(first.copy().put("reason", (String) null), again, "banning again replaces the reason, keeps by and since");
    assertEquals(1, api.expect(200, "GET", "/api/admin/bans", admin, null).bodyAsJsonObject().getJsonArray("bans").size());
    api.expectError(401, 2001, "GET", "/api/admin/bans", null, null);
    api.expectError(403, 2003, "GET", "/api/admin/bans", bob, null);
    api.expectError(403, 2009, "GET", "/api/me", erinToken, null);
    api.expectError(403, 2009, "GET", "/api/rooms", erinToken, null);
    api.expectError(403, 2009, "POST", "/api/rooms/general/messages", erinToken, json("text", "still here?"));
    api.expectError(403, 2009, "POST", "/api/auth/refresh", erinToken, null);
    api.expectError(403, 2009, "POST", "/api/auth/login", null, json("name", "erin").put("password", "password-1"));
    api.expectError(400, 1100, "PUT", "/api/admin/bans/" + ADMIN, admin, null);
    api.expectError(400, 1100, "PUT", "/api/admin/bans/bad!id", admin, null);
    api.expectError(400, 1100, "PUT", ban, admin, json("reason", "x".repeat(201)));
    api.expectError(400, 1100, "PUT", ban, admin, json("reason", 42));
    api.expectError(400, 1100, "PUT", ban, admin, "not json");
    api.expectError(413, 1106, "PUT", ban, admin, json("reason", "x".repeat(70_000)));
    api.expectError(401, 2001, "PUT", ban, null, null);
    api.expectError(403, 2003, "PUT", ban, bob, null);
    api.expect(204, "DELETE", ban, admin, null);
    api.expectError(404, 3000, "DELETE", ban, admin, null);
    api.expectError(400, 1100, "DELETE", "/api/admin/bans/bad!id", admin, null);
    api.expectError(401, 2001, "DELETE", ban, null, null);
    api.expectError(403, 2003, "DELETE", ban, bob, null);
    api.expect(200, "GET", "/api/me", erinToken, null);

    // paths no route has: answered as the document's info says, like any route's 404 (or 401, 403 before it)
    api.expectUnrouted(404, 3000, "GET", "/api/admin/nothing-here", admin, "adminUnban");
    api.expectUnrouted(404, 3000, "PATCH", "/api/admin/connections", admin, "adminUnban");
    api.expectUnrouted(403, 2003, "GET", "/api/admin/nothing-here", bob, "adminUnban");
    api.expectUnrouted(401, 2001, "GET", "/api/admin/nothing-here", null, "adminUnban");
    api.expectUnrouted(404, 3000, "GET", "/api/nothing-here", bob, "history");
    api.expectUnrouted(401, 2001, "GET", "/api/nothing-here", null, "history");
  }

  /**
   * The conversation routes (issue 13): every route, with the refusals that can be provoked here. Fresh users (the
   * class's limits allow each one room and three messages): olga owns the private room "vault", pete is invited and
   * made moderator, quin is an outsider; the operator moderates "general". {@code annsMessage} is in "general".
   */
  private void conversations(Api api, long annsMessage) {
    String olga = Tokens.expiringIn(service.vertx(), "u-olga", "olga", 600);
    String pete = Tokens.expiringIn(service.vertx(), "u-pete", "pete", 600);
    String quin = Tokens.expiringIn(service.vertx(), "u-quin", "quin", 600);
    String sam = Tokens.expiringIn(service.vertx(), "u-sam", "sam", 600); // reacts: a reaction takes a message token
    String admin = Tokens.expiringIn(service.vertx(), ADMIN, "Admin", 600);
    for (String token : List.of(olga, pete, quin, sam)) {
      api.expect(200, "GET", "/api/rooms", token, null); // known to the service from now on
    }

    JsonObject vault = api.expect(201, "POST", "/api/rooms", olga, json("id", "vault").put("private", true))
        .bodyAsJsonObject();
    assertEquals("owner", vault.getString("role"));
    api.expectError(400, 1103, "POST", "/api/rooms", quin, json("id", "dm-0123456789abcdef0123456789abcdef"));
    assertTrue(api.expect(200, "GET", "/api/rooms?q=vault", olga, null).bodyAsJsonObject().getJsonArray("rooms")
        .getJsonObject(0).getBoolean("private"));

    String members = "/api/rooms/vault/members";
    api.expect(201, "POST", members, olga, json("user", "u-pete"));
    api.expect(201, "POST", members, olga, json("user", "u-sam"));
    api.expectError(404, 3005, "POST", members, olga, json("user", "u-nobody"));
    api.expectError(403, 2011, "POST", members, pete, json("user", "u-quin"));
    api.expectError(404, 3001, "POST", members, quin, json("user", "u-quin"));
    api.expectError(400, 1109, "POST", "/api/rooms/general/members", admin, json("user", "u-quin"));
    api.expect(200, "GET", members, olga, null);
    api.expectError(404, 3001, "GET", members, quin, null);
    api.expectError(401, 2001, "GET", members, null, null);
    String peteRole = members + "/u-pete/role";
    api.expectError(400, 1109, "PUT", peteRole, olga, json("role", "king"));
    api.expect(200, "PUT", peteRole, olga, json("role", "moderator"));
    api.expectError(403, 2011, "PUT", members + "/u-olga/role", pete, json("role", "member"));

    api.expect(200, "PATCH", "/api/rooms/vault", olga, json("topic", "the quiet room"));
    api.expectError(400, 1103, "PATCH", "/api/rooms/vault", olga, json("name", " "));
    api.expectError(403, 2011, "PATCH", "/api/rooms/vault", pete, json("archived", true));
    api.expectError(404, 3001, "PATCH", "/api/rooms/vault", quin, json("topic", "mine"));

    long said = api.expect(201, "POST", "/api/rooms/vault/messages", olga, json("text", "the vault is open"))
        .bodyAsJsonObject().getLong("id");
    api.expect(201, "POST", "/api/rooms/vault/messages", pete, json("text", "noted").put("replyTo", said));
    api.expectError(404, 3004, "POST", "/api/rooms/vault/messages", pete, json("text", "?").put("replyTo", 999_999));
    api.expectError(404, 3001, "POST", "/api/rooms/vault/messages", quin, json("text", "let me in"));
    String message = "/api/rooms/vault/messages/" + said;
    api.expect(200, "PATCH", message, olga, json("text", "the vault is open, mind the door"));
    api.expectError(403, 2015, "PATCH", message, pete, json("text", "mine now"));
    api.expectError(400, 1105, "PATCH", "/api/rooms/vault/messages/abc", olga, json("text", "x"));
    api.expectError(404, 3004, "PATCH", "/api/rooms/vault/messages/999999", olga, json("text", "x"));
    String thumbs = message + "/reactions/%F0%9F%91%8D";
    assertEquals(1, api.expect(200, "PUT", thumbs, sam, null).bodyAsJsonObject().getInteger("count"));
    assertEquals(0, api.expect(200, "DELETE", thumbs, sam, null).bodyAsJsonObject().getInteger("count"));
    api.expectError(400, 1107, "PUT", message + "/reactions/x", olga, null);
    api.expectError(404, 3001, "DELETE", thumbs, quin, null);
    JsonArray history = api.expect(200, "GET", "/api/rooms/vault/messages", pete, null).bodyAsJsonObject()
        .getJsonArray("messages");
    assertEquals(said, history.getJsonObject(1).getJsonObject("replyTo").getLong("id"), history.encode());
    api.expectError(404, 3001, "GET", "/api/rooms/vault/messages", quin, null);

    api.expect(200, "PUT", "/api/rooms/vault/read", pete, json("id", said));
    api.expectError(400, 1105, "PUT", "/api/rooms/vault/read", pete, json("id", "latest"));
    api.expectError(404, 3001, "PUT", "/api/rooms/vault/read", quin, json("id", said));
    api.expect(200, "GET", "/api/unread", pete, null);
    api.expectError(401, 2001, "GET", "/api/unread", null, null);
    assertEquals(1, api.expect(200, "GET", "/api/search?q=vault", olga, null).bodyAsJsonObject().getJsonArray("messages").size());
    api.expect(200, "GET", "/api/search?q=vault&room=vault&limit=5&before=" + (said + 1), pete, null);
    api.expectError(400, 1108, "GET", "/api/search?q=x", olga, null);
    api.expectError(400, 1105, "GET", "/api/search?q=vault&limit=many", olga, null);
    api.expectError(404, 3001, "GET", "/api/search?q=vault&room=vault", quin, null);

    // moderation in a public room, by the operator
    api.expectError(403, 2011, "POST", "/api/rooms/general/mutes", pete, json("user", "u-quin").put("seconds", 60));
    api.expectError(400, 1109, "POST", "/api/rooms/general/mutes", admin, json("user", "u-quin").put("seconds", 0));
    api.expect(200, "POST", "/api/rooms/general/mutes", admin, json("user", "u-quin").put("seconds", 60));
    api.expectError(403, 2012, "POST", "/api/rooms/general/messages", quin, json("text", "hello?"));
    api.expect(200, "DELETE", "/api/rooms/general/mutes/u-quin", admin, null);
    api.expectError(403, 2011, "DELETE", "/api/rooms/general/mutes/u-quin", pete, null);
    api.expect(200, "POST", "/api/rooms/general/kicks", admin, json("user", "u-quin"));
    api.expectError(403, 2011, "POST", "/api/rooms/general/kicks", quin, json("user", "u-pete"));
    api.expect(200, "POST", "/api/rooms/general/bans", admin, json("user", "u-quin").put("reason", "testing"));
    api.expectError(403, 2013, "GET", "/api/rooms/general/messages", quin, null);
    api.expectError(403, 2011, "POST", "/api/rooms/general/bans", pete, json("user", "u-olga"));
    api.expect(200, "DELETE", "/api/rooms/general/bans/u-quin", admin, null);
    api.expectError(403, 2011, "DELETE", "/api/rooms/general/bans/u-quin", pete, null);
    api.expectError(403, 2015, "DELETE", "/api/rooms/general/messages/" + annsMessage, quin, null);

    // direct messages and preferences
    JsonObject dm = api.expect(201, "POST", "/api/dms", olga, json("user", "u-pete")).bodyAsJsonObject();
    assertEquals(true, dm.getBoolean("created"));
    assertEquals(false, api.expect(200, "POST", "/api/dms", pete, json("name", "olga")).bodyAsJsonObject().getBoolean("created"));
    api.expectError(400, 1109, "POST", "/api/dms", olga, json("user", "u-olga"));
    api.expectError(404, 3005, "POST", "/api/dms", olga, json("user", "u-nobody"));
    api.expectError(400, 1100, "POST", "/api/dms", olga, "[]");
    api.expectError(404, 3001, "GET", "/api/rooms/" + dm.getJsonObject("room").getString("id") + "/messages", quin, null);
    api.expect(200, "GET", "/api/dms", olga, null);
    api.expect(200, "GET", "/api/me/prefs", quin, null);
    api.expect(200, "PATCH", "/api/me/prefs", quin, json("dms", false));
    api.expectError(400, 1109, "PATCH", "/api/me/prefs", quin, json("dms", "no"));
    api.expectError(403, 2014, "POST", "/api/dms", olga, json("user", "u-quin"));
    api.expect(200, "PUT", "/api/me/blocks/u-olga", quin, null);
    api.expectError(404, 3005, "PUT", "/api/me/blocks/u-nobody", quin, null);
    api.expect(200, "DELETE", "/api/me/blocks/u-olga", quin, null);

    // archive, removal of a member, deletion
    api.expect(200, "PATCH", "/api/rooms/vault", olga, json("archived", true));
    api.expectError(409, 3006, "POST", "/api/rooms/vault/messages", pete, json("text", "anyone?"));
    api.expectError(409, 3006, "PATCH", message, olga, json("text", "too late"));
    api.expect(200, "PATCH", "/api/rooms/vault", olga, json("archived", false));
    api.expect(200, "DELETE", "/api/rooms/vault/messages/" + said, olga, null);
    api.expectError(400, 1105, "DELETE", "/api/rooms/vault/messages/-1", olga, null);
    api.expectError(403, 2011, "DELETE", members + "/u-olga", pete, null);
    api.expectError(403, 2011, "DELETE", "/api/rooms/vault", pete, null);
    api.expect(200, "DELETE", members + "/u-pete", olga, null);
    api.expectError(404, 3001, "GET", "/api/rooms/vault/messages", pete, null);
    api.expect(200, "DELETE", "/api/rooms/vault", olga, null);
    api.expectError(404, 3001, "DELETE", "/api/rooms/vault", olga, null);
  }

  private Set<String> documentedRoutes() {
    Set<String> out = new TreeSet<>();
    for (Operation op : contract.operations()) {
      out.add(op.getHttpMethod().name() + " " + op.getOpenAPIPath());
    }
    return out;
  }

  private void load() throws Exception {
    Map<String, Object> yaml = new Yaml().load(Files.readString(DOCUMENT));
    raw = new JsonObject(yaml);
    assertEquals("3.1.0", raw.getString("openapi"));
    // the validator refuses to load a document with a media type it cannot check (application/yaml of this
    // document's own route): it gets a copy without those, and expect() checks their content type itself
    JsonObject checkable = raw.copy();
    for (Object item : checkable.getJsonObject("paths")) {
      for (Object op : ((JsonObject) ((Map.Entry<?, ?>) item).getValue())) {
        if (((Map.Entry<?, ?>) op).getValue() instanceof JsonObject operation && operation.containsKey("responses")) {
          for (Object response : operation.getJsonObject("responses")) {
            if (((Map.Entry<?, ?>) response).getValue() instanceof JsonObject r && r.getJsonObject("content") != null) {
              r.getJsonObject("content").fieldNames().removeIf(type -> !MediaType.isMediaTypeSupported(type));
              if (r.getJsonObject("content").isEmpty()) {
                r.remove("content");
              }
            }
          }
        }
      }
    }
    Vertx vertx = service.vertx();
    contract = await(OpenAPIContract.from(vertx, checkable));
    validator = ResponseValidator.create(vertx, contract);
  }

  private static JsonObject json(String key, Object value) {
    return new JsonObject().put(key, value);
  }

  /** Requests to one service, each answer checked against the document. */
  private final class Api {
    private final WebClient web;

    Api(int port) {
      web = service.closeAfter(new AutoCloseableClient(WebClient.create(service.vertx(),
          new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)))).web;
    }

    HttpResponse<Buffer> send(String method, String uri, String token, Object body) {
      HttpRequest<Buffer> req = web.request(HttpMethod.valueOf(method), uri);
      if (token != null) {
        req.putHeader("Authorization", "Bearer " + token);
      }
      if (body == null) {
        return await(req.send());
      }
      return await(req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString())));
    }

    /** Sends the request, checks the status is {@code status} and the whole answer is as documented. */
    HttpResponse<Buffer> expect(int status, String method, String uri, String token, Object body) {
      HttpResponse<Buffer> res = send(method, uri, token, body);
      String what = method + " " + uri + " -> " + res.statusCode() + " " + abbreviated(res.bodyAsString());
      assertEquals(status, res.statusCode(), what);
      String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
      Operation op = contract.findOperation(path, HttpMethod.valueOf(method));
      assertNotNull(op, "undocumented route: " + what);
      check(res, op, what);
      covered.add(method + " " + op.getOpenAPIPath());
      return res;
    }

    /** {@link #expect}, and the error's code is {@code code}. */
    HttpResponse<Buffer> expectError(int status, int code, String method, String uri, String token, Object body) {
      HttpResponse<Buffer> res = expect(status, method, uri, token, body);
      assertEquals(code, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"), method + " " + uri);
      return res;
    }

    /**
     * A request no route of the document matches: answered with {@code status} and {@code code}, as
     * operation {@code like} documents that status (the document's info says such requests are answered
     * like that).
     */
    void expectUnrouted(int status, int code, String method, String uri, String token, String like) {
      HttpResponse<Buffer> res = send(method, uri, token, null);
      String what = method + " " + uri + " -> " + res.statusCode() + " " + abbreviated(res.bodyAsString());
      assertEquals(status, res.statusCode(), what);
      assertNull(contract.findOperation(uri, HttpMethod.valueOf(method)), "a documented route: " + what);
      check(res, contract.operation(like), what);
      assertEquals(code, res.bodyAsJsonObject().getJsonObject("error").getInteger("code"), what);
    }

    /** The answer is one {@code op} documents: status, headers, content type, body. */
    private void check(HttpResponse<Buffer> res, Operation op, String what) {
      String method = op.getHttpMethod().name();
      int status = res.statusCode();
      JsonObject documented = resolve(raw.getJsonObject("paths").getJsonObject(op.getOpenAPIPath())
          .getJsonObject(method.toLowerCase(java.util.Locale.ROOT)).getJsonObject("responses").getJsonObject(Integer.toString(status)));
      assertNotNull(documented, "undocumented status: " + what);
      String contentType = res.getHeader("Content-Type");
      List<String> unchecked = new ArrayList<>();
      JsonObject content = documented.getJsonObject("content", new JsonObject());
      content.fieldNames().forEach(type -> {
        if (!MediaType.isMediaTypeSupported(type)) {
          unchecked.add(type);
        }
      });
      if (!unchecked.isEmpty()) {
        assertTrue(unchecked.contains(contentType), "content type " + contentType + " documented as " + unchecked + ": " + what);
        assertTrue(res.body() != null && res.body().length() > 0, "a body: " + what);
      }
      Map<String, String> headers = new HashMap<>();
      res.headers().forEach(h -> headers.putIfAbsent(h.getKey(), h.getValue()));
      ValidatableResponse answer = unchecked.isEmpty() && res.body() != null && res.body().length() > 0
          // the media type without parameters: the validator knows application/json, not application/json;charset=UTF-8
          // (the health checks' spelling), which means the same
          ? ValidatableResponse.create(res.statusCode(), headers, res.body(), contentType == null ? null : contentType.split(";")[0].trim())
          : ValidatableResponse.create(res.statusCode(), headers);
      try {
        await(validator.validate(answer, op.getOperationId()));
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String detail = cause instanceof JsonSchemaValidationException s ? s.getMessage() + " at " + s.location()
            + (s.getCause() != null ? " (" + s.getCause() + ")" : "") : String.valueOf(cause);
        fail("not as documented: " + what + ": " + detail, e);
      }
    }
  }

  /** A response object, or the component it refers to. */
  private JsonObject resolve(JsonObject response) {
    if (response != null && response.getString("$ref") != null) {
      String ref = response.getString("$ref");
      JsonObject at = raw;
      for (String part : ref.substring(2).split("/")) {
        at = at.getJsonObject(part);
      }
      return at;
    }
    return response;
  }

  private static String abbreviated(String body) {
    return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
  }

  private record AutoCloseableClient(WebClient web) implements AutoCloseable {
    @Override
    public void close() {
      web.close();
    }
  }
}
