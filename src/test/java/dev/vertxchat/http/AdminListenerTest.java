package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Scrape;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.*;

/** The admin listener: {@code /metrics} there and not on the public port, unless configured. */
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
}
