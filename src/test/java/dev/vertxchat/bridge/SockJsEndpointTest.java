package dev.vertxchat.bridge;

import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the SockJS endpoint serves: {@code /info} announcing WebSockets, the XHR transports, and 404 for
 * the transports that are not served (they need frames or inline script, which the page's CSP forbids).
 */
class SockJsEndpointTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  @Test
  void infoAnnouncesWebSocketsWithoutCookies(Http http) {
    String token = http.guest("curious").getString("token");
    HttpResponse<Buffer> info = http.get("/eventbus/info", token);
    assertEquals(200, info.statusCode());
    JsonObject body = info.bodyAsJsonObject();
    assertEquals(true, body.getBoolean("websocket"));
    assertEquals(false, body.getBoolean("cookie_needed"));
  }

  /** The page's probe: a POST carries the browser's Origin, so a refused origin gets 403 2007 there too. */
  @Test
  void aPostToInfoTellsAPageWhyItIsRefused(Vertx vertx, Http http) {
    String token = http.guest("prober").getString("token");
    io.vertx.ext.web.client.WebClient web = io.vertx.ext.web.client.WebClient.create(vertx,
        new io.vertx.ext.web.client.WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    try {
      HttpResponse<Buffer> foreign = dev.vertxchat.support.TestServer.await(web.post("/eventbus/info?token=" + token)
          .putHeader("Origin", "http://evil.example").send());
      assertEquals(403, foreign.statusCode());
      assertEquals(dev.vertxchat.bus.ErrorCodes.ORIGIN_NOT_ALLOWED, dev.vertxchat.support.Http.errorCode(foreign));
      HttpResponse<Buffer> own = dev.vertxchat.support.TestServer.await(web.post("/eventbus/info?token=" + token)
          .putHeader("Origin", "http://127.0.0.1:" + service.port()).send());
      assertEquals(200, own.statusCode(), own.bodyAsString());
      assertEquals(true, own.bodyAsJsonObject().getBoolean("websocket"));
    } finally {
      web.close();
    }
  }

  @Test
  void transportsThatAreNotServedAnswer404(Http http) {
    String token = http.guest("tourist").getString("token");
    for (String path : new String[] {"/eventbus/iframe.html", "/eventbus/iframe-abc.html", "/eventbus/123/abcdefgh/eventsource",
        "/eventbus/123/abcdefgh/htmlfile?c=x", "/eventbus/123/abcdefgh/jsonp?c=x"}) {
      HttpResponse<Buffer> response = http.get(path, token);
      assertEquals(404, response.statusCode(), path);
    }
    HttpResponse<Buffer> jsonpSend = http.post("/eventbus/123/abcdefgh/jsonp_send", token, new JsonObject());
    assertEquals(404, jsonpSend.statusCode());
  }

  @Test
  void anXhrPollOpensASessionWithTheOpenFrame(Http http) {
    String token = http.guest("poller").getString("token");
    HttpResponse<Buffer> open = http.post("/eventbus/123/pollsess/xhr", token, null);
    assertEquals(200, open.statusCode());
    assertEquals("o\n", open.bodyAsString());
    assertTrue(open.getHeader("Content-Type").startsWith("application/javascript"));
    HttpResponse<Buffer> unknown = http.post("/eventbus/123/nosuchsession/xhr_send", token, new io.vertx.core.json.JsonArray().add("{}"));
    assertEquals(404, unknown.statusCode());
  }
}
