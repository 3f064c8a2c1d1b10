package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * The message store of one chat verticle instance: appends go to the process-wide
 * {@link MessageJournal} (acknowledged once written there), pages are read from the H2 table after it
 * has caught up with every message acknowledged before the read.
 */
public final class JournaledMessageStore implements MessageStore {
  private final Vertx vertx;
  private final MessageJournal journal;
  private final H2MessageStore table;
  private final long timer;

  private JournaledMessageStore(Vertx vertx, MessageJournal journal, H2MessageStore table, long intervalMs) {
    this.vertx = vertx;
    this.journal = journal;
    this.table = table;
    this.timer = vertx.setPeriodic(intervalMs, id -> journal.indexIfDue(true));
  }

  public static Future<JournaledMessageStore> open(Vertx vertx, String dataDir, H2MessageStore table,
                                                   MessageJournal.Options options) {
    return MessageJournal.acquire(vertx, dataDir, options)
        .map(journal -> new JournaledMessageStore(vertx, journal, table, options.indexIntervalMs()));
  }

  @Override
  public Future<List<Stored>> append(List<NewMessage> batch, long ts) {
    return journal.append(batch, ts).onSuccess(stored -> journal.indexIfDue(false));
  }

  @Override
  public Future<List<Envelope>> page(String room, Long before, Long after, int limit) {
    return journal.caughtUp().compose(v -> table.page(room, before, after, limit));
  }

  /** Releases the journal; the last instance copies what is left into the table. */
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    return journal.release();
  }
}
