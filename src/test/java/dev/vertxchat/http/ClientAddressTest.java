package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.vertxchat.support.Http.errorCode;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** How the per-address limits key a client: the address a trusted proxy saw, IPv4 however it is written. */
class ClientAddressTest {
  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("http", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1")))
      .put("limits", new JsonObject().put("guestSignInsPerMinute", 1)));

  @Test
  void ipv4KeysAreTheSameHoweverTheAddressIsWritten() {
    assertEquals("1.2.3.4", ClientAddress.key("::ffff:1.2.3.4"));
    assertEquals("1.2.3.4", ClientAddress.key("1.2.3.4"));
    assertEquals("2001:db8:0:1::/64", ClientAddress.key("2001:db8:0:1:aaaa:bbbb:cccc:dddd"));
    assertEquals(ClientAddress.key("2001:db8:0:1::1"), ClientAddress.key("2001:db8:0:1:ffff::2"));
  }

  private HttpResponse<Buffer> guestVia(WebClient web, List<String> forwardedLines, String name) {
    HttpRequest<Buffer> req = web.post(service.port(), "127.0.0.1", "/api/auth/guest");
    forwardedLines.forEach(line -> req.headers().add("X-Forwarded-For", line));
    return await(req.sendJsonObject(new JsonObject().put("name", name)));
  }

  /** A client's own X-Forwarded-For line does not change its key: the proxy's line (the last) does. */
  @Test
  void aForgedForwardedLineDoesNotChooseTheKey(Vertx vertx) {
    WebClient web = WebClient.create(vertx);
    try {
      assertEquals(200, guestVia(web, List.of("10.9.9.1", "203.0.113.9"), "first").statusCode());
      HttpResponse<Buffer> second = guestVia(web, List.of("10.9.9.2", "203.0.113.9"), "second");
      assertEquals(429, second.statusCode(), second.bodyAsString());
      assertEquals(ErrorCodes.TOO_MANY_ATTEMPTS, errorCode(second));
      assertEquals(200, guestVia(web, List.of("::ffff:198.51.100.1"), "mapped").statusCode());
      assertEquals(429, guestVia(web, List.of("198.51.100.1"), "plain").statusCode(), "the same IPv4 client written two ways");
    } finally {
      web.close();
    }
  }
}
