package dev.vertxchat.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/** Who may open an event-bus bridge connection, over the raw WebSocket and the SockJS XHR transport. */
class HandshakeTest {
  static final String EVIL = "http://evil.example";
  static final String ALLOWED = "https://chat.example.com";

  @RegisterExtension
  final ChatService service = new ChatService();
  Http http;
  WebClient web;

  private static JsonObject allowing() {
    return new JsonObject().put("http", new JsonObject().put("allowedOrigins", new JsonArray().add(ALLOWED)));
  }

  private void start(JsonObject overrides) {
    http = service.start(overrides).http();
    // SockJS polling responses close their connection (vertx-web), so every request gets a fresh one
    web = WebClient.create(service.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port())
        .setKeepAlive(false));
  }

  /**
   * Upgrade options sending exactly the given Origin, or none when null (the Vert.x client otherwise
   * adds one of its own, and with that turned off it drops an explicit one too).
   */
  private static WebSocketConnectOptions upgrade(String uri, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setURI(uri).setTimeout(10_000);
    return origin == null ? options.setAllowOriginHeader(false) : options.putHeader("Origin", origin);
  }

  private AsyncResult<BridgeClient> attempt(WebSocketConnectOptions options) {
    AsyncResult<BridgeClient> ar = await(BridgeClient.tryConnect(service.vertx(), service.port(), options).transform(Future::succeededFuture));
    if (ar.succeeded()) {
      service.closeAfter(ar.result());
    }
    return ar;
  }

  private BridgeClient connect(WebSocketConnectOptions options) {
    AsyncResult<BridgeClient> ar = attempt(options);
    if (ar.failed()) {
      fail("upgrade " + options.getURI() + " refused: " + (ar.cause() instanceof UpgradeRejectedException r
          ? r.getStatus() + " " + r.getBody() : ar.cause().toString()));
    }
    return ar.result();
  }

  private UpgradeRejectedException rejected(WebSocketConnectOptions options) {
    AsyncResult<BridgeClient> ar = attempt(options);
    assertTrue(ar.failed(), "upgrade " + options.getURI() + " was accepted");
    return assertInstanceOf(UpgradeRejectedException.class, ar.cause(), String.valueOf(ar.cause()));
  }

  private static int code(Buffer body) {
    return body.toJsonObject().getJsonObject("error").getInteger("code");
  }

  private HttpResponse<Buffer> send(HttpRequest<Buffer> request, String origin, String body) {
    if (origin != null) {
      request.putHeader("Origin", origin);
    }
    try {
      return await(body == null ? request.send() : request.putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer(body)));
    } catch (RuntimeException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    }
  }

  private void assertWorkingBridge(BridgeClient client, JsonObject session) {
    String userId = session.getJsonObject("user").getString("id");
    client.join("general", userId);
    JsonObject reply = client.request("chat.presence", new JsonObject().put("room", "general"));
    assertEquals("message", reply.getString("type"), reply.encode());
    assertTrue(body(reply).getJsonArray("users").stream().anyMatch(u -> userId.equals(((JsonObject) u).getString("id"))),
        "presence lists the user: " + reply.encode());
  }

  @Test
  void withoutATokenEveryBridgeRequestIs401AndOpensNoSession() {
    start(new JsonObject());
    HttpResponse<Buffer> info = send(web.get("/eventbus/info"), null, null);
    assertEquals(401, info.statusCode());
    assertEquals(ErrorCodes.UNAUTHENTICATED, code(info.body()));

    UpgradeRejectedException noToken = rejected(upgrade("/eventbus/websocket", null));
    assertEquals(401, noToken.getStatus());
    assertEquals(ErrorCodes.UNAUTHENTICATED, code(noToken.getBody()));
    assertEquals(401, rejected(upgrade("/eventbus/websocket?token=not-a-jwt", null)).getStatus());

    String sid = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    HttpResponse<Buffer> open = send(web.post("/eventbus/123/" + sid + "/xhr"), null, null);
    assertEquals(401, open.statusCode());
    assertEquals(ErrorCodes.UNAUTHENTICATED, code(open.body()));
    // had the refused request opened a session, a valid user could now post into it
    String token = http.guestToken("probe");
    HttpResponse<Buffer> post = send(web.post("/eventbus/123/" + sid + "/xhr_send?token=" + token), null,
        new JsonArray().add("{\"type\":\"ping\"}").encode());
    assertEquals(404, post.statusCode(), "no SockJS session exists: " + post.bodyAsString());
  }

  @Test
  void aTokenInTheAuthorizationHeaderOpensTheBridge() {
    start(new JsonObject());
    JsonObject session = http.guest("header");
    BridgeClient client = connect(upgrade("/eventbus/websocket", null)
        .putHeader("Authorization", "Bearer " + session.getString("token")));
    assertWorkingBridge(client, session);
  }

  @Test
  void foreignOriginsAre403AndTheServersOwnOriginOrNoneIsAccepted() {
    start(new JsonObject());
    String token = http.guestToken("origin");
    UpgradeRejectedException evil = rejected(upgrade("/eventbus/websocket?token=" + token, EVIL));
    assertEquals(403, evil.getStatus());
    assertEquals(ErrorCodes.ORIGIN_NOT_ALLOWED, code(evil.getBody()));

    HttpResponse<Buffer> xhr = send(web.post("/eventbus/000/abcdefgh/xhr?token=" + token), EVIL, null);
    assertEquals(403, xhr.statusCode());
    assertEquals(ErrorCodes.ORIGIN_NOT_ALLOWED, code(xhr.body()));

    JsonObject own = http.guest("own");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + own.getString("token"), service.base())), own);
    JsonObject none = http.guest("none");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + none.getString("token"), null)), none);
  }

  @Test
  void aConfiguredOriginIsAcceptedWithCorsHeaders() {
    start(allowing());
    JsonObject session = http.guest("cors");
    String token = session.getString("token");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + token, ALLOWED)), session);
    HttpResponse<Buffer> info = send(web.get("/eventbus/info?token=" + token), ALLOWED, null);
    assertEquals(200, info.statusCode(), info.bodyAsString());
    assertEquals(ALLOWED, info.getHeader("Access-Control-Allow-Origin"));
  }

  /**
   * sockjs-client makes its XHRs ({@code /info}, {@code xhr}, {@code xhr_streaming}, {@code xhr_send})
   * with {@code withCredentials}, and a browser hands such a cross-origin response to the page only with
   * {@code Access-Control-Allow-Credentials: true}: without it, a page of a configured origin cannot even
   * fetch {@code /info}, so no SockJS transport works for it.
   */
  @Test
  void sockJsRequestsFromAConfiguredOriginMayCarryCredentials() {
    start(allowing());
    String token = http.guestToken("credentialed");
    HttpResponse<Buffer> info = send(web.get("/eventbus/info?token=" + token), ALLOWED, null);
    assertEquals(200, info.statusCode(), info.bodyAsString());
    assertEquals(ALLOWED, info.getHeader("Access-Control-Allow-Origin"));
    assertEquals("true", info.getHeader("Access-Control-Allow-Credentials"));
    HttpResponse<Buffer> poll = send(web.post("/eventbus/000/credsess/xhr?token=" + token), ALLOWED, null);
    assertEquals("o\n", poll.bodyAsString());
    assertEquals(ALLOWED, poll.getHeader("Access-Control-Allow-Origin"));
    assertEquals("true", poll.getHeader("Access-Control-Allow-Credentials"));
  }

  @Test
  void withConfiguredOriginsAForeignOriginIsStill403() {
    start(allowing());
    String token = http.guestToken("cors");
    UpgradeRejectedException evil = rejected(upgrade("/eventbus/websocket?token=" + token, EVIL));
    assertEquals(403, evil.getStatus(), evil.getBody().toString());
    assertEquals(ErrorCodes.ORIGIN_NOT_ALLOWED, code(evil.getBody()));
    HttpResponse<Buffer> xhr = send(web.post("/eventbus/000/abcdefgh/xhr?token=" + token), EVIL, null);
    assertEquals(403, xhr.statusCode(), xhr.bodyAsString());
    assertEquals(ErrorCodes.ORIGIN_NOT_ALLOWED, code(xhr.body()));
  }

  @Test
  void withConfiguredOriginsThePageServedByTheServerItselfStillConnects() {
    start(allowing());
    JsonObject session = http.guest("own");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + session.getString("token"), service.base())), session);
  }

  /** A browser on a page of evil.example, whose DNS points at the service, sends this Origin and Host. */
  static final String REBOUND_HOST = "evil.example:8080";
  static final String REBOUND_ORIGIN = "http://" + REBOUND_HOST;

  private static JsonObject publicOrigin(String origin) {
    return new JsonObject().put("http", new JsonObject().put("publicOrigin", origin));
  }

  @Test
  void withoutAPublicOriginTheHostHeaderNamesTheOwnOrigin() {
    // the documented default (set http.publicOrigin in production): the request's own Host is trusted
    start(new JsonObject());
    JsonObject session = http.guest("rebound");
    String token = session.getString("token");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + token, REBOUND_ORIGIN).putHeader("Host", REBOUND_HOST)),
        session);
    HttpResponse<Buffer> info = send(web.get("/eventbus/info?token=" + token).putHeader("Host", REBOUND_HOST), REBOUND_ORIGIN, null);
    assertEquals(200, info.statusCode(), info.bodyAsString());
  }

  @Test
  void withAPublicOriginTheHostHeaderIsNotTrusted() {
    start(publicOrigin(ALLOWED));
    JsonObject session = http.guest("public");
    String token = session.getString("token");

    UpgradeRejectedException rebound = rejected(upgrade("/eventbus/websocket?token=" + token, REBOUND_ORIGIN)
        .putHeader("Host", REBOUND_HOST));
    assertEquals(403, rebound.getStatus(), rebound.getBody().toString());
    assertEquals(ErrorCodes.ORIGIN_NOT_ALLOWED, code(rebound.getBody()));
    HttpResponse<Buffer> xhr = send(web.post("/eventbus/000/abcdefgh/xhr?token=" + token).putHeader("Host", REBOUND_HOST),
        REBOUND_ORIGIN, null);
    assertEquals(403, xhr.statusCode(), xhr.bodyAsString());
    assertEquals(ErrorCodes.ORIGIN_NOT_ALLOWED, code(xhr.body()));
    // the address the request happened to reach is no longer the own origin either
    UpgradeRejectedException direct = rejected(upgrade("/eventbus/websocket?token=" + token, service.base()));
    assertEquals(403, direct.getStatus());

    // the public origin (any spelling of it) and clients without Origin are served
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + token, ALLOWED)), session);
    JsonObject other = http.guest("public2");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + other.getString("token"), "HTTPS://Chat.Example.com:443")), other);
    JsonObject none = http.guest("none");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + none.getString("token"), null)), none);
  }

  @Test
  void aPublicOriginWorksTogetherWithAllowedOrigins() {
    start(allowing().mergeIn(publicOrigin("https://chat.example.org"), true));
    JsonObject session = http.guest("both");
    String token = session.getString("token");
    assertWorkingBridge(connect(upgrade("/eventbus/websocket?token=" + token, "https://chat.example.org")), session);
    HttpResponse<Buffer> info = send(web.get("/eventbus/info?token=" + token), ALLOWED, null);
    assertEquals(200, info.statusCode(), info.bodyAsString());
    assertEquals(ALLOWED, info.getHeader("Access-Control-Allow-Origin"));
    UpgradeRejectedException evil = rejected(upgrade("/eventbus/websocket?token=" + token, EVIL).putHeader("Host", "evil.example"));
    assertEquals(403, evil.getStatus());
  }

  @Test
  void anInvalidPublicOriginStopsDeployment() {
    for (String bad : new String[] {"chat.example.com", "https://chat.example.com/app", "ftp://chat.example.com",
        "https://user@chat.example.com"}) {
      Throwable refused = service.refusedStart(publicOrigin(bad));
      assertTrue(refused.getMessage().contains("http.publicOrigin"), bad + ": " + refused.getMessage());
    }
  }

  @Test
  void theSockJsXhrTransportCarriesBridgeFramesForItsOwnerOnly() {
    start(new JsonObject());
    JsonObject alice = http.guest("alice");
    String a = alice.getString("token");
    String b = http.guestToken("bob");
    String sid = "x" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String base = "/eventbus/123/" + sid;

    HttpResponse<Buffer> open = send(web.post(base + "/xhr?token=" + a), null, null);
    assertEquals(200, open.statusCode(), open.bodyAsString());
    assertEquals("o\n", open.bodyAsString());

    String replyAddress = "r-" + UUID.randomUUID();
    JsonArray frames = new JsonArray()
        .add(new JsonObject().put("type", "register").put("address", "chat.room.general").encode())
        .add(new JsonObject().put("type", "send").put("address", "chat.presence").put("replyAddress", replyAddress)
            .put("body", new JsonObject().put("room", "general")).encode());
    HttpResponse<Buffer> sent = send(web.post(base + "/xhr_send?token=" + a), null, frames.encode());
    assertEquals(204, sent.statusCode(), sent.bodyAsString());

    JsonObject reply = null;
    List<String> polls = new ArrayList<>();
    for (int i = 0; i < 10 && reply == null; i++) {
      HttpResponse<Buffer> poll = send(web.post(base + "/xhr?token=" + a), null, null);
      assertEquals(200, poll.statusCode());
      String text = poll.bodyAsString();
      polls.add(text);
      if (text.startsWith("a[")) {
        for (Object f : new JsonArray(text.substring(1).trim())) {
          JsonObject frame = new JsonObject((String) f);
          if (replyAddress.equals(frame.getString("address"))) {
            reply = frame;
          }
        }
      }
    }
    assertNotNull(reply, "reply polled within 10 polls: " + polls);
    assertEquals("message", reply.getString("type"), reply.encode());
    String aliceId = alice.getJsonObject("user").getString("id");
    assertTrue(body(reply).getJsonArray("users").stream().anyMatch(u -> aliceId.equals(((JsonObject) u).getString("id"))),
        reply.encode());

    HttpResponse<Buffer> hijackSend = send(web.post(base + "/xhr_send?token=" + b), null,
        new JsonArray().add(frames.getString(1)).encode());
    assertEquals(403, hijackSend.statusCode(), hijackSend.bodyAsString());
    assertEquals(ErrorCodes.FORBIDDEN, code(hijackSend.body()));
    HttpResponse<Buffer> hijackPoll = send(web.post(base + "/xhr?token=" + b), null, null);
    assertEquals(403, hijackPoll.statusCode(), hijackPoll.bodyAsString());
  }

  /** Keeps events and wakes a waiting test when one arrives. */
  static final class Captured extends ListAppender<ILoggingEvent> {
    @Override
    protected synchronized void append(ILoggingEvent event) {
      super.append(event);
      notifyAll();
    }

    synchronized ILoggingEvent await(String contains) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 10_000;
      while (true) {
        for (ILoggingEvent e : list) {
          if (e.getFormattedMessage().contains(contains)) {
            return e;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no access log line containing " + contains + " within 10 s: " + list);
        }
        wait(left);
      }
    }
  }

  @Test
  void theAccessLogNeverContainsTheToken() throws InterruptedException {
    start(new JsonObject());
    JsonObject guest = http.guest("logged");
    String token = guest.getString("token");
    String userId = guest.getJsonObject("user").getString("id");
    Logger access = (Logger) LoggerFactory.getLogger("dev.vertxchat.http.access");
    Level before = access.getLevel();
    Captured captured = new Captured();
    captured.start();
    access.addAppender(captured);
    access.setLevel(Level.INFO);
    try {
      assertEquals(200, send(web.get("/eventbus/info?token=" + token), null, null).statusCode());
      assertEquals(200, send(web.get("/eventbus/info?x=1&token=" + token + "&y=2"), null, null).statusCode());
      String line = captured.await("/eventbus/info?token=").getFormattedMessage();
      assertTrue(line.contains("token=REDACTED"), line);
      assertTrue(line.contains(" " + userId + " GET "), "the user id, not the token, says who it was: " + line);
      assertTrue(captured.await("/eventbus/info?x=1").getFormattedMessage().contains("&token=REDACTED&y=2"));
      synchronized (captured) {
        for (ILoggingEvent e : captured.list) {
          assertFalse(e.getFormattedMessage().contains(token), "token logged: " + e.getFormattedMessage());
        }
      }
    } finally {
      access.detachAppender(captured);
      access.setLevel(before);
      captured.stop();
    }
  }
}
