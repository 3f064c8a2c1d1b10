package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Scrape;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The admin listener: {@code /metrics} there and not on the public port, unless configured; it serves
 * through the drain of a stop; a port it cannot take stops start-up at once, naming {@code admin.port}.
 */
class AdminListenerTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  @Test
  void metricsAreServedOnTheAdminListenerAndNotOnThePublicPort(Http http) {
    assertNotEquals(service.port(), service.adminPort());
    Scrape scrape = Scrape.of(service.vertx(), service.adminPort());
    assertTrue(scrape.names().stream().anyMatch(n -> n.startsWith("vertx_http_server_")), scrape.names().toString());
    assertTrue(scrape.names().stream().anyMatch(n -> n.startsWith("jvm_memory_used_bytes")), scrape.names().toString());
    assertTrue(scrape.names().contains("process_cpu_usage"), scrape.names().toString());
    assertEquals("gauge", scrape.types().get("chat_bridge_connections"), scrape.types().toString());

    HttpResponse<Buffer> publicMetrics = http.get("/metrics", null);
    assertEquals(404, publicMetrics.statusCode(), publicMetrics.bodyAsString());
    assertEquals(ErrorCodes.NOT_FOUND, Http.errorCode(publicMetrics));

    Http admin = new Http(service.vertx(), service.adminPort());
    try {
      HttpResponse<Buffer> unknown = admin.get("/no/such/thing", null);
      assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
      assertEquals(ErrorCodes.NOT_FOUND, Http.errorCode(unknown));
      // the bridge and the REST API are not on the admin listener
      assertEquals(404, admin.post("/api/auth/guest", null, new JsonObject().put("name", "alice")).statusCode());
    } finally {
      admin.close();
    }
  }

  @Test
  void metricsPublicPortServesThemOnThePublicPortToo() {
    service.start(new JsonObject().put("metrics", new JsonObject().put("publicPort", true)));
    Scrape publicScrape = Scrape.of(service.vertx(), service.port());
    assertTrue(publicScrape.names().contains("chat_messages_accepted_total"), publicScrape.names().toString());
    Scrape.of(service.vertx(), service.adminPort());
  }

  @Test
  void adminPortMinusOneMeansNoAdminListener() {
    service.start(new JsonObject().put("admin", new JsonObject().put("port", -1)));
    assertThrows(IllegalStateException.class, service::adminPort);
    assertEquals(200, service.http().get("/health", null).statusCode());
  }

  @Test
  void theAdminPortMustNotBeThePublicOne() {
    Throwable refused = service.refusedStart(new JsonObject().put("http", new JsonObject().put("port", 18080))
        .put("admin", new JsonObject().put("port", 18080)));
    assertTrue(refused.getMessage().contains("admin.port"), refused.getMessage());
  }

  /**
   * While the service drains, the admin listener keeps serving: its readiness says 503 "draining", its
   * liveness and {@code /metrics} answer 200, until the public port has closed; then it closes too.
   */
  @Test
  void theAdminListenerServesThroughTheDrainAndClosesAfterThePublicPort() throws Exception {
    long grace = 2500;
    service.start(new JsonObject().put("shutdown", new JsonObject().put("drainGraceMs", grace)));
    int port = service.port();
    int adminPort = service.adminPort();
    Http admin = new Http(service.vertx(), adminPort);
    service.closeAfter(admin::close);
    assertEquals(200, admin.get("/health/ready", null).statusCode());

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(service::stop);
    HttpResponse<Buffer> ready = ReadinessTest.awaitAnswer(admin, "/health/ready", r -> r.statusCode() == 503);
    JsonObject body = ready.bodyAsJsonObject();
    assertEquals("draining", ReadinessTest.check(body, "draining").getString("cause"), body.encode());
    assertTrue(accepts(port), "the public port closed before the grace period ended");
    // the admin listener answers every poll until it closes, and it closes only once the public port has
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(grace + 15_000);
    int polls = 0;
    long firstAnswer = System.nanoTime();
    long lastAnswer = firstAnswer;
    while (true) {
      HttpResponse<Buffer> live;
      HttpResponse<Buffer> metrics;
      HttpResponse<Buffer> stillReady;
      try {
        live = admin.get("/health/live", null);
        metrics = admin.get("/metrics", null);
        stillReady = admin.get("/health/ready", null);
      } catch (Exception | AssertionError closed) {
        assertFalse(accepts(port), "the admin listener closed (" + closed + ") while the public port was open, after "
            + polls + " polls");
        break;
      }
      assertEquals(200, live.statusCode(), "live during the drain");
      assertEquals(200, metrics.statusCode(), "/metrics during the drain");
      assertTrue(metrics.bodyAsString().contains("chat_bridge_connections"), metrics.bodyAsString());
      assertEquals(503, stillReady.statusCode(), "ready during the drain");
      polls++;
      lastAnswer = System.nanoTime();
      assertTrue(System.nanoTime() < deadline, "the admin listener never closed");
      Thread.sleep(20);
    }
    // it answered through the grace period (how many polls fit in it depends on the machine's load)
    long answeredMs = TimeUnit.NANOSECONDS.toMillis(lastAnswer - firstAnswer);
    assertTrue(polls >= 2 && answeredMs >= grace / 2, "answered " + polls + " polls over " + answeredMs
        + " ms of a grace period of " + grace + " ms");
    stopping.get(30, TimeUnit.SECONDS);
    assertFalse(accepts(adminPort), "the admin listener stays open after the stop");
    assertFalse(accepts(port), "the public port stays open after the stop");
  }

  /** A taken admin port stops start-up at once (no drain), in one line naming admin.port and the address. */
  @Test
  void aTakenAdminPortStopsStartUpNamingTheKeyWithoutADrain() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      long began = System.nanoTime();
      Throwable refused = service.refusedStart(new JsonObject()
          .put("admin", new JsonObject().put("port", taken.getLocalPort()))
          .put("shutdown", new JsonObject().put("drainGraceMs", 20_000)));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      assertInstanceOf(ConfigException.class, refused, String.valueOf(refused));
      assertEquals("Invalid configuration: admin.port: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": Address already in use", refused.getMessage());
      assertTrue(tookMs < 15_000, "the failed start waited " + tookMs + " ms (a drain?)");
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
