package dev.vertxchat.bridge;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client cut off again and again leaves one log line per period, not one per connection. */
class QuietLogTest {
  @Test
  void aFloodOfCutOffsWritesOneLinePerPeriod() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.vertxchat.test.quiet");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    logger.setLevel(Level.INFO);
    try {
      QuietLog log = new QuietLog(logger, 3600);
      for (int i = 0; i < 100_000; i++) {
        log.warn("Closing a connection from {}", "127.0.0." + (i % 250));
      }
      assertEquals(1, lines.list.size(), "lines written: " + lines.list.size());
      assertEquals("Closing a connection from 127.0.0.0", lines.list.get(0).getFormattedMessage());
    } finally {
      logger.detachAppender(lines);
    }
  }
}
