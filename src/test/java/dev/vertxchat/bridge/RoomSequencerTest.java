package dev.vertxchat.bridge;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RoomSequencer}: a room's messages, arriving as several nodes publish them, handed on in id order,
 * each once, gaps filled from a (fake) database.
 */
class RoomSequencerTest {
  private static final String ROOM = "general";
  private static final UserRef ANN = new UserRef("g-ann", "ann");
  /** Long enough that a test relying on the predecessor's publication never reads the database. */
  private static final long NEVER = 60_000;

  private Vertx vertx;
  private Context context;
  private final FakeCatchUp db = new FakeCatchUp();
  private final List<Long> delivered = new CopyOnWriteArrayList<>();
  private final List<Promise<Void>> waiting = new ArrayList<>();
  private int awaitedCount;
  private RoomSequencer sequencer;

  /** The committed messages of the room; head and after answer from them. */
  private static final class FakeCatchUp implements RoomCatchUp {
    final TreeMap<Long, RoomMessage> committed = new TreeMap<>();
    final List<Long> afterCalls = new CopyOnWriteArrayList<>();
    final AtomicInteger headCalls = new AtomicInteger();
    /** after() calls that fail before one succeeds. */
    volatile int failures;
    /** When set, head() answers with it (completed by the test, from the test's thread). */
    volatile Promise<Long> heldHead;

    synchronized void commit(long... ids) {
      for (long id : ids) {
        committed.put(id, message(id));
      }
    }

    @Override
    public synchronized Future<List<RoomMessage>> after(String room, long afterId, int limit) {
      afterCalls.add(afterId);
      if (failures > 0) {
        failures--;
        return Future.failedFuture(new IllegalStateException("database down"));
      }
      return Future.succeededFuture(new ArrayList<>(committed.tailMap(afterId, false).values()).subList(0,
          Math.min(limit, committed.tailMap(afterId, false).size())));
    }

    @Override
    public synchronized Future<Long> head(String room) {
      headCalls.incrementAndGet();
      if (heldHead != null) {
        return heldHead.future();
      }
      return Future.succeededFuture(committed.isEmpty() ? 0L : committed.lastKey());
    }
  }

