package dev.vertxchat.bridge;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.LogLines;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operators see each bridge connection end: one INFO line with the user, the transport, who closed it
 * and with which code, and how long it lasted (also as key-value pairs); never the token.
 */
class ConnectionLogTest {
  @RegisterExtension
  final ChatService service = new ChatService();
  private final Logger log = (Logger) LoggerFactory.getLogger(EventBusBridge.class);
  private final Level before = log.getLevel();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>() {
    @Override
    protected synchronized void append(ILoggingEvent event) {
      super.append(event);
      notifyAll();
    }
  };

  @BeforeEach
  void capture() {
    lines.start();
    log.addAppender(lines);
    log.setLevel(Level.INFO);
  }

  @AfterEach
  void release() {
    log.detachAppender(lines);
    log.setLevel(before);
  }

  private ILoggingEvent await(String contains) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (lines) {
      while (true) {
        for (ILoggingEvent e : lines.list) {
          if (e.getFormattedMessage().contains(contains)) {
            return e;
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AssertionError("no line containing " + contains + ": " + lines.list);
        }
        lines.wait(left);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aClosedConnectionIsLoggedOnceWithUserTransportCodeAndDuration(Transport transport) throws InterruptedException {
    String expected = switch (transport) {
      case RAW -> "websocket";
      case SOCKJS_WEBSOCKET -> "sockjs-websocket";
      case XHR_STREAMING -> "xhr-streaming";
      case XHR_POLLING -> "xhr-polling";
    };
    JsonObject session = service.http().guest("logged-" + transport.ordinal());
    String user = session.getJsonObject("user").getString("id");
    String token = session.getString("token");
    BridgeClient c = service.connect(token, transport);
    c.write("x".repeat(70_000)); // past limits.maxFrameBytes: the server closes with 1009
    c.awaitClose();
    ILoggingEvent event = await("user=" + user);
    String line = event.getFormattedMessage();
    assertTrue(line.startsWith("Bridge connection closed: user=" + user + " transport=" + expected + " code=1009"), line);
    assertTrue(line.contains(" by=server duration="), line);
    assertTrue(!line.contains(token), "no token in the line");
    // the same values as key-value pairs, which the JSON format writes as fields
    assertEquals(user, LogLines.value(event, "user"));
    assertEquals(expected, LogLines.value(event, "transport"));
    assertEquals(1009, LogLines.value(event, "code"));
    assertEquals("server", LogLines.value(event, "by"));
    synchronized (lines) {
      assertTrue(lines.list.stream().filter(e -> e.getFormattedMessage().contains("user=" + user)).count() == 1, "one line");
    }
  }
}
