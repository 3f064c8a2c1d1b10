package dev.vertxchat.metrics;

import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.*;

/** {@code metrics.enabled=false}: Vert.x runs without metrics, {@code /metrics} is 404 everywhere, the chat works. */
class MetricsDisabledTest {
  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("metrics", new JsonObject().put("enabled", false).put("publicPort", true)));

  @Test
  void noMetricsAreServedAndTheServiceWorks(Http http) {
    assertFalse(service.vertx().isMetricsEnabled());
    assertEquals(404, http.get("/metrics", null).statusCode());
    Http admin = new Http(service.vertx(), service.adminPort());
    try {
      assertEquals(404, admin.get("/metrics", null).statusCode());
    } finally {
      admin.close();
    }

    JsonObject session = http.guest("frank");
    BridgeClient client = service.connect(session.getString("token"));
    client.join("general", session.getJsonObject("user").getString("id"));
    assertEquals("message", client.request("chat.send", new JsonObject().put("room", "general").put("text", "no metrics")).getString("type"));
    client.awaitFrame(f -> "chat".equals(bodyType(f)) && "no metrics".equals(body(f).getString("text")));
  }
}
