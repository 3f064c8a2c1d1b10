package dev.vertxchat.http;

import dev.vertxchat.store.Database;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.*;

/** What a load balancer polls: {@code /health/live}, {@code /health/ready}, and readiness during a drain. */
class ReadinessTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  static JsonObject check(JsonObject health, String id) {
    JsonArray checks = health.getJsonArray("checks", new JsonArray());
    return checks.stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no check " + id + " in " + health.encode()));
  }

  /** Asks {@code path} until the answer matches (10 s at most) and returns it. */
  static HttpResponse<Buffer> awaitAnswer(Http http, String path, Predicate<HttpResponse<Buffer>> match) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<Buffer> last;
    do {
      last = http.get(path, null);
      if (match.test(last)) {
        return last;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(path + " never answered as expected; last: " + last.statusCode() + " " + last.bodyAsString());
  }

  @Test
  void liveAndReadyAnswer200WithTheirChecks(Http http) {
    HttpResponse<Buffer> live = http.get("/health/live", null);
    assertEquals(200, live.statusCode(), live.bodyAsString());
    assertEquals("no-store", live.getHeader("Cache-Control"));
    JsonObject liveBody = live.bodyAsJsonObject();
    assertEquals("UP", liveBody.getString("status"));
    // the chat and the HTTP verticle instances' event loops answered
    assertEquals(2, check(liveBody, "eventLoops").getJsonObject("data").getInteger("contexts"), liveBody.encode());

    for (String path : List.of("/health/ready", "/health")) {
      HttpResponse<Buffer> ready = http.get(path, null);
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      JsonObject body = ready.bodyAsJsonObject();
      for (String id : List.of("database", "journal", "draining", "cluster")) {
        assertEquals("UP", check(body, id).getString("status"), body.encode());
      }
      assertEquals(false, check(body, "cluster").getJsonObject("data").getBoolean("clustered"));
      assertEquals(100_000, check(body, "journal").getJsonObject("data").getInteger("threshold"), "half of store.maxUnindexed");
    }
  }

  @Test
  void aFailingCopyIntoTheDatabaseMakesTheServiceNotReadyButStillLive(Http http) throws SQLException, InterruptedException {
    String token = http.guestToken("writer");
    try (Connection conn = DriverManager.getConnection(Database.url(service.dataDir().toString()), "sa", "");
         Statement st = conn.createStatement()) {
      st.execute("SHUTDOWN");
    }
    // acknowledged from the journal; its copy into the table now fails
    HttpResponse<Buffer> sent = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "hello"));
    assertEquals(201, sent.statusCode(), sent.bodyAsString());

    HttpResponse<Buffer> down = awaitAnswer(http, "/health/ready",
        r -> r.statusCode() == 503 && "DOWN".equals(check(r.bodyAsJsonObject(), "journal").getString("status")));
    JsonObject body = down.bodyAsJsonObject();
    assertEquals("DOWN", body.getString("status"));
    assertEquals("copying the journal into the database fails", check(body, "journal").getString("cause"), body.encode());
    assertEquals("DOWN", check(body, "database").getString("status"), body.encode());
    assertNotNull(check(body, "database").getString("cause"), body.encode());
    assertEquals("UP", check(body, "draining").getString("status"), body.encode());

    HttpResponse<Buffer> live = http.get("/health/live", null);
    assertEquals(200, live.statusCode(), live.bodyAsString());
  }

  @Test
  void onStopReadinessTurns503FirstThenConnectionsCloseWithGoingAwayAfterTheGrace() throws Exception {
    long grace = 2500;
    service.start(new JsonObject().put("shutdown", new JsonObject().put("drainGraceMs", grace)));
    Http probe = service.closeAfter(new Probe(service)).http;
    Map<Transport, BridgeClient> clients = new EnumMap<>(Transport.class);
    String token = null;
    for (Transport t : Transport.values()) {
      JsonObject session = probe.guest("stayer" + t.ordinal());
      token = session.getString("token");
      BridgeClient c = service.connect(token, t);
      c.join("general", session.getJsonObject("user").getString("id"));
      clients.put(t, c);
    }

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(service::stop);
    long began = System.nanoTime();
    HttpResponse<Buffer> ready = awaitAnswer(probe, "/health/ready", r -> r.statusCode() == 503);
    JsonObject body = ready.bodyAsJsonObject();
    assertEquals("DOWN", check(body, "draining").getString("status"), body.encode());
    assertEquals("draining", check(body, "draining").getString("cause"), body.encode());
    assertEquals("UP", check(body, "database").getString("status"), body.encode());
    assertEquals(503, probe.get("/health", null).statusCode());
    assertEquals(200, probe.get("/health/live", null).statusCode(), "live stays 200 while draining");

    // during the grace period every connection still works, and new requests are served
    List<String> problems = new ArrayList<>();
    for (Map.Entry<Transport, BridgeClient> e : clients.entrySet()) {
      assertFalse(e.getValue().isClosed(), e.getKey() + " closed during the grace period");
      JsonObject reply = e.getValue().request("chat.send", new JsonObject().put("room", "general").put("text", "still here " + e.getKey()));
      if (!"message".equals(reply.getString("type")) || body(reply).getLong("id") == null) {
        problems.add(e.getKey() + ": " + reply.encode());
      }
    }
    assertTrue(problems.isEmpty(), problems.toString());
    assertEquals(200, probe.get("/api/rooms", token).statusCode());
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertTrue(elapsedMs < grace, "the checks above took longer than the grace period (" + elapsedMs + " ms); make it longer");

    for (Map.Entry<Transport, BridgeClient> e : clients.entrySet()) {
      assertEquals(1001, e.getValue().awaitClose(), e.getKey() + ": close code after the grace period");
    }
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) >= grace - 100, "closed before the grace period ended");
    stopping.get(30, TimeUnit.SECONDS);
  }

  @Test
  void anEventLoopThatDoesNotAnswerMakesLiveDownNamingIt(io.vertx.core.Vertx vertx) throws Exception {
    Health health = new Health(vertx, () -> io.vertx.core.Future.succeededFuture(), null);
    // a worker verticle's context stands for a stuck event loop: blocking it blocks no event loop of the test
    io.vertx.core.Context[] captured = new io.vertx.core.Context[1];
    TestServer.await(vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public io.vertx.core.Future<?> start() throws Exception {
        captured[0] = this.context;
        return super.start();
      }
    }, new io.vertx.core.DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER)));
    health.watch(captured[0], "stuck-one");
    Health.Report ok = TestServer.await(health.live());
    assertTrue(ok.up(), ok.toJson().encode());

    CountDownLatch release = new CountDownLatch(1);
    captured[0].runOnContext(v -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long began = System.nanoTime();
    Health.Report stuck = TestServer.await(health.live());
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    release.countDown();
    assertFalse(stuck.up(), stuck.toJson().encode());
    JsonObject loops = check(stuck.toJson(), "eventLoops");
    assertTrue(loops.getString("cause").contains("stuck-one"), loops.encode());
    assertTrue(tookMs >= Health.EVENT_LOOP_MS - 50 && tookMs < 5000, "took " + tookMs + " ms");
  }

  /** An HTTP client of its own (the service's is closed when it stops). */
  private static final class Probe implements AutoCloseable {
    final Http http;

    Probe(ChatService service) {
      http = new Http(service.vertx(), service.port());
    }

    @Override
    public void close() {
      http.close();
    }
  }

}
