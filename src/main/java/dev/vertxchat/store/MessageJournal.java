package dev.vertxchat.store;

import dev.vertxchat.store.MessageStore.NewMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The durable commit point for chat messages: an append-only log under {@code <data.dir>/journal}.
 * Whoever {@link #open opens} it owns it and {@link #close closes} it; there must be one per data
 * directory and process, shared by everyone who appends or reads ({@link #append}, {@link #caughtUp}
 * and {@link #close} are safe from any event loop). A batch is acknowledged once its records are
 * written to the log file (one {@code write} per batch; with {@code store.fsync} also forced to the
 * device). The records are then copied into the H2 {@code messages} table in large batches in the
 * background ("indexing"), and a log segment is deleted only after everything in it is committed
 * there. At start the log is replayed: records the table misses are inserted before the service takes
 * traffic.
 *
 * <p>The parts, one job each: {@link JournalRecord} (the record format: CRC-32 hex, tab, JSON,
 * newline; a torn or corrupt record ends its segment's replay, it was never acknowledged),
 * {@link JournalSegments} (the files), {@link JournalWriter} (appends and id allocation),
 * {@link JournalBacklog} (backpressure: {@code store.maxUnindexed}), {@link JournalIndexer} (the copy
 * into the table, and readers waiting for it), {@link JournalReplay} (start-up).
 *
 * <p>Threads: every file operation, id allocation and the backlog belong to one worker thread (the
 * journal thread, {@link JournalWriter}); the copy into the table runs on another (the indexer thread,
 * {@link JournalIndexer}), so an append never waits for the database. Tasks are submitted unordered on
 * purpose: Vert.x orders "ordered" blocking tasks per calling context across all executors, which would
 * queue appends behind a running copy; each executor has one thread, so its own tasks still run in
 * submission order. Readers wait on {@link #caughtUp()} so a history query sees every message
 * acknowledged before it.
 */
public final class MessageJournal implements JournalStatus {

  /** Tuning, from the {@code store.*} configuration. */
  public record Options(boolean fsync, long indexIntervalMs, int indexBatchMax, int maxUnindexed) {}

  private final Vertx vertx;
  private final Options options;
  private final JournalWriter writer;
  private final JournalIndexer indexer;
  private volatile long timer = -1;
  private Promise<Void> closing; // guarded by this

  private MessageJournal(Vertx vertx, Options options, JournalWriter writer, JournalIndexer indexer) {
    this.vertx = vertx;
    this.options = options;
    this.writer = writer;
    this.indexer = indexer;
  }

  /**
   * Opens the journal of {@code dataDir}: replays what it holds into the table, then takes appends and
   * copies them into the table every {@code indexIntervalMs} (sooner at {@code indexBatchMax} waiting).
   * Open one per data directory and process, and {@link #close()} it once.
   */
  public static Future<MessageJournal> open(Vertx vertx, String dataDir, Options options) {
    return open(vertx, dataDir, options, nanos -> { });
  }

  /**
   * As {@link #open(Vertx, String, Options)}; {@code copied} hears how long each copy of messages into the
   * table took, in nanoseconds (on the indexer's thread).
   */
  public static Future<MessageJournal> open(Vertx vertx, String dataDir, Options options, LongConsumer copied) {
    Path dir = Path.of(dataDir).toAbsolutePath().normalize().resolve("journal");
    String suffix = Integer.toHexString(dir.hashCode());
    WorkerExecutor journalThread = vertx.createSharedWorkerExecutor("vertxchat-journal-" + suffix, 1);
    WorkerExecutor indexerThread = vertx.createSharedWorkerExecutor("vertxchat-indexer-" + suffix, 1);
    JournalSegments segments = new JournalSegments(dir);
    JournalWriter writer = new JournalWriter(journalThread, segments, new JournalBacklog(options.maxUnindexed()),
        options.fsync());
    JournalIndexer indexer = new JournalIndexer(vertx, indexerThread, dataDir, writer, copied);
    MessageJournal journal = new MessageJournal(vertx, options, writer, indexer);
    return JournalReplay.run(journalThread, segments, indexer)
        .compose(top -> writer.start(top).map(top))
        .map(top -> {
          indexer.startAt(top);
          journal.timer = vertx.setPeriodic(options.indexIntervalMs(), id -> journal.indexIfDue(true));
          return journal;
        })
        .recover(err -> journal.close().transform(ar -> Future.failedFuture(err)));
  }

  /**
   * Writes a batch to the log: ids are allocated here, after every id written before. Callers must not
   * append concurrently if they care about the order in which they see the results (the send pipeline
   * holds its lock); appends themselves are serialized on the journal thread. Refused with
   * {@code UNAVAILABLE} when {@code store.maxUnindexed} messages already wait for the copy (nothing of
   * the batch is written then) and once the journal is closed.
   */
  public Future<List<MessageStore.Stored>> append(List<NewMessage> batch, long ts) {
    return writer.append(batch, ts).onSuccess(stored -> indexIfDue(false));
  }

  /** Completes once every message acknowledged so far is in the table. */
  public Future<Void> caughtUp() {
    return indexer.caughtUp(writer.lastAppended());
  }

  /** Messages stored but not yet copied into the table. */
  public int unindexed() {
    return writer.backlog();
  }

  @Override
  public int backlog() {
    return writer.backlog();
  }

  @Override
  public int backlogLimit() {
    return options.maxUnindexed();
  }

  @Override
  public String lastCopyFailure() {
    return indexer.lastFailure();
  }

  /** One copy into the table now (or the one running). */
  Future<Void> index() {
    return indexer.index();
  }

  private void indexIfDue(boolean force) {
    int pending = writer.backlog();
    if (pending > 0 && (force || pending >= options.indexBatchMax())) {
      indexer.index();
    }
  }

  /**
   * Copies what is left into the table (what cannot be copied stays in the journal for the next
   * start) and closes: appends and reads fail with {@code UNAVAILABLE} from then on. Safe to call more
   * than once; every call gets the same result.
   */
  public Future<Void> close() {
    Promise<Void> promise;
    synchronized (this) {
      if (closing != null) {
        return closing.future();
      }
      closing = promise = Promise.promise();
    }
    vertx.cancelTimer(timer);
    // a round that was already running may have cut before the last appends: one more takes those
    indexer.index().transform(ar -> indexer.index())
        .otherwiseEmpty()
        .compose(v -> indexer.stop())
        .compose(v -> writer.close())
        .eventually(indexer::close)
        .onComplete(promise);
    return promise.future();
  }
}
