package dev.vertxchat.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static dev.vertxchat.support.Http.errorCode;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bodies that are not sent as JSON: curl's {@code -d} (a form Content-Type) carrying JSON works whatever
 * its length within the limit; a body that cannot be decoded gets 400 with the error JSON, never 500,
 * and the access log records the status actually sent.
 */
class BodyFormatTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  private HttpResponse<Buffer> post(String path, String token, String contentType, String body) {
    WebClient web = WebClient.create(service.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    try {
      return await(web.post(path).putHeader("Authorization", "Bearer " + token)
          .putHeader("Content-Type", contentType).sendBuffer(Buffer.buffer(body)));
    } finally {
      web.close();
    }
  }

  private HttpResponse<Buffer> postForm(String path, String token, String body) {
    return post(path, token, "application/x-www-form-urlencoded", body);
  }

  /** The access log's lines, at INFO, while it is open. */
  private static final class AccessLogLines implements AutoCloseable {
    final Logger access = (Logger) LoggerFactory.getLogger("dev.vertxchat.http.access");
    final Level before = access.getLevel();
    final HandshakeTest.Captured captured = new HandshakeTest.Captured();

    AccessLogLines() {
      captured.start();
      access.addAppender(captured);
      access.setLevel(Level.INFO);
    }

    @Override
    public void close() {
      access.detachAppender(captured);
      access.setLevel(before);
      captured.stop();
    }
  }

  @Test
  void jsonSentAsAFormIsStoredWhateverItsLength(Http http) {
    String token = http.guestToken("curl-user");
    String text = "x".repeat(3000);
    HttpResponse<Buffer> res = postForm("/api/rooms/general/messages", token, "{\"text\":\"" + text + "\"}");
    assertEquals(201, res.statusCode(), res.bodyAsString());
    assertEquals(text, http.get("/api/rooms/general/messages", token).bodyAsJsonObject()
        .getJsonArray("messages").getJsonObject(0).getString("text"));
  }

  @Test
  void anUndecodableFormIs400AndLoggedAs400(Http http) throws InterruptedException {
    String token = http.guestToken("form-user");
    try (AccessLogLines log = new AccessLogLines()) {
      HttpResponse<Buffer> res = postForm("/api/rooms/general/messages", token, "a=1&".repeat(1000));
      assertEquals(400, res.statusCode(), res.bodyAsString());
      assertEquals(ErrorCodes.BAD_REQUEST, errorCode(res));
      String line = log.captured.await("POST /api/rooms/general/messages").getFormattedMessage();
      assertTrue(line.contains(" 400 "), line);
    }
    assertEquals(0, http.get("/api/rooms/general/messages", token).bodyAsJsonObject().getJsonArray("messages").size());
  }

  /**
   * Every /api route that reads a body: a form that cannot be decoded, a body that is not JSON, and a
   * body over the limit get 4xx with the error JSON (never 500), and the access log records that status.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"/api/auth/guest", "/api/auth/register", "/api/auth/login",
      "/api/rooms", "/api/rooms/general/messages"})
  void badBodiesOnEveryRouteAre4xxAndLoggedAsSent(String path, Http http) throws InterruptedException {
    String token = http.guestToken("body-" + path.replaceAll("[^a-z]", "").substring(0, 8));
    try (AccessLogLines log = new AccessLogLines()) {
      record Case(String contentType, String body, int status, int code) {}
      java.util.List<Case> cases = java.util.List.of(
          new Case("application/x-www-form-urlencoded", "a=1&".repeat(1000), 400, ErrorCodes.BAD_REQUEST),
          new Case("application/json", "this is not json", 400, ErrorCodes.BAD_REQUEST),
          new Case("text/plain", "[1,2,3]", 400, ErrorCodes.BAD_REQUEST),
          new Case("application/json", "{\"text\":\"" + "x".repeat(70_000) + "\"}", 413, ErrorCodes.PAYLOAD_TOO_LARGE));
      for (int i = 0; i < cases.size(); i++) {
        Case c = cases.get(i);
        // A query marks each request, so the line awaited is this request's (the access line of the
        // token request above may still arrive after the capture started).
        String target = path + "?case=" + i;
        HttpResponse<Buffer> res = post(target, token, c.contentType(), c.body());
        assertEquals(c.status(), res.statusCode(), target + " " + c.contentType() + ": " + res.bodyAsString());
        assertEquals(c.code(), errorCode(res), target + " " + c.contentType());
        String line = log.captured.await("POST " + target + " ").getFormattedMessage();
        assertTrue(line.contains(" " + c.status() + " "), line);
      }
    }
    assertEquals(0, http.get("/api/rooms/general/messages", token).bodyAsJsonObject().getJsonArray("messages").size(),
        "nothing stored");
  }
}
