package dev.vertxchat.chat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Watches the usable space of the file store holding the data directory, once a second on a worker
 * thread (never per message, never on an event loop). {@link #low()} says whether it is below
 * {@code store.minFreeDiskBytes}; sends are refused while it is. A minimum of 0 switches the watch off.
 */
final class DiskSpace {
  private static final Logger LOG = LoggerFactory.getLogger(DiskSpace.class);
  static final long INTERVAL_MS = 1000;

  private final Vertx vertx;
  private final Path dir;
  private final long minFree;
  private volatile boolean low;
  private volatile boolean stopped;
  private boolean failing;
  private long timer = -1;

  DiskSpace(Vertx vertx, Path dir, long minFree) {
    this.vertx = vertx;
    this.dir = dir;
    this.minFree = minFree;
  }

  /** Checks once, then every second; completes after the first check. */
  Future<Void> start() {
    if (minFree <= 0) {
      return Future.succeededFuture();
    }
    return check().onComplete(ar -> schedule()).mapEmpty();
  }

  void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  boolean low() {
    return low;
  }

  private void schedule() {
    if (!stopped) {
      // the next check is timed from the end of this one, so checks never pile up on a slow disk
      timer = vertx.setTimer(INTERVAL_MS, id -> check().onComplete(ar -> schedule()));
    }
  }

  private Future<Long> check() {
    return vertx.executeBlocking(() -> Files.getFileStore(dir).getUsableSpace(), false)
        .onSuccess(usable -> {
          boolean nowLow = usable < minFree;
          if (nowLow != low) {
            if (nowLow) {
              LOG.warn("Data directory {} has {} bytes usable, less than store.minFreeDiskBytes {}: refusing new messages",
                  dir, usable, minFree);
            } else {
              LOG.info("Data directory {} has {} bytes usable again: accepting messages", dir, usable);
            }
          }
          low = nowLow;
          failing = false;
        })
        .onFailure(err -> {
          // the last known answer stays; a lasting failure is logged once
          if (!failing) {
            failing = true;
            LOG.warn("Cannot read the free space of {}", dir, err);
          }
        });
  }
}
