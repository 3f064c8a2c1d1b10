package dev.vertxchat.metrics;

import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Scrape;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code docs/grafana-dashboard.json} cannot drift from the service: every metric its queries name is one
 * a real {@code /metrics} exports (after the traffic that makes the lazily created series appear).
 */
class DashboardTest {
  private static final Path DASHBOARD = Path.of("docs/grafana-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\b((?:chat|vertx|jvm|process|system|netty)_[a-zA-Z0-9_]+)");

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("limits", new JsonObject().put("messageBurst", 1).put("messagesPerSecond", 0.01)));

  private static List<String> expressions(JsonArray panels) {
    List<String> out = new ArrayList<>();
    for (Object p : panels) {
      JsonObject panel = (JsonObject) p;
      panel.getJsonArray("targets", new JsonArray()).forEach(t -> out.add(((JsonObject) t).getString("expr")));
      out.addAll(expressions(panel.getJsonArray("panels", new JsonArray())));
    }
    return out;
  }

  @Test
  void everyMetricTheDashboardNamesIsExported(Http http) throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    assertEquals("DS_PROMETHEUS", dashboard.getJsonArray("__inputs").getJsonObject(0).getString("name"));
    List<String> exprs = expressions(dashboard.getJsonArray("panels"));
    assertTrue(exprs.size() > 20, "queries: " + exprs);
    Set<String> named = new TreeSet<>();
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      assertTrue(m.find(), "a query without a metric: " + expr);
      do {
        named.add(m.group(1));
      } while (m.find());
    }
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      if (!"row".equals(panel.getString("type"))) {
        assertEquals("${DS_PROMETHEUS}", panel.getJsonObject("datasource").getString("uid"), panel.getString("title"));
      }
    }

    // traffic that makes every lazily created series appear: a refused sign-in, a refused send, a closed connection
    JsonObject session = http.guest("erin");
    String userId = session.getJsonObject("user").getString("id");
    http.post("/api/auth/login", null, new JsonObject().put("name", "nobody").put("password", "wrong-password"));
    BridgeClient client = service.connect(session.getString("token"));
    client.join("general", userId);
    client.request("chat.send", new JsonObject().put("room", "general").put("text", "hello"));
    client.request("chat.send", new JsonObject().put("room", "general").put("text", "refused: rate limit"));
    client.close();
    System.gc(); // the JVM's GC pause metrics appear with the first collection
    Scrape scrape = Scrape.awaitUntil(service.vertx(), service.adminPort(), s -> s.names().containsAll(named),
        "every metric of the dashboard exported");
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(scrape.names());
    assertEquals(Set.of(), missing);
  }
}
