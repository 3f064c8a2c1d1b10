package dev.vertxchat.store;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Copies journaled messages into the {@code messages} table on a thread of its own, so that an append
 * never waits for the database. A round takes everything written since the previous one
 * ({@link JournalWriter#cut}), inserts it in one transaction (one JDBC batch over a plain connection
 * from {@link Database#connect}), then deletes the segments it freed; a failed round puts its messages
 * back for the next one. One round runs at a time; asking for one while it runs joins it.
 * {@link #caughtUp} lets a reader wait until everything written before its read is in the table.
 */
final class JournalIndexer {
  private static final Logger LOG = LoggerFactory.getLogger(JournalIndexer.class);

  private record Waiter(long id, Context context, Promise<Void> promise) {}

  private final Vertx vertx;
  private final WorkerExecutor thread;
  private final String dataDir;
  private final JournalWriter writer;
  /** Hears the duration of each copy (nanoseconds). */
  private final LongConsumer copied;
  private Connection connection; // indexer thread only
  private volatile long indexedThrough;
  /** Why the latest round failed, null after one that succeeded. */
  private volatile String lastFailure;

  private final Object lock = new Object();
  private final List<Waiter> waiters = new ArrayList<>(); // guarded by lock
  private Future<Void> round; // the running round; guarded by lock
  private boolean stopped; // guarded by lock

  JournalIndexer(Vertx vertx, WorkerExecutor thread, String dataDir, JournalWriter writer, LongConsumer copied) {
    this.copied = copied;
    this.vertx = vertx;
    this.thread = thread;
    this.dataDir = dataDir;
    this.writer = writer;
  }

  /** Why the latest copy failed; null when it succeeded or none has run yet. Any thread. */
  String lastFailure() {
    return lastFailure;
  }

  /** Every id up to {@code top} is in the table (after the replay). */
  void startAt(long top) {
    indexedThrough = top;
  }

  /** Completes once every id up to {@code target} is in the table, on the caller's context. */
  Future<Void> caughtUp(long target) {
    if (indexedThrough >= target) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    synchronized (lock) {
      if (stopped) {
        return Future.failedFuture(shuttingDown());
      }
      waiters.add(new Waiter(target, vertx.getOrCreateContext(), promise));
    }
    index();
    return promise.future();
  }

  /** One round, or the one already running. */
  Future<Void> index() {
    Promise<Void> done = Promise.promise();
    synchronized (lock) {
      if (stopped) {
        return Future.failedFuture(shuttingDown());
      }
      if (round != null) {
        return round;
      }
      round = done.future();
    }
    writer.cut()
        .compose(cut -> (cut.messages().isEmpty() ? Future.<Void>succeededFuture() : insert(cut.messages()))
            .recover(err -> writer.putBack(cut).transform(ar -> Future.<Void>failedFuture(err)))
            .compose(v -> writer.release(cut))
            .map(v -> cut.through()))
        .onComplete(ar -> finish(ar, done));
    return done.future();
  }

  private void finish(AsyncResult<Long> ar, Promise<Void> done) {
    if (ar.succeeded()) {
      indexedThrough = Math.max(indexedThrough, ar.result());
      lastFailure = null;
    } else {
      lastFailure = ar.cause() instanceof SQLException ? "database: " + ar.cause().getMessage()
          : String.valueOf(ar.cause());
      LOG.warn("Copying journaled messages into the database failed; will retry", ar.cause());
    }
    List<Waiter> ready = new ArrayList<>();
    boolean again;
    synchronized (lock) {
      round = null;
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
  }

  /**
   * Starts no more rounds: waits for one that is running, then fails the readers still waiting (the
   * server is shutting down).
   */
  Future<Void> stop() {
    Future<Void> running;
    synchronized (lock) {
      stopped = true;
      running = round;
    }
    Future<Void> settled = running == null ? Future.succeededFuture() : running.otherwiseEmpty();
    return settled.andThen(ar -> {
      List<Waiter> left;
      synchronized (lock) {
        left = new ArrayList<>(waiters);
        waiters.clear();
      }
      left.forEach(w -> w.context().runOnContext(v -> w.promise().tryFail(shuttingDown())));
    });
  }

  /** Closes the database connection and the indexer thread; after {@link #stop()}. */
  Future<Void> close() {
    return thread.<Void>executeBlocking(() -> {
      disconnect();
      return null;
    }, false).eventually(thread::close);
  }

  /** The highest id in the table, 0 when it is empty. */
  Future<Long> maxId() {
    return thread.executeBlocking(() -> H2MessageStore.maxId(connection()), false);
  }

  /** Inserts the messages in one transaction; rows already there (a retry after an unclear failure) are merged. */
  Future<Void> insert(List<Envelope> messages) {
    return thread.executeBlocking(() -> {
      long began = System.nanoTime();
      try {
        try {
          H2MessageStore.insert(connection(), messages);
        } catch (SQLException e) {
          if (!H2MessageStore.isDuplicateKey(e)) {
            throw e;
          }
          H2MessageStore.merge(connection(), messages);
        }
      } catch (SQLException | RuntimeException e) {
        disconnect();
        throw e;
      }
      copied.accept(System.nanoTime() - began);
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

  private static ChatException shuttingDown() {
    return new ChatException(ErrorCodes.UNAVAILABLE, "the server is shutting down");
  }
}
