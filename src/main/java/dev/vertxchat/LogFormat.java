package dev.vertxchat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code log.format}: {@code text} leaves the console as the logback configuration made it
 * ({@code conf/logback.xml}); {@code json} gives every console appender logback's own
 * {@link JsonEncoder}, one JSON object per line: {@code timestamp} (epoch ms), {@code level},
 * {@code threadName}, {@code loggerName}, {@code message} (the pattern), {@code formattedMessage},
 * {@code kvpList} (the key-value pairs of the line: {@code user}, {@code room}, {@code code},
 * {@code requestId} ...), {@code mdc} and {@code throwable} when there is one.
 *
 * <p>Applied as soon as the configuration is known (it may come from the file, a {@code CHAT_*} variable
 * or a {@code -D} property), before anything about it is logged. Switching back to {@code text} restores
 * the encoders the configuration made (a second service in one JVM, in tests). Any other SLF4J backend
 * is left alone.
 */
final class LogFormat {
  /** The encoders the logback configuration gave the console appenders this class changed. */
  private static final Map<ConsoleAppender<ILoggingEvent>, Encoder<ILoggingEvent>> CONFIGURED = new IdentityHashMap<>();

  private LogFormat() {}

  static synchronized void apply(String format) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    boolean json = "json".equals(format);
    for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
      for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
          if (json && !CONFIGURED.containsKey(console)) {
            CONFIGURED.put(console, console.getEncoder());
            // a field write: lines being written at this moment (start-up) keep the encoder they began with
            console.setEncoder(jsonEncoder(context));
          } else if (!json && CONFIGURED.containsKey(console)) {
            console.setEncoder(CONFIGURED.remove(console));
          }
        }
      }
    }
  }

  private static JsonEncoder jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false); // the values are in formattedMessage, and typed in kvpList where they matter
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }
}
