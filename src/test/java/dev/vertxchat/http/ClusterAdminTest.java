package dev.vertxchat.http;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ClusterConfig;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.InProcessNode;
import dev.vertxchat.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.yaml.snakeyaml.Yaml;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin state two nodes of a cluster share (in-process nodes over one database, {@link InProcessNode}):
 * a ban on one node closes the user's connections on the other with 4401 on every transport and the other
 * refuses their tokens; sign-in settings changed on one apply on the other; the connection list of one
 * node holds the other's, and says which nodes did not answer; a room created on one node can be joined
 * on the other at once, even right after the other found it missing; a room deleted on one is forgotten
 * by the other; concurrent creates on both nodes take the cluster-wide lock (one quota).
 */
class ClusterAdminTest {
  private static final String ADMIN = "u-admin";

  @TempDir
  static Path dir;
  private static ClusterConfig cluster;
  private static InProcessNode a;
  private static InProcessNode b;
  private final List<BridgeClient> clients = new ArrayList<>();

  @BeforeAll
  static void startTwoNodes() throws Exception {
    cluster = ClusterConfig.create(dir);
    Path shared = Files.createDirectory(dir.resolve("shared"));
    JsonObject config = new JsonObject().put("admin", new JsonObject().put("users", new JsonArray().add(ADMIN)).put("port", -1))
        .put("limits", new JsonObject().put("roomsPerUser", 1));
    a = InProcessNode.start(cluster, shared, dir, config);
    b = InProcessNode.start(cluster, shared, dir, config);
    assertEquals(2, a.node.nodes().size());
  }

