package dev.vertxchat.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.LogLines;
import dev.vertxchat.support.RawSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the access log writes of a client's request: its text escaped, and the client a trusted proxy names. */
class AccessLogTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  /** The access line of a request sent as raw bytes (what a terminal would get if they were written as sent). */
  private static ILoggingEvent rawRequest(LogLines access, int port, String requestLine, String headers, String mark)
      throws Exception {
    try (RawSocket socket = RawSocket.open(port)) {
      socket.send(requestLine + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n");
      socket.readUntilClosed(10_000);
    }
    return access.await(mark);
  }

  private static void assertNoControls(String text) {
    for (char c : text.toCharArray()) {
      assertTrue(c >= 0x20 && !(c >= 0x7F && c <= 0x9F), "control character " + (int) c + " in " + text);
    }
  }

  @Test
  void controlCharactersOfTheUriAndMethodAreEscapedAndTheJsonStaysValid() throws Exception {
    service.start();
    try (LogLines access = new LogLines("dev.vertxchat.http.access", Level.INFO)) {
      // ESC [2J (clear the screen), ESC [31m (red), BS, DEL, a C1 (NEL as a raw byte), a backslash
      ILoggingEvent line = rawRequest(access, service.port(), "GET /esc\u001b[2J\u001b[31mRED\b\u007f\u0085\\x?mark=ctl", "",
          "mark=ctl");
      String message = line.getFormattedMessage();
      assertNoControls(message);
      String logged = "/esc\\x1B[2J\\x1B[31mRED\\x08\\x7F\\x85\\x5Cx?mark=ctl";
      assertTrue(message.contains(" GET " + logged + " "), message);
      assertEquals(logged, LogLines.value(line, "uri"));

      // (a method is escaped the same way, see below: Netty answers 400 itself to one with a control character)
      JsonEncoder encoder = new JsonEncoder();
      encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
      encoder.setWithFormattedMessage(true);
      encoder.start();
      String json = new String(encoder.encode(line), StandardCharsets.UTF_8).strip();
      assertEquals(1, json.lines().count(), json);
      JsonObject parsed = new JsonObject(json);
      assertNoControls(parsed.getString("formattedMessage"));
      assertTrue(parsed.encode().contains(logged.replace("\\", "\\\\")), parsed.encode());
    }
  }

  @Test
  void escapingLeavesOrdinaryTextAloneAndMarksBidiControls() {
    assertEquals("/api/rooms?q=caf\u00e9&x=%1B", AccessLog.escape("/api/rooms?q=caf\u00e9&x=%1B"));
    assertEquals("a\\u202Eb\\u2066c\\x09d\\x0Ae\\x00", AccessLog.escape("a\u202Eb\u2066c\td\ne\u0000"));
    assertEquals("G\\x1BT", AccessLog.escape("G\u001bT"));
  }

  @Test
  void behindATrustedProxyTheLineNamesTheClientItForwards() throws Exception {
    service.start(new JsonObject().put("http", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1"))));
    try (LogLines access = new LogLines("dev.vertxchat.http.access", Level.INFO)) {
      ILoggingEvent line = rawRequest(access, service.port(), "GET /health?mark=proxied",
          "X-Forwarded-For: 198.51.100.7, 203.0.113.9\r\n", "mark=proxied");
      assertTrue(line.getFormattedMessage().startsWith("203.0.113.9 - GET /health?mark=proxied "), line.getFormattedMessage());
      assertEquals("203.0.113.9", LogLines.value(line, "client"));

      ILoggingEvent v6 = rawRequest(access, service.port(), "GET /health?mark=v6", "X-Forwarded-For: 2001:db8::1\r\n", "mark=v6");
      assertEquals("2001:db8::1", LogLines.value(v6, "client"), "the address, not the /64 the limits count by");

      ILoggingEvent bogus = rawRequest(access, service.port(), "GET /health?mark=bogus", "X-Forwarded-For: not-an-address\r\n",
          "mark=bogus");
      assertEquals("127.0.0.1", LogLines.value(bogus, "client"), "the proxy itself when it names nothing usable");
    }
  }

  @Test
  void withoutATrustedProxyAForwardedHeaderIsIgnored() throws Exception {
    service.start();
    try (LogLines access = new LogLines("dev.vertxchat.http.access", Level.INFO)) {
      ILoggingEvent line = rawRequest(access, service.port(), "GET /health?mark=direct", "X-Forwarded-For: 203.0.113.9\r\n",
          "mark=direct");
      assertTrue(line.getFormattedMessage().startsWith("127.0.0.1 - GET /health?mark=direct "), line.getFormattedMessage());
      assertEquals("127.0.0.1", LogLines.value(line, "client"));
    }
  }
}
