package dev.vertxchat.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The events of one logger (and its children) at {@code level} or above while open; a test awaits the
 * one it caused (10 s at most). Closing restores the logger's level.
 */
public final class LogLines implements AutoCloseable {
  private final Logger logger;
  private final Level before;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      synchronized (LogLines.this) {
        super.append(event);
        LogLines.this.notifyAll();
      }
    }
  };

  public LogLines(String loggerName, Level level) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    before = logger.getLevel();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(level);
  }

  public LogLines(Class<?> loggerClass, Level level) {
    this(loggerClass.getName(), level);
  }

  /** The first event whose formatted message contains {@code text}. */
  public ILoggingEvent await(String text) throws InterruptedException {
    return await(e -> e.getFormattedMessage().contains(text), "a line containing " + text);
  }

  public synchronized ILoggingEvent await(Predicate<ILoggingEvent> match, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      for (ILoggingEvent e : appender.list) {
        if (match.test(e)) {
          return e;
        }
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("no " + what + " within 10 s: " + lines());
      }
      wait(left);
    }
  }

  public synchronized List<String> lines() {
    List<String> out = new ArrayList<>();
    appender.list.forEach(e -> out.add(e.getFormattedMessage()));
    return out;
  }

  /** The value of an event's key-value pair {@code key}; null when it has none. */
  public static Object value(ILoggingEvent event, String key) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        if (pair.key.equals(key)) {
          return pair.value;
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(before);
    appender.stop();
  }
}
