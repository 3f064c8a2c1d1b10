package dev.vertxchat.metrics;

import dev.vertxchat.support.ServiceProcess;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The launcher turns Vert.x's metrics on from the configuration before Vert.x starts (the file, or a
 * {@code CHAT_METRICS_ENABLED} variable), as a real process started like {@code java -jar} shows.
 */
class LauncherMetricsTest {
  private static final Pattern ADMIN = Pattern.compile("Admin listener on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path tmp;
  private ServiceProcess child;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    if (child != null) {
      child.kill();
    }
    await(vertx.close());
  }

  private HttpResponse<Buffer> metricsOf(Map<String, String> env) throws Exception {
    Path config = Files.writeString(tmp.resolve("config.json"), TestServer.baseConfig(tmp.resolve("data")).encode());
    child = ServiceProcess.start(tmp.resolve("work"), config, env);
    String line = child.awaitLine(l -> ADMIN.matcher(l).find(), 30_000);
    assertNotNull(line, "no admin listener line in:\n" + child.output());
    Matcher m = ADMIN.matcher(line);
    assertTrue(m.find());
    WebClient client = WebClient.create(vertx);
    try {
      return await(client.get(Integer.parseInt(m.group(1)), "127.0.0.1", "/metrics").send());
    } finally {
      client.close();
    }
  }

  @Test
  void theLauncherStartsVertxWithMetrics() throws Exception {
    HttpResponse<Buffer> res = metricsOf(Map.of());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    String text = res.bodyAsString();
    assertTrue(text.contains("vertx_http_server_active_connections"), text);
    assertTrue(text.contains("vertx_eventbus_handlers "), text);
    assertTrue(text.contains("chat_bridge_connections{transport=\"websocket\"} 0.0"), text);
    assertFalse(child.output().contains("Vert.x was started without metrics"), child.output());
  }

  @Test
  void anEnvironmentVariableTurnsThemOff() throws Exception {
    HttpResponse<Buffer> res = metricsOf(Map.of("CHAT_METRICS_ENABLED", "false"));
    assertEquals(404, res.statusCode(), res.bodyAsString());
    assertEquals(JsonObject.class, res.bodyAsJsonObject().getClass());
  }
}