  @AfterAll
  static void stopNodes() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(BridgeClient::close);
  }

  private BridgeClient connect(InProcessNode node, String token, Transport transport) {
    BridgeClient client = BridgeClient.connect(node.vertx, node.port, token, transport);
    clients.add(client);
    return client;
  }

  private static String admin() {
    return Tokens.expiringIn(a.vertx, ADMIN, "Admin", 600);
  }

  private static String id(JsonObject session) {
    return session.getJsonObject("user").getString("id");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aBanOnOneNodeClosesTheUsersConnectionsOnTheOtherWith4401AndItRefusesTheirTokens(Transport transport) {
    JsonObject gina = b.http.guest("Gina");
    String id = id(gina);
    BridgeClient target = connect(b, gina.getString("token"), transport);
    BridgeClient onA = connect(a, gina.getString("token"), Transport.RAW);
    BridgeClient bystander = connect(b, b.http.guestToken("Hugo"), transport);
    target.request("chat.presence", new JsonObject().put("room", "general"));
    onA.request("chat.presence", new JsonObject().put("room", "general"));

    assertEquals(200, a.http.send(HttpMethod.PUT, "/api/admin/bans/" + id, admin(), new JsonObject().put("reason", "spam"))
        .statusCode());
    assertEquals(CloseCodes.BANNED, target.awaitClose(), "closed on the other node over " + transport);
    if (transport != Transport.RAW) {
      assertEquals(CloseCodes.BANNED, target.closeFrameCode());
    }
    assertEquals(CloseCodes.BANNED, onA.awaitClose());
    bystander.request("chat.presence", new JsonObject().put("room", "general"));
    assertFalse(bystander.isClosed());
    // the other node refuses the user's token at once, and lists the ban
    assertEquals(ErrorCodes.BANNED, Http.errorCode(b.http.get("/api/me", gina.getString("token"))));
    assertEquals(403, b.http.get("/eventbus/info?token=" + gina.getString("token"), null).statusCode());
    assertTrue(b.http.get("/api/admin/bans", admin()).bodyAsJsonObject().getJsonArray("bans").stream()
        .anyMatch(ban -> id.equals(((JsonObject) ban).getString("user"))));

    // an unban on the other node applies on the first at once
    assertEquals(204, b.http.send(HttpMethod.DELETE, "/api/admin/bans/" + id, admin(), null).statusCode());
    assertEquals(200, a.http.get("/api/me", gina.getString("token")).statusCode());
    assertFalse(a.bans().banned(id));
  }

  @Test
  void signInSettingsChangedOnOneNodeApplyOnTheOther() {
    try {
      JsonObject off = new JsonObject().put("guestSignIn", false);
      assertEquals(200, a.http.send(HttpMethod.PATCH, "/api/admin/settings", admin(), off).statusCode());
      assertEquals(ErrorCodes.GUESTS_DISABLED, Http.errorCode(b.http.post("/api/auth/guest", null, new JsonObject().put("name", "Ivy"))));
      assertFalse(b.http.get("/api/admin/settings", admin()).bodyAsJsonObject().getBoolean("guestSignIn"));
    } finally {
      JsonObject on = new JsonObject().put("guestSignIn", true);
      assertEquals(200, b.http.send(HttpMethod.PATCH, "/api/admin/settings", admin(), on).statusCode());
    }
    assertEquals(200, a.http.post("/api/auth/guest", null, new JsonObject().put("name", "Ivy")).statusCode());
  }

  @Test
  void theConnectionListOfOneNodeHoldsEveryNodesAndADisconnectReachesThem() throws Exception {
    JsonObject jo = a.http.guest("Jo");
    JsonObject kim = b.http.guest("Kim");
    connect(a, jo.getString("token"), Transport.RAW).request("chat.presence", new JsonObject().put("room", "general"));
    BridgeClient kimOnB = connect(b, kim.getString("token"), Transport.XHR_STREAMING);
    kimOnB.request("chat.presence", new JsonObject().put("room", "general"));

    JsonObject listed = documented("adminConnections", a.http.get("/api/admin/connections", admin()));
    assertEquals(new JsonObject().put("answered", 2).put("missing", 0), listed.getJsonObject("nodes"));
    assertEquals(a.node.nodeId(), nodeOf(listed, id(jo)));
    assertEquals(b.node.nodeId(), nodeOf(listed, id(kim)));
    JsonObject online = documented("adminUsersOnline", b.http.get("/api/admin/users/online", admin()));
    assertTrue(online.getJsonArray("users").stream().anyMatch(u -> id(new JsonObject().put("user", u)).equals(id(jo))));

    JsonObject answer = documented("adminDisconnect", a.http.post("/api/admin/users/" + id(kim) + "/disconnect", admin(), ""));
    assertEquals(1, answer.getInteger("closed"));
    assertEquals(2, answer.getJsonObject("nodes").getInteger("answered"));
    assertEquals(CloseCodes.DISCONNECTED, kimOnB.awaitClose());

    // a member of the cluster that does not answer (no service on it) is reported, not a failure
    Vertx silent = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    try {
      assertEquals(3, a.node.nodes().size());
      JsonObject partial = documented("adminConnections", b.http.get("/api/admin/connections", admin()));
      assertEquals(new JsonObject().put("answered", 2).put("missing", 1), partial.getJsonObject("nodes"));
      assertEquals(a.node.nodeId(), nodeOf(partial, id(jo)));
    } finally {
      silent.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** The answer's body, once it is checked against docs/openapi.yaml (as OpenApiContractTest checks a single process's). */
  @SuppressWarnings("unchecked")
  private static JsonObject documented(String operationId, HttpResponse<Buffer> res) throws Exception {
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject document = new JsonObject((Map<String, Object>) new Yaml().load(Files.readString(Path.of("docs/openapi.yaml"))));
    // the validator loads only media types it can check (not the document's own application/yaml)
    document.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(op -> {
      if (op.getValue() instanceof JsonObject operation && operation.containsKey("responses")) {
        operation.getJsonObject("responses").forEach(r -> {
          if (r.getValue() instanceof JsonObject response && response.getJsonObject("content") != null) {
            response.getJsonObject("content").fieldNames().removeIf(type -> !MediaType.isMediaTypeSupported(type));
          }
        });
      }
    }));
    ResponseValidator validator = ResponseValidator.create(a.vertx, await(OpenAPIContract.from(a.vertx, document)));
    Map<String, String> headers = new HashMap<>();
    res.headers().forEach(h -> headers.putIfAbsent(h.getKey(), h.getValue()));
    await(validator.validate(ValidatableResponse.create(200, headers, res.body(), "application/json"), operationId));
    return res.bodyAsJsonObject();
  }

  private static String nodeOf(JsonObject listing, String user) {
    return listing.getJsonArray("connections").stream().map(JsonObject.class::cast)
        .filter(c -> user.equals(c.getJsonObject("user").getString("id")))
        .map(c -> c.getString("node")).findFirst().orElse(null);
  }

  @Test
  void aRoomCreatedOnOneNodeCanBeJoinedOnTheOtherAtOnceAndADeletedOneIsForgottenEverywhere() {
    JsonObject lea = b.http.guest("Lea");
    String token = lea.getString("token");
    BridgeClient onB = connect(b, token, Transport.RAW);
    // B looks for the room before it exists
    onB.register("chat.room.late-room");
    JsonObject missing = onB.awaitFrame(f -> "err".equals(f.getString("type")) && "chat.room.late-room".equals(f.getString("address")));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, missing.getInteger("failureCode"));

    assertEquals(201, a.http.post("/api/rooms", token, new JsonObject().put("id", "late-room")).statusCode());
    BridgeClient member = connect(b, token, Transport.SOCKJS_WEBSOCKET);
    member.join("late-room", id(lea));

    assertEquals(204, a.http.send(HttpMethod.DELETE, "/api/admin/rooms/late-room", admin(), null).statusCode());
    JsonObject deleted = BridgeClient.body(member.awaitFrame(f -> "room.deleted".equals(BridgeClient.bodyType(f))));
    assertEquals("late-room", deleted.getString("room"));
    // B forgot it: a new join there is refused at once (B knew the room before the delete)
    BridgeClient again = connect(b, token, Transport.RAW);
    again.register("chat.room.late-room");
    JsonObject refused = again.awaitFrame(f -> "err".equals(f.getString("type")) && "chat.room.late-room".equals(f.getString("address")));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, refused.getInteger("failureCode"));
    assertEquals(404, b.http.get("/api/rooms/late-room/messages", token).statusCode());
  }

  @Test
  void roomCreatesOnBothNodesAtOnceCountTheQuotaOnce() throws Exception {
    String token = a.http.guestToken("Max");
    List<java.util.concurrent.CompletableFuture<Integer>> creates = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      InProcessNode node = i % 2 == 0 ? a : b;
      String room = "quota-" + i;
      creates.add(java.util.concurrent.CompletableFuture.supplyAsync(
          () -> node.http.post("/api/rooms", token, new JsonObject().put("id", room)).statusCode()));
    }
    List<Integer> statuses = new ArrayList<>();
    for (var create : creates) {
      statuses.add(create.get(30, TimeUnit.SECONDS));
    }
    assertEquals(1, statuses.stream().filter(s -> s == 201).count(), "limits.roomsPerUser 1 over two nodes: " + statuses);
  }
}
