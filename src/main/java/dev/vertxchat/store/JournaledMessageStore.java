package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A message store over the {@link MessageJournal}: appends are acknowledged once written there, pages
 * are read from the H2 table after it has caught up with every message acknowledged before the read.
 */
public final class JournaledMessageStore implements MessageStore {
  private final MessageJournal journal;
  private final H2MessageStore table;
  private final Supplier<Future<Void>> release;

  /** A store over a journal that its caller opened and closes. */
  public JournaledMessageStore(MessageJournal journal, H2MessageStore table) {
    this(journal, table, Future::succeededFuture);
  }

  private JournaledMessageStore(MessageJournal journal, H2MessageStore table, Supplier<Future<Void>> release) {
    this.journal = journal;
    this.table = table;
    this.release = release;
  }

  /**
   * A store over the journal of {@code dataDir}, shared with every other store opened here for it in
   * this Vert.x instance (see {@link SharedJournals}); {@link #close()} releases it.
   */
  public static Future<JournaledMessageStore> open(Vertx vertx, String dataDir, H2MessageStore table,
                                                   MessageJournal.Options options) {
    return SharedJournals.acquire(vertx, dataDir, options)
        .map(journal -> new JournaledMessageStore(journal, table, () -> SharedJournals.release(vertx, dataDir)));
  }

  @Override
  public Future<List<Stored>> append(List<NewMessage> batch, long ts) {
    return journal.append(batch, ts);
  }

  @Override
  public Future<List<Envelope>> page(String room, Long before, Long after, int limit) {
    return journal.caughtUp().compose(v -> table.page(room, before, after, limit));
  }

  /** Releases a journal taken by {@link #open}: the last store closes it. Nothing for a journal passed in. */
  public Future<Void> close() {
    return release.get();
  }

  /**
   * TEMPORARY (issue 10): ChatVerticle's instances each open a store, yet a data directory must have
   * exactly one journal, so the first {@link #open} opens it and the last {@link #close} closes it. To be
   * deleted, with {@link #open}, once the composition root opens one journal per process and hands it to
   * every chat instance through {@link #JournaledMessageStore(MessageJournal, H2MessageStore)}.
   */
  private static final class SharedJournals {
    private record Key(Vertx vertx, Path dir) {
      Key(Vertx vertx, String dataDir) {
        this(vertx, Path.of(dataDir).toAbsolutePath().normalize());
      }
    }

    private static final class Shared {
      final Future<MessageJournal> journal;
      int refs;

      Shared(Future<MessageJournal> journal) {
        this.journal = journal;
      }
    }

    private static final Map<Key, Shared> OPEN = new HashMap<>();

    static Future<MessageJournal> acquire(Vertx vertx, String dataDir, MessageJournal.Options options) {
      Shared shared;
      synchronized (OPEN) {
        shared = OPEN.computeIfAbsent(new Key(vertx, dataDir), k -> new Shared(MessageJournal.open(vertx, dataDir, options)));
        shared.refs++;
      }
      return shared.journal.recover(err -> release(vertx, dataDir).transform(ar -> Future.failedFuture(err)));
    }

    static Future<Void> release(Vertx vertx, String dataDir) {
      Key key = new Key(vertx, dataDir);
      Shared shared;
      synchronized (OPEN) {
        shared = OPEN.get(key);
        if (shared == null || --shared.refs > 0) {
          return Future.succeededFuture();
        }
        OPEN.remove(key);
      }
      return shared.journal.transform(ar -> ar.succeeded() ? ar.result().close() : Future.succeededFuture());
    }
  }
}
