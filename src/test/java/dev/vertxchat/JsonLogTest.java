package dev.vertxchat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.chat.ChatVerticle;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.LogLines;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.ServiceProcess;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code log.format=json}: the service started as production starts it (the launcher, conf/logback.xml,
 * {@code CHAT_LOG_FORMAT=json}) writes nothing but JSON objects, one per line, from its first line to its
 * last; access lines carry the request id and the user, a bridge close line the user and the close code.
 */
class JsonLogTest {
  @TempDir
  Path tmp;
  @RegisterExtension
  final ChatService service = new ChatService();
  private ServiceProcess child;

  @AfterEach
  void kill() {
    if (child != null) {
      child.kill();
    }
  }

  /** The key-value pairs of a JSON line ({@code kvpList}: objects of one pair each) as one object. */
  static JsonObject pairs(JsonObject line) {
    JsonObject out = new JsonObject();
    for (Object pair : line.getJsonArray("kvpList", new JsonArray())) {
      out.mergeIn((JsonObject) pair);
    }
    return out;
  }

  @Test
  void theProcessLogsOneJsonObjectPerLine() throws Exception {
    Vertx vertx = service.vertx(); // for the clients; the service under test is the child process
    Path config = Files.writeString(tmp.resolve("config.json"), TestServer.baseConfig(tmp.resolve("data")).encode());
    child = ServiceProcess.start(tmp.resolve("work"), config, Map.of("CHAT_LOG_FORMAT", "json"), List.of(),
        List.of("-Dlogback.configurationFile=" + Path.of("conf/logback.xml").toAbsolutePath()));
    int port = child.awaitPort();
    Http http = new Http(vertx, port);
    JsonObject session = http.guest("jsonlogged");
    String token = session.getString("token");
    String user = session.getJsonObject("user").getString("id");
    HttpResponse<Buffer> rooms = http.get("/api/rooms?mark=json", token);
    assertEquals(200, rooms.statusCode());
    String requestId = rooms.getHeader("X-Request-Id");
    assertNotNull(requestId);

    BridgeClient bridge = BridgeClient.connect(vertx, port, token, BridgeClient.Transport.RAW);
    bridge.write("x".repeat(70_000)); // past limits.maxFrameBytes: the server closes with 1009
    assertEquals(1009, bridge.awaitClose());
    assertNotNull(child.awaitLine(l -> l.contains("Bridge connection closed: user=" + user), 10_000), child.output());
    http.close();

    // SIGTERM through the handle (Process.destroy() would also close our end of its output): the stop lines too
    assertTrue(child.process().toHandle().destroy());
    child.awaitExit(30_000);

    List<JsonObject> lines = new ArrayList<>();
    for (String line : child.output().split("\n")) {
      try {
        lines.add(new JsonObject(line));
      } catch (DecodeException e) {
        fail("not a JSON object: " + line + "\noutput:\n" + child.output());
      }
    }
    assertTrue(lines.size() >= 5, child.output());
    for (JsonObject line : lines) {
      for (String field : new String[] {"timestamp", "level", "threadName", "loggerName", "formattedMessage"}) {
        assertNotNull(line.getValue(field), field + " in " + line.encode());
      }
    }
    JsonObject access = lines.stream().filter(l -> "dev.vertxchat.http.access".equals(l.getString("loggerName"))
        && l.getString("formattedMessage").contains("GET /api/rooms?mark=json ")).findFirst().orElseThrow(() ->
        new AssertionError("no access line of GET /api/rooms in\n" + child.output()));
    JsonObject accessPairs = pairs(access);
    assertEquals(requestId, accessPairs.getString("requestId"), access.encode());
    assertEquals(user, accessPairs.getString("user"), access.encode());
    assertEquals("200", String.valueOf(accessPairs.getValue("status")), access.encode());
    assertTrue(access.getString("formattedMessage").endsWith(" id=" + requestId), access.encode());

    JsonObject closed = lines.stream().filter(l -> l.getString("formattedMessage").startsWith("Bridge connection closed: user=" + user))
        .findFirst().orElseThrow();
    JsonObject closedPairs = pairs(closed);
    assertEquals(user, closedPairs.getString("user"), closed.encode());
    assertEquals("1009", String.valueOf(closedPairs.getValue("code")), closed.encode());
    assertEquals("websocket", closedPairs.getString("transport"), closed.encode());
    assertFalse(child.output().contains(token), "no token in the log");
    assertTrue(lines.stream().anyMatch(l -> l.getString("formattedMessage").startsWith("vertx-chat stopped in")), child.output());
  }

  /** A refused chat request is a DEBUG line of the chat verticle with the user, the room and the code as pairs. */
  @Test
  void aChatRefusalCarriesUserRoomAndCode() throws InterruptedException {
    Http http = service.http();
    JsonObject session = http.guest("refused");
    String token = session.getString("token");
    String user = session.getJsonObject("user").getString("id");
    try (LogLines chat = new LogLines(ChatVerticle.class, Level.DEBUG)) {
      assertEquals(404, http.post("/api/rooms/no-such-room/messages", token, new JsonObject().put("text", "hi")).statusCode());
      ILoggingEvent line = chat.await("refused: room=no-such-room code=" + ErrorCodes.ROOM_NOT_FOUND);
      assertEquals(user, LogLines.value(line, "user"));
      assertEquals("no-such-room", LogLines.value(line, "room"));
      assertEquals(ErrorCodes.ROOM_NOT_FOUND, LogLines.value(line, "code"));

      assertEquals(400, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", " ")).statusCode());
      ILoggingEvent blank = chat.await("refused: room=general code=" + ErrorCodes.INVALID_TEXT);
      assertEquals("general", LogLines.value(blank, "room"));

      assertEquals(400, http.post("/api/rooms/Not%0AA%20Room/messages", token, new JsonObject().put("text", "x")).statusCode());
      ILoggingEvent invalid = chat.await("refused: room=- code=" + ErrorCodes.INVALID_ROOM);
      assertEquals(null, LogLines.value(invalid, "room"), "a client's text is not logged");
    }
  }

  /** In one JVM the format follows each start's configuration: json, then text again as the logback file made it. */
  @Test
  void theConsoleFollowsTheConfiguredFormat() {
    ConsoleAppender<?> console = console();
    assertInstanceOf(PatternLayoutEncoder.class, console.getEncoder(), "text by default");
    service.start(new JsonObject().put("log", new JsonObject().put("format", "json")));
    assertInstanceOf(JsonEncoder.class, console.getEncoder());
    TestServer text = TestServer.start(service.vertx(), tmp.resolve("text"), new JsonObject().put("log", new JsonObject().put("format", "text")));
    try {
      assertInstanceOf(PatternLayoutEncoder.class, console.getEncoder(), "back to the configured encoder");
    } finally {
      text.stop();
    }
  }

  private static ConsoleAppender<?> console() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    return (ConsoleAppender<?>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
  }
}
