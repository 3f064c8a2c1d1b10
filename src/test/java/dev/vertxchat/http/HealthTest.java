package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.store.Database;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
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

import static org.junit.jupiter.api.Assertions.*;

/** What a load balancer and a browser see: the health endpoint, the page and its headers, unknown paths. */
class HealthTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  private static JsonObject check(JsonObject health, String id) {
    JsonArray checks = health.getJsonArray("checks", new JsonArray());
    return checks.stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no check " + id + " in " + health.encode()));
  }

  @Test
  void healthIsUpWhileTheDatabaseWorksAndDownWhenItDoesNot(Http http) throws SQLException {
    HttpResponse<Buffer> up = http.get("/health", null);
    assertEquals(200, up.statusCode(), up.bodyAsString());
    JsonObject body = up.bodyAsJsonObject();
    assertEquals("UP", body.getString("status"), body.encode());
    assertEquals("UP", check(body, "database").getString("status"), body.encode());

    // the same embedded database the service uses (same JVM, same file): shut it down under the service
    try (Connection conn = DriverManager.getConnection(Database.url(service.dataDir().toString()), "sa", "");
         Statement st = conn.createStatement()) {
      st.execute("SHUTDOWN");
    }

    HttpResponse<Buffer> down = http.get("/health", null);
    assertEquals(503, down.statusCode(), down.bodyAsString());
    JsonObject downBody = down.bodyAsJsonObject();
    assertEquals("DOWN", downBody.getString("status"), downBody.encode());
    assertEquals("DOWN", check(downBody, "database").getString("status"), downBody.encode());
  }

  @Test
  void thePageIsServedWithAStrictContentSecurityPolicy(Http http) {
    HttpResponse<Buffer> page = http.get("/", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.getHeader("Content-Type").startsWith("text/html"), page.getHeader("Content-Type"));
    assertTrue(page.bodyAsString().contains("<title>vertx-chat</title>"), page.bodyAsString());
    String csp = page.getHeader("Content-Security-Policy");
    assertNotNull(csp, "Content-Security-Policy header");
    assertTrue(csp.contains("default-src 'self'"), csp);
    assertTrue(csp.contains("script-src 'self'"), csp);
    assertFalse(csp.contains("'unsafe-inline'"), csp);
    assertFalse(csp.contains("'unsafe-eval'"), csp);
    assertEquals("nosniff", page.getHeader("X-Content-Type-Options"));
  }

  @Test
  void anUnknownPathIsAJson404(Http http) {
    HttpResponse<Buffer> res = http.get("/no/such/page", null);
    assertEquals(404, res.statusCode(), res.bodyAsString());
    assertTrue(res.getHeader("Content-Type").startsWith("application/json"), res.getHeader("Content-Type"));
    assertEquals(ErrorCodes.NOT_FOUND, Http.errorCode(res));
    assertEquals("nosniff", res.getHeader("X-Content-Type-Options"));
  }
}
