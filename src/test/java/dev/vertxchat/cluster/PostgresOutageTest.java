package dev.vertxchat.cluster;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.Http;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL stopped under two clustered nodes and started again: while it is down sends fail with 5001 (bridge and
 * REST), nothing is acknowledged that is not committed, {@code /health/ready} is 503 with {@code database} DOWN;
 * once it is back the nodes recover by themselves (sends acknowledged, ready 200), without a restart.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PostgresOutageTest {
  private static final int NODES = 2;
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
  void sendsFailWith5001WhileTheDatabaseIsDownAndTheNodesRecoverByThemselves() throws Exception {
    Postgres.Server database = closeAfter(Postgres.Server.start());
    ServiceCluster cluster = closeAfter(ServiceCluster.start(tmp, NODES, database.freshDatabaseUrl(),
        new JsonObject().put("limits", new JsonObject().put("messagesPerSecond", 1000).put("messageBurst", 1000))));
    Vertx vertx = Vertx.vertx();
    closeAfter(() -> vertx.close().await());
    List<Http> https = new ArrayList<>();
    List<BridgeClient> clients = new ArrayList<>();
    String token = null;
    for (int node = 0; node < NODES; node++) {
      Http http = new Http(vertx, cluster.port(node));
      closeAfter(http::close);
      https.add(http);
      JsonObject session = http.guest("n" + node);
      if (token == null) {
        token = session.getString("token");
        HttpResponse<Buffer> created = http.post("/api/rooms", token, new JsonObject().put("id", "outage"));
        assertEquals(201, created.statusCode(), created.bodyAsString());
      }
      BridgeClient c = closeAfter(BridgeClient.connect(vertx, cluster.port(node), session.getString("token"),
          node == 0 ? Transport.RAW : Transport.XHR_STREAMING));
      c.join("outage", session.getJsonObject("user").getString("id"));
      clients.add(c);
    }
    List<Long> acked = new ArrayList<>();
    int[] sent = {0};
    for (BridgeClient c : clients) {
      JsonObject reply = send(c, sent);
      assertEquals("message", reply.getString("type"), reply.encode());
      acked.add(body(reply).getLong("id"));
    }

    database.stop();
    for (BridgeClient c : clients) {
      JsonObject refused = null;
      for (int attempt = 0; attempt < 50 && refused == null; attempt++) {
        JsonObject reply = send(c, sent);
        if ("message".equals(reply.getString("type"))) {
          acked.add(body(reply).getLong("id")); // accepted before the pool noticed: it must be in the history
        } else {
          refused = reply;
        }
      }
      assertTrue(refused != null, "a send fails while the database is down");
      assertEquals(ErrorCodes.UNAVAILABLE, refused.getInteger("failureCode"), refused.encode());
    }
    for (int node = 0; node < NODES; node++) {
      HttpResponse<Buffer> rest = https.get(node).post("/api/rooms/outage/messages", token, new JsonObject().put("text", "rest"));
      assertEquals(503, rest.statusCode(), rest.bodyAsString());
      assertEquals(ErrorCodes.UNAVAILABLE, Http.errorCode(rest));
      awaitDatabaseDown(cluster, node);
    }

    database.restart();
    long restartedAt = System.nanoTime();
    for (int node = 0; node < NODES; node++) {
      BridgeClient c = clients.get(node);
      long deadline = System.currentTimeMillis() + 60_000;
      JsonObject reply;
      do {
        assertTrue(System.currentTimeMillis() < deadline, "node " + node + " accepts sends again within 60 s");
        reply = send(c, sent);
        if (!"message".equals(reply.getString("type"))) {
          assertEquals(ErrorCodes.UNAVAILABLE, reply.getInteger("failureCode"), reply.encode());
          Thread.sleep(200);
        }
      } while (!"message".equals(reply.getString("type")));
      acked.add(body(reply).getLong("id"));
      System.out.println("FIGURE node " + node + " acknowledged a send " + (System.nanoTime() - restartedAt) / 1_000_000
          + " ms after PostgreSQL was back");
      cluster.awaitReady(node, 60_000);
    }
    for (int node = 0; node < NODES; node++) {
      List<Long> history = cluster.historyIds(node, "outage", token);
      assertTrue(Set.copyOf(history).containsAll(acked), "node " + node + ": every acknowledged message is stored: "
          + acked + " in " + history);
    }
  }

  private static JsonObject send(BridgeClient c, int[] sent) {
    return c.request("chat.send", new JsonObject().put("room", "outage").put("text", "m" + sent[0]++));
  }

  /** Waits (20 s at most) until node {@code node}'s ready check is 503 with the database check DOWN. */
  private static void awaitDatabaseDown(ServiceCluster cluster, int node) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      java.net.http.HttpResponse<String> r = cluster.ready(node);
      if (r != null && r.statusCode() == 503 && databaseDown(new JsonObject(r.body()))) {
        return;
      }
      assertTrue(System.currentTimeMillis() < deadline, "node " + node + " ready: "
          + (r == null ? "no answer" : r.statusCode() + " " + r.body()));
      Thread.sleep(100);
    }
  }

  private static boolean databaseDown(JsonObject report) {
    return report.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .anyMatch(c -> "database".equals(c.getString("id")) && "DOWN".equals(c.getString("status")));
  }
}
