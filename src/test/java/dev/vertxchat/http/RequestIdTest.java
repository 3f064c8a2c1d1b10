package dev.vertxchat.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.LogLines;
import dev.vertxchat.support.RawSocket;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every request gets an id: the {@code X-Request-Id} response header (REST routes, refusals, the SockJS
 * XHR transports, the WebSocket upgrade's 101 and its refusal), the end of its access line ({@code id=})
 * and the line's {@code requestId} pair. An incoming {@code X-Request-Id} is kept only from a trusted
 * proxy, and only when it is 1..64 characters of {@code [A-Za-z0-9._-]}.
 */
class RequestIdTest {
  private static final Pattern GENERATED = Pattern.compile("[0-9a-f]{16}");
  private static final Pattern HEAD_ID = Pattern.compile("(?im)^X-Request-Id: *(\\S+)\\r?$");

  @RegisterExtension
  final ChatService service = new ChatService();
  private WebClient web;

  @AfterEach
  void closeClient() {
    if (web != null) {
      web.close();
    }
  }

  private HttpResponse<Buffer> get(String path, String token, String requestId) {
    if (web == null) {
      web = WebClient.create(service.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    }
    var req = web.get(path);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    if (requestId != null) {
      req.putHeader("X-Request-Id", requestId);
    }
    return await(req.send());
  }

  /** The access line of the request whose URI (as logged) is {@code uri}: it ends with the response's id. */
  private static ILoggingEvent lineOf(LogLines access, String uri, String id) throws InterruptedException {
    ILoggingEvent line = access.await(" " + uri + " ");
    assertTrue(line.getFormattedMessage().endsWith(" id=" + id), line.getFormattedMessage());
    assertEquals(id, LogLines.value(line, "requestId"), "requestId pair");
    return line;
  }

  @Test
  void everyRequestHasAnIdOnItsResponseAndItsAccessLine(Http http) throws InterruptedException {
    JsonObject session = http.guest("ided");
    String token = session.getString("token");
    String user = session.getJsonObject("user").getString("id");
    try (LogLines access = new LogLines("dev.vertxchat.http.access", Level.INFO)) {
      HttpResponse<Buffer> ok = get("/api/rooms?mark=1", token, "from-the-client");
      assertEquals(200, ok.statusCode());
      String id = ok.getHeader("X-Request-Id");
      assertTrue(GENERATED.matcher(String.valueOf(id)).matches(), "a new id, not the client's: " + id);
      ILoggingEvent line = lineOf(access, "/api/rooms?mark=1", id);
      assertTrue(line.getFormattedMessage().contains(" " + user + " GET /api/rooms?mark=1 200 "), line.getFormattedMessage());
      assertEquals(user, LogLines.value(line, "user"));
      assertEquals(200, LogLines.value(line, "status"));

      HttpResponse<Buffer> refused = get("/api/rooms?mark=2", null, null);
      assertEquals(401, refused.statusCode());
      String refusedId = refused.getHeader("X-Request-Id");
      assertTrue(GENERATED.matcher(String.valueOf(refusedId)).matches(), refusedId);
      ILoggingEvent refusedLine = lineOf(access, "/api/rooms?mark=2", refusedId);
      assertTrue(refusedLine.getFormattedMessage().contains(" - GET /api/rooms?mark=2 401 "), refusedLine.getFormattedMessage());
      assertEquals(null, LogLines.value(refusedLine, "user"), "no user pair without a user");

      HttpResponse<Buffer> missing = get("/nothing-here?mark=3", null, null);
      assertEquals(404, missing.statusCode());
      lineOf(access, "/nothing-here?mark=3", missing.getHeader("X-Request-Id"));
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      ids.add(get("/health", null, null).getHeader("X-Request-Id"));
    }
    assertEquals(20, ids.size(), "ids differ: " + ids);
  }

  @Test
  void theSockJsXhrTransportsAndWebSocketUpgradesCarryIds(Http http) throws Exception {
    String token = http.guestToken("transported");
    try (LogLines access = new LogLines("dev.vertxchat.http.access", Level.INFO)) {
      for (String transport : new String[] {"xhr", "xhr_send"}) {
        String server = "s-" + transport.replace('_', '-');
        String path = "/eventbus/" + server + "/session" + transport.length() + "/" + transport + "?token=" + token;
        var req = web().post(path);
        HttpResponse<Buffer> res = await("xhr".equals(transport) ? req.send()
            : req.sendBuffer(Buffer.buffer("[\"{\\\"type\\\":\\\"ping\\\"}\"]")));
        String id = res.getHeader("X-Request-Id");
        assertTrue(GENERATED.matcher(String.valueOf(id)).matches(), transport + ": " + res.statusCode() + " " + id);
        lineOf(access, "/eventbus/" + server + "/REDACTED/" + transport + "?token=REDACTED", id);
      }
      for (String uri : new String[] {"/eventbus/websocket", "/eventbus/s-ws/abc/websocket"}) {
        try (RawSocket socket = RawSocket.open(service.port())) {
          String head = socket.upgrade(uri + "?token=" + token, "X-Request-Id: mine\r\n");
          assertTrue(head.startsWith("HTTP/1.1 101"), head);
          String id = headId(head);
          assertTrue(GENERATED.matcher(id).matches(), head);
          ILoggingEvent line = access.await(" upgrade id=" + id);
          assertTrue(line.getFormattedMessage().contains(" GET " + uri.replace("/abc/", "/REDACTED/") + "?token=REDACTED upgrade"),
              line.getFormattedMessage());
          assertEquals(id, LogLines.value(line, "requestId"));
          assertEquals("upgrade", LogLines.value(line, "status"));
        }
      }
      try (RawSocket socket = RawSocket.open(service.port())) {
        String head = socket.upgrade("/eventbus/websocket?mark=refused");
        assertTrue(head.startsWith("HTTP/1.1 401"), head);
        String id = headId(head);
        lineOf(access, "/eventbus/websocket?mark=refused", id);
      }
    }
  }

  @Test
  void aTrustedProxysIdIsKeptWhenWellFormed() {
    service.start(new JsonObject().put("http", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1"))));
    String longest = "a".repeat(64);
    for (String kept : new String[] {"abc.DEF_12-3", longest, "7"}) {
      assertEquals(kept, get("/health", null, kept).getHeader("X-Request-Id"));
    }
    for (String replaced : new String[] {longest + "b", "has space", "semi;colon", "ünï", "a/b"}) {
      String id = get("/health", null, replaced).getHeader("X-Request-Id");
      assertNotEquals(replaced, id);
      assertTrue(GENERATED.matcher(id).matches(), replaced + " -> " + id);
    }
    assertTrue(GENERATED.matcher(get("/health", null, null).getHeader("X-Request-Id")).matches());
  }

  private WebClient web() {
    get("/health", null, null); // creates the client
    return web;
  }

  private static String headId(String head) {
    Matcher m = HEAD_ID.matcher(head);
    assertTrue(m.find(), "X-Request-Id in " + head);
    return m.group(1);
  }
}