  static RoomMessage message(long id) {
    return RoomMessage.of(Envelope.chat(id, ROOM, ANN, "m" + id, 1000 + id));
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() {
    await(vertx.close());
  }

  /** Runs {@code action} on the sequencer's context and returns its result. */
  private <T> T on(Callable<T> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        done.complete(action.call());
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return await(done.future());
  }

  private void run(Runnable action) {
    on(() -> {
      action.run();
      return null;
    });
  }

  private void sink(RoomMessage m) {
    delivered.add(m.envelope().id());
    synchronized (waiting) {
      if (delivered.size() >= awaitedCount) {
        waiting.forEach(Promise::tryComplete);
        waiting.clear();
      }
    }
  }

  /** Waits (at most 10 s) until {@code n} messages were handed on. */
  private void awaitDelivered(int n) {
    Promise<Void> enough = Promise.promise();
    synchronized (waiting) {
      if (delivered.size() >= n) {
        return;
      }
      awaitedCount = n;
      waiting.add(enough);
    }
    try {
      await(enough.future().timeout(10, TimeUnit.SECONDS));
    } catch (RuntimeException e) {
      throw new AssertionError("expected " + n + " messages, got " + delivered, e);
    }
  }

  private void create(long gapWaitMs, int maxEarly, int page) {
    sequencer = on(() -> new RoomSequencer(vertx, context, ROOM, db, this::sink, gapWaitMs, maxEarly, page));
  }

  /** A sequencer started on the fake database's current head. */
  private void started(long gapWaitMs, int maxEarly, int page) {
    create(gapWaitMs, maxEarly, page);
    await(on(() -> sequencer.start()));
  }

  private void offer(long id, long prev) {
    run(() -> sequencer.offer(message(id), prev));
  }

  @Test
  void messagesInOrderAreHandedOnAtOnceWithoutReadingTheDatabase() {
    started(NEVER, 100, 10);
    offer(1, 0);
    offer(2, 1);
    offer(3, 2);
    assertEquals(List.of(1L, 2L, 3L), delivered);
    assertEquals(3L, on(() -> sequencer.last()));
    assertTrue(db.afterCalls.isEmpty());
  }

  @Test
  void duplicatesAreDropped() {
    started(NEVER, 100, 10);
    offer(1, 0);
    offer(1, 0);
    offer(2, 1);
    offer(1, 0);
    offer(2, 1);
    assertEquals(List.of(1L, 2L), delivered);
  }

  @Test
  void anEarlyMessageWaitsForItsPredecessor() {
    started(NEVER, 100, 10);
    offer(3, 2);
    offer(2, 1);
    assertEquals(List.of(), delivered, "nothing before message 1");
    offer(1, 0);
    assertEquals(List.of(1L, 2L, 3L), delivered);
    offer(4, 3);
    assertEquals(List.of(1L, 2L, 3L, 4L), delivered);
    assertTrue(db.afterCalls.isEmpty(), "the late publication arrived: nothing read");
  }

  @Test
  void aGapIsFilledFromTheDatabaseAfterTheWaitAndLatePublicationsAreDropped() {
    started(20, 100, 10);
    db.commit(1, 2, 3);
    offer(3, 2);
    awaitDelivered(3);
    assertEquals(List.of(1L, 2L, 3L), delivered);
    assertEquals(List.of(0L), db.afterCalls);
    offer(1, 0);
    offer(2, 1);
    offer(4, 3);
    assertEquals(List.of(1L, 2L, 3L, 4L), delivered);
  }

  @Test
  void idsNeedNotBeContiguous() {
    started(NEVER, 100, 10);
    // ids come from one sequence for every room: a room's ids have holes
    offer(7, 0);
    offer(19, 7);
    offer(40, 19);
    assertEquals(List.of(7L, 19L, 40L), delivered);
  }

  @Test
  void aFullBufferIsDroppedAndEverythingIsReadFromTheDatabase() {
    started(NEVER, 3, 10);
    db.commit(1, 2, 3, 4, 5, 6);
    offer(6, 5);
    offer(5, 4);
    offer(4, 3);
    assertEquals(List.of(), delivered);
    assertTrue(db.afterCalls.isEmpty(), "three early ones fit");
    offer(3, 2);
    awaitDelivered(6);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), delivered);
    assertEquals(List.of(0L), db.afterCalls);
    offer(2, 1);
    assertEquals(6, delivered.size());
  }

  @Test
  void aFailedCatchUpIsRetriedAndNothingIsHandedOnOutOfOrderMeanwhile() {
    started(10, 100, 10);
    db.commit(1, 2);
    db.failures = 2;
    offer(2, 1);
    awaitDelivered(2);
    assertEquals(List.of(1L, 2L), delivered);
    assertEquals(3, db.afterCalls.size(), "two failures, then success: " + db.afterCalls);
  }

  @Test
  void messagesArrivingWhileTheDatabaseFailsWaitInOrder() {
    started(10, 100, 10);
    db.commit(1, 2, 3);
    db.failures = 1;
    offer(2, 1);
    offer(3, 2);
    // the first read fails; the retry comes RETRY_FIRST_MS later
    awaitDelivered(3);
    assertEquals(List.of(1L, 2L, 3L), delivered);
  }

  @Test
  void aLongGapIsReadPageByPage() {
    started(10, 100, 2);
    db.commit(1, 2, 3, 4, 5);
    offer(5, 4);
    awaitDelivered(5);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), delivered);
    // two full pages, then the held message 5 follows 4, and a last read (a full page may have more) finds nothing
    assertEquals(List.of(0L, 2L, 5L), db.afterCalls);
  }

  @Test
  void anEarlyMessageThatIsNoLongerInTheDatabaseIsHandedOnAfterOneRead() {
    started(10, 100, 10);
    offer(1, 0);
    // 2 and 3 were committed, then the room's messages deleted before the gap was read: 3 must not wait forever
    offer(3, 2);
    awaitDelivered(2);
    assertEquals(List.of(1L, 3L), delivered);
    assertEquals(List.of(1L), db.afterCalls, "one read, which found nothing");
    offer(4, 3);
    assertEquals(List.of(1L, 3L, 4L), delivered);
  }

  @Test
  void aFreshSequencerStartsAtTheHeadAndHoldsWhatArrivesMeanwhile() {
    db.heldHead = Promise.promise();
    create(NEVER, 100, 10);
    Future<Void> start = on(() -> sequencer.start());
    offer(5, 4);
    offer(6, 5);
    assertFalse(start.isComplete());
    assertEquals(List.of(), delivered, "nothing before the head is known");
    db.heldHead.complete(5L); // from the test's thread: the answer is brought back to the context
    await(start);
    awaitDelivered(1);
    assertEquals(List.of(6L), delivered, "5 is at or below the head: in the history the client reads next");
    offer(7, 6);
    assertEquals(List.of(6L, 7L), delivered);
    assertTrue(db.afterCalls.isEmpty());
  }

  @Test
  void aFreshSequencerWhoseHeadIsOlderHandsOnTheHeldMessages() {
    db.heldHead = Promise.promise();
    create(NEVER, 100, 10);
    Future<Void> start = on(() -> sequencer.start());
    offer(6, 5);
    offer(5, 4);
    db.heldHead.complete(4L);
    await(start);
    awaitDelivered(2);
    assertEquals(List.of(5L, 6L), delivered);
  }

  @Test
  void aFreshSequencerRetriesAFailedHeadRead() {
    db.heldHead = Promise.promise();
    create(NEVER, 100, 10);
    Future<Void> start = on(() -> sequencer.start());
    db.heldHead.fail(new IllegalStateException("database down"));
    db.heldHead = null;
    db.commit(1, 2);
    await(start.timeout(10, TimeUnit.SECONDS));
    assertEquals(2L, on(() -> sequencer.last()));
    assertEquals(2, db.headCalls.get());
    offer(3, 2);
    assertEquals(List.of(3L), delivered);
  }

  @Test
  void aCatchUpReadsWhatADeadNodeCommittedButNeverPublished() {
    started(NEVER, 100, 10);
    offer(1, 0);
    db.commit(1, 2, 3);
    run(() -> sequencer.catchUp());
    awaitDelivered(3);
    assertEquals(List.of(1L, 2L, 3L), delivered);
    assertEquals(List.of(1L), db.afterCalls);
    offer(3, 2);
    offer(4, 3);
    assertEquals(List.of(1L, 2L, 3L, 4L), delivered);
  }

  @Test
  void aClosedSequencerHandsOnNothing() {
    db.heldHead = Promise.promise();
    create(NEVER, 100, 10);
    Future<Void> start = on(() -> sequencer.start());
    offer(1, 0);
    run(() -> sequencer.close());
    assertTrue(start.failed());
    db.heldHead.complete(0L);
    offer(2, 1);
    run(() -> sequencer.catchUp());
    assertEquals(List.of(), delivered);
    assertEquals(-1L, on(() -> sequencer.last()));
  }
}
