package dev.vertxchat.bridge;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A log line about a hostile or broken client (a flood cut off, a slow consumer closed), written at
 * most once per period for the whole process, followed by how many like it were left out. A client
 * that reconnects to be cut off again and again must not be able to fill the operator's disk.
 */
public final class QuietLog {
  private final Logger log;
  private final long periodNanos;
  private final AtomicLong next = new AtomicLong(System.nanoTime());
  private final AtomicLong leftOut = new AtomicLong();

  public QuietLog(Logger log, long periodSeconds) {
    this.log = log;
    this.periodNanos = TimeUnit.SECONDS.toNanos(periodSeconds);
  }

  public void info(String format, Object... args) {
    if (due()) {
      log.info(format, args);
    }
  }

  public void warn(String format, Object... args) {
    if (due()) {
      log.warn(format, args);
    }
  }

  private boolean due() {
    long now = System.nanoTime();
    long at = next.get();
    if (now - at < 0 || !next.compareAndSet(at, now + periodNanos)) {
      leftOut.incrementAndGet();
      return false;
    }
    long skipped = leftOut.getAndSet(0);
    if (skipped > 0) {
      log.info("{} more lines like the next one were left out in the last {} s", skipped,
          TimeUnit.NANOSECONDS.toSeconds(periodNanos));
    }
    return true;
  }
}
