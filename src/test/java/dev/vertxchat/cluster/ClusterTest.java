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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes as child processes on one PostgreSQL database ({@link ServiceCluster}), shared by the tests of this
 * class: a room spans the nodes (concurrent senders on every node over every transport, every subscriber gets every
 * message once in the history's order), presence is cluster-wide, rooms and accounts are the same from every node,
 * and the per-user message rate holds across nodes. Longer than 300 lines because the tests share one cluster,
 * which takes longer to start than they take to run.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterTest {
  private static final int NODES = 3;
  private static final int RATE = 5;
  private static final int BURST = 30;
  /** A burst each user of the delivery test stays within, the rate test's user exceeds from three nodes. */
  private static final JsonObject CONFIG = new JsonObject()
      .put("limits", new JsonObject().put("messagesPerSecond", RATE).put("messageBurst", BURST));

  @TempDir
  static Path tmp;
  private static ServiceCluster cluster;
  private static Vertx vertx;
  private static final List<Http> https = new ArrayList<>();
  private final List<BridgeClient> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    String url = Postgres.freshDatabaseUrl();
    cluster = ServiceCluster.start(tmp, NODES, url, CONFIG);
    vertx = Vertx.vertx();
    for (int i = 0; i < NODES; i++) {
      https.add(new Http(vertx, cluster.port(i)));
    }
  }

  @AfterAll
  static void stopCluster() {
    https.forEach(Http::close);
    if (vertx != null) {
      vertx.close().await();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(c -> {
      try {
        c.close();
      } catch (RuntimeException | AssertionError ignored) {
        // already closed by the test or the server
      }
    });
  }

  private BridgeClient connect(int node, String token, Transport transport) {
    BridgeClient c = BridgeClient.connect(vertx, cluster.port(node), token, transport);
    clients.add(c);
    return c;
  }

  private static String newRoom(int node, String token) {
    String room = "r-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<Buffer> created = https.get(node).post("/api/rooms", token, new JsonObject().put("id", room));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    return room;
  }

  private static String userId(JsonObject session) {
    return session.getJsonObject("user").getString("id");
  }

  @Test
  void everySubscriberOnEveryNodeGetsEveryMessageOnceInTheHistorysOrder() throws Exception {
    int perClient = 10;
    record Sender(BridgeClient client, String name) {
    }
    List<Sender> senders = new ArrayList<>();
    String room = null;
    String token = null;
    for (int node = 0; node < NODES; node++) {
      for (Transport transport : Transport.values()) {
        String name = "n" + node + "-" + transport.name().toLowerCase().replace('_', '-');
        JsonObject session = https.get(node).guest(name);
        if (room == null) {
          token = session.getString("token");
          room = newRoom(node, token);
        }
        BridgeClient c = connect(node, session.getString("token"), transport);
        c.join(room, userId(session));
        senders.add(new Sender(c, name));
      }
    }
    String theRoom = room;
    ExecutorService pool = Executors.newFixedThreadPool(senders.size());
    List<Long> acked = Collections.synchronizedList(new ArrayList<>());
    try {
      List<Future<?>> sends = new ArrayList<>();
      for (Sender s : senders) {
        sends.add(pool.submit(() -> {
          for (int k = 0; k < perClient; k++) {
            JsonObject reply = s.client().request("chat.send", new JsonObject().put("room", theRoom).put("text", s.name() + "-" + k));
            assertEquals("message", reply.getString("type"), s.name() + ": " + reply.encode());
            acked.add(body(reply).getLong("id"));
          }
          return null;
        }));
      }
      for (Future<?> f : sends) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int total = senders.size() * perClient;
    assertEquals(total, Set.copyOf(acked).size(), "every send acknowledged with its own id");

    List<List<Long>> histories = new ArrayList<>();
    for (int node = 0; node < NODES; node++) {
      histories.add(cluster.historyIds(node, room, token));
    }
    List<Long> history = histories.get(0);
    assertEquals(total, history.size(), "the history holds every message");
    assertEquals(Set.copyOf(acked), Set.copyOf(history), "the history holds exactly the acknowledged messages");
    assertStrictlyIncreasing(history, "history");
    for (int node = 1; node < NODES; node++) {
      assertEquals(history, histories.get(node), "the history read from node " + node);
    }
    for (Sender s : senders) {
      s.client().awaitFrames(total, f -> ("chat.room." + theRoom).equals(f.getString("address")) && "chat".equals(bodyType(f)));
      List<Long> view = s.client().chats(room).stream().map(m -> m.getLong("id")).toList();
      assertEquals(history, view, s.name() + " received every message once, in the history's order");
    }
  }

  @Test
  void presenceIsClusterWide() {
    JsonObject first = https.get(0).guest("watcher-one");
    JsonObject second = https.get(2).guest("watcher-two");
    String room = newRoom(0, first.getString("token"));
    BridgeClient watcher1 = connect(1, first.getString("token"), Transport.RAW);
    watcher1.join(room, userId(first));
    BridgeClient watcher2 = connect(2, second.getString("token"), Transport.SOCKJS_WEBSOCKET);
    watcher2.join(room, userId(second));

    JsonObject wanderer = https.get(0).guest("wanderer");
    String id = userId(wanderer);
    BridgeClient onNode0 = connect(0, wanderer.getString("token"), Transport.RAW);
    onNode0.join(room, id);
    for (BridgeClient w : List.of(watcher1, watcher2)) {
      w.awaitFrame(f -> isPresence(f, room, "join", id));
    }
    // a second connection, on another node: the user is there already, so no second join
    BridgeClient onNode1 = connect(1, wanderer.getString("token"), Transport.RAW);
    onNode1.register("chat.room." + room);
    Set<String> everyone = Set.of(userId(first), userId(second), id);
    for (int node = 0; node < NODES; node++) {
      assertEquals(List.copyOf(sorted(everyone)), presence(onNode1, room, node), "chat.presence through node " + node);
    }

    onNode0.close(); // still connected on node 1: not left
    for (int node = 0; node < NODES; node++) {
      assertEquals(List.copyOf(sorted(everyone)), presence(watcher1, room, node), "after one of two connections closed");
    }
    onNode1.close(); // the last one anywhere: left, once
    for (BridgeClient w : List.of(watcher1, watcher2)) {
      w.awaitFrame(f -> isPresence(f, room, "left", id));
      assertEquals(1, w.received(f -> isPresence(f, room, "join", id)).size(), "one join: " + w.received(f -> true));
      assertEquals(1, w.received(f -> isPresence(f, room, "left", id)).size(), "one left: " + w.received(f -> true));
    }
    Set<String> watchers = Set.of(userId(first), userId(second));
    for (int node = 0; node < NODES; node++) {
      assertEquals(List.copyOf(sorted(watchers)), presence(watcher2, room, node), "after the last connection closed");
    }
  }

  /** chat.presence's user ids for {@code room}, asked over {@code client}'s connection; {@code node} is only named. */
  private static List<String> presence(BridgeClient client, String room, int node) {
    JsonObject reply = client.request("chat.presence", new JsonObject().put("room", room));
    assertEquals("message", reply.getString("type"), "node " + node + ": " + reply.encode());
    return sorted(body(reply).getJsonArray("users").stream().map(u -> ((JsonObject) u).getString("id")).collect(Collectors.toSet()));
  }

  private static List<String> sorted(Set<String> ids) {
    return ids.stream().sorted().toList();
  }

  private static boolean isPresence(JsonObject frame, String room, String type, String userId) {
    return ("chat.room." + room).equals(frame.getString("address")) && type.equals(bodyType(frame))
        && body(frame).getJsonObject("user") != null && userId.equals(body(frame).getJsonObject("user").getString("id"));
  }

  @Test
  void aRoomCreatedOnOneNodeIsJoinableAtOnceOnTheOthers() {
    JsonObject creator = https.get(0).guest("creator");
    String room = newRoom(0, creator.getString("token"));
    JsonObject joiner = https.get(1).guest("joiner");
    BridgeClient c = connect(1, joiner.getString("token"), Transport.XHR_POLLING);
    c.join(room, userId(joiner));
    JsonObject reply = c.request("chat.send", new JsonObject().put("room", room).put("text", "first"));
    assertEquals("message", reply.getString("type"), reply.encode());
    HttpResponse<Buffer> posted = https.get(2).post("/api/rooms/" + room + "/messages", creator.getString("token"),
        new JsonObject().put("text", "second"));
    assertEquals(201, posted.statusCode(), posted.bodyAsString());
    for (int node = 0; node < NODES; node++) {
      assertEquals(List.of("first", "second"), cluster.history(node, room, creator.getString("token")).stream()
          .map(m -> m.getString("text")).toList(), "node " + node);
    }
  }

  @Test
  void anAccountRegisteredOnOneNodeSignsInOnTheOthers() {
    String name = "acct" + UUID.randomUUID().toString().substring(0, 6);
    JsonObject credentials = new JsonObject().put("name", name).put("password", "correct horse battery");
    HttpResponse<Buffer> registered = https.get(0).post("/api/auth/register", null, credentials);
    assertEquals(201, registered.statusCode(), registered.bodyAsString());
    String id = registered.bodyAsJsonObject().getJsonObject("user").getString("id");
    for (int node = 1; node < NODES; node++) {
      HttpResponse<Buffer> login = https.get(node).post("/api/auth/login", null, credentials);
      assertEquals(200, login.statusCode(), "node " + node + ": " + login.bodyAsString());
      assertEquals(id, login.bodyAsJsonObject().getJsonObject("user").getString("id"));
      HttpResponse<Buffer> me = https.get((node + 1) % NODES).get("/api/me", login.bodyAsJsonObject().getString("token"));
      assertEquals(200, me.statusCode(), me.bodyAsString());
      assertEquals(id, me.bodyAsJsonObject().getString("id"));
    }
  }

  @Test
  void theMessageRateOfAUserHoldsAcrossNodes() throws Exception {
    JsonObject user = https.get(0).guest("hasty");
    String room = newRoom(0, user.getString("token"));
    List<BridgeClient> mine = new ArrayList<>();
    for (int node = 0; node < NODES; node++) {
      BridgeClient c = connect(node, user.getString("token"), Transport.RAW);
      c.register("chat.room." + room);
      assertEquals("message", c.request("chat.presence", new JsonObject().put("room", room)).getString("type"));
      mine.add(c);
    }
    int perNode = BURST; // each node's own bucket would let all of these through
    ExecutorService pool = Executors.newFixedThreadPool(NODES);
    List<JsonObject> replies = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    try {
      List<Future<?>> sends = new ArrayList<>();
      for (BridgeClient c : mine) {
        sends.add(pool.submit(() -> {
          for (int k = 0; k < perNode; k++) {
            replies.add(c.request("chat.send", new JsonObject().put("room", room).put("text", "hasty " + k)));
          }
          return null;
        }));
      }
      for (Future<?> f : sends) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long accepted = replies.stream().filter(r -> "message".equals(r.getString("type"))).count();
    List<JsonObject> refused = replies.stream().filter(r -> !"message".equals(r.getString("type"))).toList();
    assertTrue(refused.stream().allMatch(r -> r.getInteger("failureCode") == ErrorCodes.RATE_LIMITED), "refusals: " + refused);
    long bound = BURST + (long) Math.ceil(RATE * seconds) + 1;
    assertTrue(accepted <= bound, accepted + " of " + NODES * perNode + " sends accepted in " + seconds + " s: at most "
        + bound + " (burst + rate x time) may be");
    assertTrue(accepted >= BURST, "the burst is available: " + accepted);
    assertEquals(accepted, cluster.historyIds(1, room, user.getString("token")).size(), "exactly the accepted ones stored");
  }

  private static void assertStrictlyIncreasing(List<Long> ids, String what) {
    for (int i = 1; i < ids.size(); i++) {
      assertTrue(ids.get(i) > ids.get(i - 1), what + " not strictly increasing at " + i + ": " + ids);
    }
  }
}
