package dev.vertxchat.bridge;

import dev.vertxchat.bus.RoomMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One room's chat messages, published by several nodes, handed on to the room's subscribers on this
 * verticle in id order, each once. Each message comes with {@code prev}, the id of the room's message
 * stored before it; {@code last} is the id of the last message handed on:
 * <ul>
 *   <li>{@code id <= last}: a duplicate (read from the database already), dropped;</li>
 *   <li>{@code prev <= last}: the next one, handed on, followed by the early ones it unblocks;</li>
 *   <li>otherwise it is early: it waits (at most {@code maxEarly} of them) while its predecessors are
 *       on their way; if they do not all arrive within {@code gapWaitMs}, the gap is read from the
 *       database through {@link RoomCatchUp#after} (every message of the room with a smaller id is
 *       committed: the store takes a room's ids only while it holds the room's head row). Too many early
 *       ones: they are dropped and everything after {@code last} is read from the database instead. An
 *       early message that a complete read did not find (the room's messages were deleted meanwhile) is
 *       handed on, so that the room does not stall.</li>
 * </ul>
 * A fresh sequencer knows no {@code last}: {@link #start} (once the room's consumer is registered in the
 * cluster) reads the room's head, and what arrives meanwhile waits. Every message committed after that read
 * is published after it, so it reaches the consumer; up to the head is in the history a client reads after
 * joining. A failed read is retried with a growing delay (at most {@link #RETRY_MAX_MS}), logged once per
 * failure streak; nothing is handed on out of order meanwhile. Runs on one context (its verticle's): every
 * method is called there, and the catch-up's answers are brought back to it.
 */
final class RoomSequencer {
  private static final Logger LOG = LoggerFactory.getLogger(RoomSequencer.class);
  private static final QuietLog FAILED = new QuietLog(LOG, 10);
  /** How long an early message waits for its predecessors to be published before they are read. */
  static final long GAP_WAIT_MS = 50;
  /** Early messages held per room; one more and they are read from the database instead. */
  static final int MAX_EARLY = 1000;
  /** Messages read from the database at once. */
  static final int CATCH_UP_PAGE = 200;
  static final long RETRY_FIRST_MS = 100;
  static final long RETRY_MAX_MS = 5000;
  private static final long UNKNOWN = -1;

  private record Early(long prev, RoomMessage message) {}

  private final Vertx vertx;
  private final Context context;
  private final String room;
  private final RoomCatchUp catchUp;
  private final Consumer<RoomMessage> sink;
  private final long gapWaitMs;
  private final int maxEarly;
  private final int page;
  private final Promise<Void> started = Promise.promise();
  /** Arrived before their predecessors, by id. */
  private final TreeMap<Long, Early> early = new TreeMap<>();
  private long last = UNKNOWN;
  /** A read of everything after {@link #last} is due (a gap, an overflow, a node left, a full page). */
  private boolean owed;
  /** A read (head or catch-up) is on its way; nothing else is read meanwhile. */
  private boolean reading;
  private long gapTimer = -1;
  private long retryTimer = -1;
  private long retryDelay = RETRY_FIRST_MS;
  private boolean failing;
  private boolean closed;

  RoomSequencer(Vertx vertx, Context context, String room, RoomCatchUp catchUp, Consumer<RoomMessage> sink) {
    this(vertx, context, room, catchUp, sink, GAP_WAIT_MS, MAX_EARLY, CATCH_UP_PAGE);
  }

  RoomSequencer(Vertx vertx, Context context, String room, RoomCatchUp catchUp, Consumer<RoomMessage> sink,
                long gapWaitMs, int maxEarly, int page) { // tests shorten the wait, buffer and page
    this.vertx = vertx;
    this.context = context;
    this.room = room;
    this.catchUp = catchUp;
    this.sink = sink;
    this.gapWaitMs = gapWaitMs;
    this.maxEarly = maxEarly;
    this.page = page;
  }

  /**
   * Reads the room's head as the starting point; call once, when the room's consumer is registered.
   * Completes when it is known (a failed read is retried); fails if the sequencer is closed first.
   */
  Future<Void> start() {
    if (!reading && last == UNKNOWN && !closed) {
      readHead();
    }
    return started.future();
  }

  /** The id of the last message handed on; -1 before {@link #start} read the head. */
  long last() {
    return last;
  }

  /** A stored chat message published with header {@code prev}. */
  void offer(RoomMessage message, long prev) {
    if (closed) {
      return;
    }
    Long boxed = message.envelope().id();
    if (boxed == null) {
      sink.accept(message); // nothing to order it by
      return;
    }
    long id = boxed;
    if (last != UNKNOWN && (id <= last || prev <= last)) {
      if (id > last) { // else a duplicate
        handOn(id, message);
        drain();
      }
      return; // a gap timer left running finds what is still early, if anything
    }
    early.put(id, new Early(prev, message));
    if (early.size() > maxEarly) {
      LOG.debug("Room {}: more than {} messages arrived before their predecessors; reading them from the database", room, maxEarly);
      early.clear();
      owed = true;
      cancelGap();
    }
    settle();
  }

  /** Reads whatever was committed after {@link #last} (a node left: it may have committed without publishing). */
  void catchUp() {
    if (closed || last == UNKNOWN) {
      return; // the head read on its way is the starting point
    }
    owed = true;
    settle();
  }

  /** Stops: timers cancelled, early messages dropped, answers on their way ignored. */
  void close() {
    closed = true;
    cancelGap();
    vertx.cancelTimer(retryTimer);
    early.clear();
    started.tryFail("the room's subscription was dropped");
  }

  /** After any change: hands on what it can, then reads, waits for a gap or rests. */
  private void settle() {
    if (closed || reading || retryTimer >= 0 || last == UNKNOWN) {
      return; // what is on its way settles again when it is done
    }
    drain();
    if (owed) {
      readAfter();
    } else if (early.isEmpty()) {
      cancelGap();
    } else if (gapTimer < 0) {
      gapTimer = vertx.setTimer(gapWaitMs, id -> {
        gapTimer = -1;
        if (!closed && !early.isEmpty()) {
          owed = true;
          settle();
        }
      });
    }
  }

  private void drain() {
    while (!early.isEmpty()) {
      Map.Entry<Long, Early> first = early.firstEntry();
      if (first.getKey() > last && first.getValue().prev() > last) {
        return;
      }
      early.pollFirstEntry();
      if (first.getKey() > last) {
        handOn(first.getKey(), first.getValue().message());
      }
    }
  }

  private void handOn(long id, RoomMessage message) {
    last = id;
    sink.accept(message);
  }

  private void readHead() {
    reading = true;
    catchUp.head(room).onComplete(ar -> onContext(() -> {
      reading = false;
      if (closed) {
        return;
      }
      if (ar.failed() || ar.result() == null) {
        retry(ar.failed() ? ar.cause() : new IllegalStateException("no head"));
        return;
      }
      recovered();
      last = ar.result();
      early.headMap(last, true).clear();
      started.tryComplete();
      settle();
    }));
  }

  private void readAfter() {
    owed = false;
    reading = true;
    cancelGap();
    // the early messages held now had their predecessors committed before this read starts
    long covers = early.isEmpty() ? UNKNOWN : early.lastKey();
    catchUp.after(room, last, page).onComplete(ar -> onContext(() -> {
      reading = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        owed = true;
        retry(ar.cause());
        return;
      }
      recovered();
      List<RoomMessage> read = ar.result();
      for (RoomMessage message : read) {
        Long id = message.envelope().id();
        if (id != null && id > last) {
          handOn(id, message);
        }
      }
      early.headMap(last, true).clear();
      if (read.size() >= page) {
        owed = true; // there may be more
      } else {
        skipVanished(covers);
      }
      settle();
    }));
  }

  /**
   * After a complete read: an early message held before it started that is still waiting was not in the
   * database, nor its predecessor (the room's messages were deleted since); no read will find them, and
   * waiting would stall the room, so it is handed on, in order.
   */
  private void skipVanished(long covers) {
    while (!early.isEmpty() && early.firstKey() <= covers && early.firstEntry().getValue().prev() > last) {
      Map.Entry<Long, Early> first = early.pollFirstEntry();
      LOG.debug("Room {}: message {} and its predecessor {} are no longer in the database; handed on", room,
          first.getKey(), first.getValue().prev());
      handOn(first.getKey(), first.getValue().message());
      drain();
    }
  }

  private void retry(Throwable cause) {
    if (!failing) {
      failing = true;
      FAILED.warn("Reading room {} from the database failed (retrying, its new messages wait): {}", room, cause.toString());
    }
    long delay = retryDelay;
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      if (closed) {
        return;
      }
      if (last == UNKNOWN) {
        readHead();
      } else {
        settle();
      }
    });
  }

  private void recovered() {
    retryDelay = RETRY_FIRST_MS;
    if (failing) {
      failing = false;
      LOG.info("Reading room {} from the database works again", room);
    }
  }

  private void cancelGap() {
    vertx.cancelTimer(gapTimer);
    gapTimer = -1;
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
