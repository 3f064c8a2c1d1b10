package dev.vertxchat.store;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.store.MessageStore.NewMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The durable commit point for chat messages: an append-only log under {@code <data.dir>/journal}.
 * Whoever {@link #open opens} it owns it and {@link #close closes} it; there must be one per data
 * directory and process, shared by everyone who appends or reads (safe from any event loop). A batch is acknowledged once its records are written to
 * the log file (one {@code write} per batch; with {@code store.fsync} also forced to the device). The
 * records are then copied into the H2 {@code messages} table in large batches in the background
 * ("indexing"), and a log segment is deleted only after everything in it is committed there. At start
 * the log is replayed: records the table misses are inserted before the service takes traffic.
 *
 * <p>Record format, one per line: 8 hex digits of the CRC-32 of the JSON, a tab, the envelope's JSON,
 * {@code \n}. A torn or corrupt tail (a crash in the middle of a write) ends the replay of its segment;
 * such a record was never acknowledged.
 *
 * <p>Threads: every file operation, id allocation and the list of unindexed messages belong to one
 * worker thread ({@link #executor}); the copy into the table runs on another ({@link #indexer}), so an
 * append never waits for the database. Tasks are submitted unordered on purpose: Vert.x orders
 * "ordered" blocking tasks per calling context across all executors, which would queue appends behind
 * a running copy; each executor has one thread, so its own tasks still run in submission order.
 * Readers wait on {@link #caughtUp()} so a history query sees every message acknowledged before it.
 */
public final class MessageJournal {
  private static final Logger LOG = LoggerFactory.getLogger(MessageJournal.class);
  private static final int REPLAY_CHUNK = 2000;

  /** Tuning, from the {@code store.*} configuration. */
  public record Options(boolean fsync, long indexIntervalMs, int indexBatchMax, int maxUnindexed) {}

  private record Waiter(long id, Context context, Promise<Void> promise) {}

  /** What one indexing round copies into the table, and the sealed segments it frees. */
  private record Cut(List<Envelope> batch, List<Path> segments, long through) {}

  private final Vertx vertx;
  private final Path dir;
  private final String dataDir;
  private final Options options;
  private final WorkerExecutor executor;
  /** Copies into the table on its own thread, so that appends never wait for the database. */
  private final WorkerExecutor indexer;
  private Connection connection; // indexer thread only
  private long timer = -1;
  private Promise<Void> closing; // guarded by this

  // journal thread only
  private final JournalSegments segments;
  private long nextId;
  private List<Envelope> unindexed = new ArrayList<>();
  private final JournalRecord.Batch buffer = new JournalRecord.Batch();

  // any thread
  private volatile long lastAppended;
  private volatile long indexedThrough;
  private volatile int unindexedCount;
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean indexing;
  private Future<Void> indexRound;

  private MessageJournal(Vertx vertx, String dataDir, Options options) {
    this.vertx = vertx;
    this.dir = Path.of(dataDir).toAbsolutePath().normalize().resolve("journal");
    this.dataDir = dataDir;
    this.segments = new JournalSegments(dir);
    this.options = options;
    String suffix = Integer.toHexString(dir.hashCode());
    this.executor = vertx.createSharedWorkerExecutor("vertxchat-journal-" + suffix, 1);
    this.indexer = vertx.createSharedWorkerExecutor("vertxchat-indexer-" + suffix, 1);
  }

  /**
   * Opens the journal of {@code dataDir}: replays what it holds into the table, then takes appends and
   * copies them into the table every {@code indexIntervalMs} (or at {@code indexBatchMax} waiting).
   * Open one per data directory and process, and {@link #close()} it once.
   */
  public static Future<MessageJournal> open(Vertx vertx, String dataDir, Options options) {
    MessageJournal journal = new MessageJournal(vertx, dataDir, options);
    return journal.replay()
        .map(v -> {
          journal.timer = vertx.setPeriodic(options.indexIntervalMs(), id -> journal.indexIfDue(true));
          return journal;
        })
        .recover(err -> journal.close().transform(ar -> Future.failedFuture(err)));
  }

  /** Messages stored but not yet copied into the table. */
  public int unindexed() {
    return unindexedCount;
  }

  /**
   * Writes a batch to the log: ids are allocated here, after every id written before. Callers must not
   * append concurrently if they care about the order in which they see the results (the send pipeline
   * holds its lock); appends themselves are serialized on the journal thread.
   */
  public Future<List<MessageStore.Stored>> append(List<NewMessage> batch, long ts) {
    if (isClosing()) {
      return Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "the server is shutting down"));
    }
    return executor.executeBlocking(() -> write(batch, ts), false).onSuccess(stored -> indexIfDue(false));
  }

  /** Completes once every message acknowledged so far is in the table. */
  public Future<Void> caughtUp() {
    if (isClosing()) {
      return Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "the server is shutting down"));
    }
    long target = lastAppended;
    if (indexedThrough >= target) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    synchronized (waiters) {
      waiters.add(new Waiter(target, vertx.getOrCreateContext(), promise));
    }
    index();
    return promise.future();
  }

  /** Copies unindexed messages into the table when there are enough of them (or {@code force}). */
  private void indexIfDue(boolean force) {
    int pending = unindexedCount;
    if (pending > 0 && (force || pending >= options.indexBatchMax())) {
      index();
    }
  }

  /**
   * One indexing round (or the one already running): seal the current segment, copy what it and the
   * earlier sealed segments hold into the table in one transaction, then delete them.
   */
  public Future<Void> index() {
    Promise<Void> done = Promise.promise();
    synchronized (waiters) {
      if (indexing) {
        return indexRound;
      }
      indexing = true;
      indexRound = done.future();
    }
    executor.executeBlocking(this::cut, false)
        .compose(cut -> (cut.batch().isEmpty() ? Future.<Void>succeededFuture() : insert(cut.batch()))
            .recover(err -> executor.<Void>executeBlocking(() -> {
              // keep the messages and their segments for the next round
              List<Envelope> back = new ArrayList<>(cut.batch());
              back.addAll(unindexed);
              unindexed = back;
              unindexedCount = back.size();
              throw err instanceof Exception e ? e : new IllegalStateException(err);
            }, false))
            .compose(v -> executor.executeBlocking(() -> {
              segments.delete(cut.segments());
              return cut.through();
            }, false)))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            indexedThrough = Math.max(indexedThrough, ar.result());
          } else {
            LOG.warn("Copying journaled messages into the database failed; will retry", ar.cause());
          }
          List<Waiter> ready = new ArrayList<>();
          boolean again;
          synchronized (waiters) {
            indexing = false;
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
              Waiter w = it.next();
              if (w.id() <= indexedThrough) {
                ready.add(w);
                it.remove();
              }
            }
            again = !waiters.isEmpty() && ar.succeeded();
          }
          ready.forEach(w -> w.context().runOnContext(v -> w.promise().complete()));
          done.handle(ar.mapEmpty());
          if (again) {
            index();
          }
        });
    return done.future();
  }

  /**
   * Copies what is left into the table (what cannot be copied stays in the journal for the next start)
   * and closes; appends and reads fail from then on. Safe to call more than once.
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
    index().recover(err -> Future.succeededFuture())
        .compose(v -> executor.<Void>executeBlocking(() -> {
          segments.close(unindexed.isEmpty());
          return null;
        }, false))
        .eventually(() -> {
          failWaiters(new ChatException(ErrorCodes.UNAVAILABLE, "the server is shutting down"));
          return indexer.<Void>executeBlocking(() -> {
            disconnect();
            return null;
          }, false).eventually(executor::close).eventually(indexer::close);
        })
        .onComplete(promise);
    return promise.future();
  }

  private synchronized boolean isClosing() {
    return closing != null;
  }

  private void failWaiters(ChatException e) {
    List<Waiter> all;
    synchronized (waiters) {
      all = new ArrayList<>(waiters);
      waiters.clear();
    }
    all.forEach(w -> w.context().runOnContext(v -> w.promise().tryFail(e)));
  }

  // ---- start-up: replay ------------------------------------------------------------------------

  private Future<Void> replay() {
    return executor.executeBlocking(segments::readAll, false)
        .compose(found -> indexer.executeBlocking(() -> H2MessageStore.maxId(connection()), false).compose(maxId -> {
          List<Envelope> records = found.records();
          List<Envelope> missing = records.stream().filter(e -> e.id() > maxId).toList();
          long top = Math.max(maxId, records.stream().mapToLong(Envelope::id).max().orElse(0));
          return replay(missing, 0).compose(v -> executor.<Void>executeBlocking(() -> {
            segments.delete(found.files());
            nextId = top + 1;
            lastAppended = top;
            indexedThrough = top;
            segments.start();
            if (!missing.isEmpty()) {
              LOG.info("Journal: copied {} acknowledged messages into the database at start", missing.size());
            }
            return null;
          }, false));
        }));
  }

  private Future<Void> replay(List<Envelope> missing, int from) {
    if (from >= missing.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(missing.size(), from + REPLAY_CHUNK);
    return insert(missing.subList(from, to)).compose(v -> replay(missing, to));
  }

  // ---- indexer thread --------------------------------------------------------------------------

  private Future<Void> insert(List<Envelope> batch) {
    return indexer.executeBlocking(() -> {
      try {
        try {
          H2MessageStore.insert(connection(), batch, false);
        } catch (SQLIntegrityConstraintViolationException e) {
          // some of these rows are there already (a retry after an unclear failure): merge instead
          H2MessageStore.insert(connection(), batch, true);
        }
      } catch (SQLException | RuntimeException e) {
        disconnect();
        throw e;
      }
      return null;
    }, false);
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = Database.connect(dataDir);
    }
    return connection;
  }

  private void disconnect() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("Closing the indexer's database connection failed", e);
      }
      connection = null;
    }
  }

  // ---- journal thread --------------------------------------------------------------------------

  private List<MessageStore.Stored> write(List<NewMessage> batch, long ts) throws IOException {
    if (!segments.isOpen()) {
      throw new ChatException(ErrorCodes.UNAVAILABLE, "the server is shutting down");
    }
    if (segments.isBroken()) {
      throw new ChatException(ErrorCodes.UNAVAILABLE, "message storage failed; see the server log");
    }
    if (unindexed.size() + batch.size() > options.maxUnindexed()) {
      throw new ChatException(ErrorCodes.UNAVAILABLE, "message storage is behind, try again shortly");
    }
    List<MessageStore.Stored> stored = new ArrayList<>(batch.size());
    buffer.clear();
    long id = nextId;
    for (NewMessage m : batch) {
      Envelope e = Envelope.chat(id++, m.room(), m.user(), m.text(), ts);
      stored.add(new MessageStore.Stored(e, buffer.add(e)));
    }
    segments.write(buffer.view(), options.fsync());
    nextId = id;
    stored.forEach(m -> unindexed.add(m.envelope()));
    unindexedCount = unindexed.size();
    lastAppended = id - 1;
    return stored;
  }

  private Cut cut() throws IOException {
    long through = nextId - 1;
    if (unindexed.isEmpty()) {
      return new Cut(List.of(), segments.sealed(), through);
    }
    List<Envelope> batch = unindexed;
    unindexed = new ArrayList<>();
    unindexedCount = 0;
    segments.seal();
    return new Cut(batch, segments.sealed(), through);
  }
}
