package dev.vertxchat.bridge;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ClusterConfig;
import dev.vertxchat.support.InProcessNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Moderation across two nodes of a cluster (in-process nodes over one database, {@link InProcessNode}): a kick
 * made on node A takes the room from the user's connection on node B at once (a {@code removed} envelope, then the
 * room hears {@code left}), and a mute made on A is enforced on B, whose access cache knew the room before.
 * Nothing is stored (each node's journal would allocate ids of its own): the posts tried here are typing notices
 * and refused sends.
 */
class ClusterModerationTest {
  @TempDir
  static Path dir;
  private static InProcessNode a;
  private static InProcessNode b;
  private final List<BridgeClient> clients = new ArrayList<>();

  @BeforeAll
  static void startTwoNodes() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    Path shared = Files.createDirectory(dir.resolve("shared"));
    JsonObject config = new JsonObject().put("admin", new JsonObject().put("port", -1))
        .put("limits", new JsonObject().put("typingPerSecond", 1000));
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
    clients.clear();
  }

  private BridgeClient connect(InProcessNode node, JsonObject session, Transport transport) {
    BridgeClient client = BridgeClient.connect(node.vertx, node.port, session.getString("token"), transport);
    clients.add(client);
    return client;
  }

  private static String id(JsonObject session) {
    return session.getJsonObject("user").getString("id");
  }

  private static JsonObject ok(BridgeClient client, String address, JsonObject request) {
    JsonObject reply = client.request(address, request);
    assertEquals("message", reply.getString("type"), () -> address + " " + request.encode() + ": " + reply.encode());
    return body(reply);
  }

  @Test
  void aKickOnOneNodeTakesTheRoomFromTheUsersConnectionOnTheOther() {
    JsonObject owner = a.http.guest("owner");
    BridgeClient onA = connect(a, owner, Transport.RAW);
    ok(onA, "chat.rooms.create", new JsonObject().put("id", "across"));
    onA.join("across", id(owner));
    JsonObject guest = b.http.guest("visitor");
    BridgeClient onB = connect(b, guest, Transport.SOCKJS_WEBSOCKET);
    onB.join("across", id(guest));
    onA.awaitFrame(f -> "join".equals(bodyType(f)) && id(guest).equals(body(f).getJsonObject("user").getString("id")));

    ok(onA, "chat.members.kick", new JsonObject().put("room", "across").put("user", id(guest)));
    JsonObject removed = onB.awaitFrame(f -> "removed".equals(bodyType(f)));
    assertEquals("chat.room.across", removed.getString("address"));
    assertEquals("kicked", body(removed).getString("reason"));
    onA.awaitFrame(f -> "left".equals(bodyType(f)) && id(guest).equals(body(f).getJsonObject("user").getString("id")));
    JsonObject refused = onB.request("chat.typing", new JsonObject().put("room", "across"));
    assertEquals(ErrorCodes.NOT_JOINED, refused.getInteger("failureCode"), refused.encode());
  }

  @Test
  void aMuteOnOneNodeIsEnforcedOnTheOther() throws InterruptedException {
    JsonObject owner = a.http.guest("owner");
    BridgeClient onA = connect(a, owner, Transport.RAW);
    ok(onA, "chat.rooms.create", new JsonObject().put("id", "quiet"));
    JsonObject guest = b.http.guest("talker");
    BridgeClient onB = connect(b, guest, Transport.XHR_STREAMING);
    onB.join("quiet", id(guest));
    ok(onB, "chat.typing", new JsonObject().put("room", "quiet")); // node B's access cache knows the room now

    ok(onA, "chat.members.mute", new JsonObject().put("room", "quiet").put("user", id(guest)).put("seconds", 600));
    // the change reaches B by a publication: B refuses from the moment it arrived (bounded wait, no fixed sleep)
    int code = 0;
    for (int i = 0; i < 50 && code != ErrorCodes.MUTED; i++) {
      JsonObject reply = onB.request("chat.typing", new JsonObject().put("room", "quiet"));
      code = "err".equals(reply.getString("type")) ? reply.getInteger("failureCode") : 0;
      if (code != ErrorCodes.MUTED) {
        Thread.sleep(100);
      }
    }
    assertEquals(ErrorCodes.MUTED, code, "the mute made on node A did not reach node B within 5 s");
    JsonObject send = onB.request("chat.send", new JsonObject().put("room", "quiet").put("text", "shh"));
    assertEquals(ErrorCodes.MUTED, send.getInteger("failureCode"), send.encode());
    assertTrue(send.getString("message").contains("until"), send.getString("message"));
  }
}
