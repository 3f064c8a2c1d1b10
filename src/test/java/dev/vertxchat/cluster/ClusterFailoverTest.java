package dev.vertxchat.cluster;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Nginx;
import dev.vertxchat.support.NodeChatClient;
import dev.vertxchat.support.Postgres;
import dev.vertxchat.support.ServiceCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of one of three nodes behind the real nginx while the official client (raw WebSocket, SockJS websocket,
 * xhr-streaming, xhr-polling) sends continuously: the killed node's clients reconnect through nginx and catch up
 * within 3 s, every client's view ends equal to the history (nothing acknowledged missing, nothing twice, same
 * order), a user connected only to the killed node is reported {@code left} within 5 s, and the node, started
 * again on its port, rejoins the cluster and serves clients.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterFailoverTest {
  static final JsonObject CONFIG = new JsonObject()
      .put("http", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1")))
      .put("limits", new JsonObject().put("messagesPerSecond", 1000).put("messageBurst", 1000));
  /** The official client over each transport, twice over SockJS's websocket and xhr-polling. */
  static final List<String> TRANSPORTS = List.of("raw", "websocket", "xhr-streaming", "xhr-polling", "websocket", "xhr-polling");

  @TempDir
  Path tmp;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeAfter(T resource) {
    resources.add(resource);
    return resource;
  }

  @Test
  void aKilledNodesClientsReconnectThroughNginxAndLoseNothing() throws Exception {
    NodeChatClient.require();
    Nginx.require();
    ServiceCluster cluster = closeAfter(ServiceCluster.start(tmp, 3, Postgres.freshDatabaseUrl(), CONFIG));
    Nginx nginx = closeAfter(Nginx.start(cluster.ports()));
    Vertx vertx = Vertx.vertx();
    closeAfter(() -> vertx.close().await());
    Http viaNginx = new Http(vertx, nginx.port());
    closeAfter(viaNginx::close);

    JsonObject owner = viaNginx.guest("owner");
    String token = owner.getString("token");
    String room = "failover";
    HttpResponse<Buffer> created = viaNginx.post("/api/rooms", token, new JsonObject().put("id", room));
    assertEquals(201, created.statusCode(), created.bodyAsString());

    ProxiedSenders senders = closeAfter(ProxiedSenders.start(cluster, nginx, viaNginx, room, token, TRANSPORTS, 20));
    Map<Integer, List<ProxiedSenders.Client>> byNode = senders.awaitConnected();
    int victim = byNode.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size())).orElseThrow().getKey();
    int survivor = (victim + 1) % 3;

    // a user connected only to the victim, who will not reconnect, and a watcher on another node
    JsonObject watcherSession = new Http(vertx, cluster.port(survivor)).guest("watcher");
    BridgeClient watcher = closeAfter(BridgeClient.connect(vertx, cluster.port(survivor), watcherSession.getString("token"),
        Transport.RAW));
    watcher.join(room, watcherSession.getJsonObject("user").getString("id"));
    JsonObject lone = new Http(vertx, cluster.port(victim)).guest("lone");
    String loneId = lone.getJsonObject("user").getString("id");
    BridgeClient loneClient = closeAfter(BridgeClient.connect(vertx, cluster.port(victim), lone.getString("token"), Transport.RAW));
    loneClient.join(room, loneId);
    watcher.awaitFrame(f -> presence(f, room, "join", loneId));

    senders.awaitHistory(survivor, 60);
    System.out.println("FIGURE kill at " + java.time.Instant.now());
    long killedAt = System.nanoTime();
    cluster.kill(victim);
    watcher.awaitFrame(f -> presence(f, room, "left", loneId));
    long leftMs = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.println("FIGURE left-after-kill-ms=" + leftMs + " (victim node " + victim + " had "
        + byNode.get(victim).stream().map(ProxiedSenders.Client::name).toList() + ")");
    assertTrue(leftMs < 5_000, "the killed node's user reported left after " + leftMs + " ms");
    int before = cluster.historyIds(survivor, room, token).size();
    senders.awaitHistory(survivor, before + 60); // the clients go on sending through the two others

    System.out.println("FIGURE restart at " + java.time.Instant.now());
    cluster.restart(victim);
    System.out.println("FIGURE restarted at " + java.time.Instant.now());
    for (int i = 0; i < 3; i++) {
      assertEquals(3, cluster.members(i), "node " + i + " sees 3 members");
      assertEquals(200, cluster.ready(i).statusCode(), "node " + i + " ready");
    }
    // the restarted node serves: a client on it joins, sends, and gets the room's messages
    JsonObject late = new Http(vertx, cluster.port(victim)).guest("late");
    BridgeClient lateClient = closeAfter(BridgeClient.connect(vertx, cluster.port(victim), late.getString("token"),
        Transport.SOCKJS_WEBSOCKET));
    lateClient.join(room, late.getJsonObject("user").getString("id"));
    JsonObject reply = lateClient.request("chat.send", new JsonObject().put("room", room).put("text", "after the restart"));
    assertEquals("message", reply.getString("type"), reply.encode());
    long lateId = body(reply).getLong("id");
    lateClient.awaitFrame(f -> "chat".equals(bodyType(f)) && body(f).getLong("id") == lateId);
    before = cluster.historyIds(survivor, room, token).size();
    senders.awaitHistory(victim, before + 20);

    Map<ProxiedSenders.Client, NodeChatClient.Result> results = senders.end();
    System.out.println("FIGURE failover clients:\n" + ProxiedSenders.summary(results));
    // 4001 "too many requests awaiting a reply": the client sends on while the cluster settles and acks wait (its
    // own cap of 100 pending requests); such sends are refused, not acknowledged, so they cannot be lost
    List<Long> history = senders.verify(results, Set.of(ErrorCodes.RATE_LIMITED));
    List<Long> reconnects = new ArrayList<>();
    for (ProxiedSenders.Client c : byNode.get(victim)) {
      NodeChatClient.Result r = results.get(c);
      assertTrue(r.outages() >= 1, c.name() + " was on the killed node\n" + c.process().log());
      reconnects.addAll(r.reconnectMs());
    }
    results.forEach((c, r) -> r.reconnectMs().forEach(ms ->
        assertTrue(ms < 3_000, c.name() + ": reconnect and catch-up took " + ms + " ms\n" + c.process().log())));
    System.out.println("FIGURE failover reconnect+catch-up ms=" + reconnects + ", messages=" + history.size()
        + ", per client acked=" + results.values().stream().map(r -> r.acked().size()).toList()
        + ", unknown=" + results.values().stream().map(NodeChatClient.Result::unknown).toList());
    assertFalse(reconnects.isEmpty(), "the killed node's clients reconnected");
  }

  static boolean presence(JsonObject frame, String room, String type, String userId) {
    return ("chat.room." + room).equals(frame.getString("address")) && type.equals(bodyType(frame))
        && body(frame).getJsonObject("user") != null && userId.equals(body(frame).getJsonObject("user").getString("id"));
  }
}
