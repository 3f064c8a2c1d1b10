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
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart of three nodes behind the real nginx: each node in turn gets SIGTERM (it drains and stops by
 * itself) and is started again on its port while the official client sends through nginx over every transport;
 * nothing acknowledged is lost, nothing is stored twice, every client's view ends equal to the history.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RollingRestartTest {
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
  void restartingEveryNodeInTurnLosesNothing() throws Exception {
    NodeChatClient.require();
    Nginx.require();
    ServiceCluster cluster = closeAfter(ServiceCluster.start(tmp, 3, Postgres.freshDatabaseUrl(), ClusterFailoverTest.CONFIG));
    Nginx nginx = closeAfter(Nginx.start(cluster.ports()));
    Vertx vertx = Vertx.vertx();
    closeAfter(() -> vertx.close().await());
    Http viaNginx = new Http(vertx, nginx.port());
    closeAfter(viaNginx::close);

    String token = viaNginx.guestToken("owner");
    String room = "rolling";
    HttpResponse<Buffer> created = viaNginx.post("/api/rooms", token, new JsonObject().put("id", room));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    ProxiedSenders senders = closeAfter(ProxiedSenders.start(cluster, nginx, viaNginx, room, token,
        ClusterFailoverTest.TRANSPORTS, 20));
    senders.awaitConnected();
    senders.awaitHistory(0, 40);

    List<Integer> exits = new ArrayList<>();
    List<Boolean> stoppedCleanly = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      exits.add(cluster.stop(node));
      stoppedCleanly.add(cluster.node(node).output().contains("vertx-chat stopped in"));
      int other = (node + 1) % 3;
      int before = cluster.historyIds(other, room, token).size();
      senders.awaitHistory(other, before + 20); // the clients go on through the other two
      cluster.restart(node);
      before = cluster.historyIds(node, room, token).size();
      senders.awaitHistory(node, before + 20);
    }
    assertEquals(List.of(143, 143, 143), exits, "each node ended as the JVM does after SIGTERM (128 + 15)");
    for (int node = 0; node < 3; node++) {
      assertTrue(stoppedCleanly.get(node), "node " + node + " logged 'vertx-chat stopped in'");
    }
    for (int node = 0; node < 3; node++) {
      assertEquals(3, cluster.members(node), "node " + node + " sees 3 members");
    }

    // every node serves after its restart: a client on each gets a message sent on another
    JsonObject probe = viaNginx.guest("probe");
    List<BridgeClient> probes = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      BridgeClient c = closeAfter(BridgeClient.connect(vertx, cluster.port(node), probe.getString("token"), Transport.RAW));
      c.register("chat.room." + room);
      assertEquals("message", c.request("chat.presence", new JsonObject().put("room", room)).getString("type"));
      probes.add(c);
    }
    JsonObject reply = probes.get(0).request("chat.send", new JsonObject().put("room", room).put("text", "probe"));
    assertEquals("message", reply.getString("type"), reply.encode());
    long id = body(reply).getLong("id");
    for (BridgeClient c : probes) {
      c.awaitFrame(f -> "chat".equals(bodyType(f)) && body(f).getLong("id") == id);
    }

    Map<ProxiedSenders.Client, NodeChatClient.Result> results = senders.end();
    System.out.println("FIGURE rolling restart clients:\n" + ProxiedSenders.summary(results));
    // 5001: a send that reached a node while it drained is refused (nothing stored); 4001: the client's own cap of
    // 100 requests awaiting a reply while acks wait for the cluster to settle (refused, nothing stored)
    List<Long> history = senders.verify(results, Set.of(ErrorCodes.UNAVAILABLE, ErrorCodes.RATE_LIMITED));
    assertTrue(results.values().stream().mapToInt(NodeChatClient.Result::outages).sum() >= 1,
        "the restarts closed clients' connections");
    System.out.println("FIGURE rolling restart messages=" + history.size());
  }
}
