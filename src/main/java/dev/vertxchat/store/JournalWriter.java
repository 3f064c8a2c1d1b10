package dev.vertxchat.store;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.store.MessageStore.NewMessage;
import dev.vertxchat.store.MessageStore.Stored;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal thread: appends (ids are allocated here, each after every id written before), the open
 * segment, the backlog waiting for the copy into the table. All of that state is touched only by one
 * worker thread (a one-thread executor), so none of it needs a lock; the methods here hand their work
 * to that thread and may be called from any thread. Tasks are submitted unordered (see
 * {@link MessageJournal}); the executor's one thread still runs them in submission order.
 */
final class JournalWriter {
  /** What one copy into the table takes: messages, the sealed segments it frees, the last id written. */
  record Cut(List<Envelope> messages, List<Path> segments, long through) {}

  private final WorkerExecutor thread;
  private final JournalSegments segments;
  private final JournalBacklog backlog;
  private final boolean fsync;
  private final JournalRecord.Batch buffer = new JournalRecord.Batch(); // journal thread only
  private long nextId; // journal thread only
  private volatile long lastAppended;
  private volatile boolean closed;

  JournalWriter(WorkerExecutor thread, JournalSegments segments, JournalBacklog backlog, boolean fsync) {
    this.thread = thread;
    this.segments = segments;
    this.backlog = backlog;
    this.fsync = fsync;
  }

  /** Takes appends from now on, with ids after {@code top}, in a new segment. */
  Future<Void> start(long top) {
    return thread.executeBlocking(() -> {
      nextId = top + 1;
      lastAppended = top;
      segments.start();
      return null;
    }, false);
  }

  /**
   * Writes a batch with one write (all or nothing) and allocates its ids; refused when the backlog is
   * full. Completes once the records are in the segment file (forced to the device with {@code fsync}).
   */
  Future<List<Stored>> append(List<NewMessage> batch, long ts) {
    if (closed) {
      return Future.failedFuture(shuttingDown());
    }
    return thread.executeBlocking(() -> write(batch, ts), false);
  }

  /** The id of the last message written; any thread. */
  long lastAppended() {
    return lastAppended;
  }

  /** How many written messages wait for the copy into the table; any thread. */
  int backlog() {
    return backlog.size();
  }

  /** Takes the backlog for a copy into the table, and seals the open segment that holds its end. */
  Future<Cut> cut() {
    return thread.executeBlocking(() -> {
      long through = nextId - 1;
      if (backlog.isEmpty()) {
        return new Cut(List.of(), segments.sealed(), through);
      }
      segments.seal(); // first: when it fails, the backlog is still whole
      return new Cut(backlog.takeAll(), segments.sealed(), through);
    }, false);
  }

  /** After a failed copy: the cut's messages wait again, its segments stay. */
  Future<Void> putBack(Cut cut) {
    return thread.executeBlocking(() -> {
      backlog.putBack(cut.messages());
      return null;
    }, false);
  }

  /** After the cut's messages are committed in the table: its segments are deleted. */
  Future<Void> release(Cut cut) {
    return thread.executeBlocking(() -> {
      segments.delete(cut.segments());
      return null;
    }, false);
  }

  /**
   * Refuses appends from now on and closes the open segment (deleted when nothing waits for the copy;
   * otherwise the segments stay for the replay at the next start), then the journal thread.
   */
  Future<Void> close() {
    closed = true;
    return thread.<Void>executeBlocking(() -> {
      segments.close(backlog.isEmpty());
      return null;
    }, false).eventually(thread::close);
  }

  private List<Stored> write(List<NewMessage> batch, long ts) throws IOException {
    if (!segments.isOpen()) {
      throw shuttingDown();
    }
    if (segments.isBroken()) {
      throw new ChatException(ErrorCodes.UNAVAILABLE, "message storage failed; see the server log");
    }
    backlog.admit(batch.size());
    List<Stored> stored = new ArrayList<>(batch.size());
    buffer.clear();
    long id = nextId;
    for (NewMessage m : batch) {
      Envelope e = m.envelope(id++, ts);
      stored.add(new Stored(e, buffer.add(e)));
    }
    segments.write(buffer.view(), fsync);
    nextId = id;
    backlog.add(stored);
    lastAppended = id - 1;
    return stored;
  }

  private static ChatException shuttingDown() {
    return new ChatException(ErrorCodes.UNAVAILABLE, "the server is shutting down");
  }
}
