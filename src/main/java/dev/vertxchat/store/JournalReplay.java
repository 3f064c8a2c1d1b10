package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Start-up: what the journal holds from before (acknowledged messages that a crash, or a database
 * failure at the last stop, kept out of the table) goes into the table before the service takes
 * traffic. The valid records of every segment are read, those above the table's highest id are
 * inserted, and only then are the segments deleted. The result is the highest id known, after which
 * new ids continue.
 */
final class JournalReplay {
  private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);
  /** Rows per transaction: a large journal is not inserted in one huge transaction. */
  private static final int CHUNK = 2000;

  private JournalReplay() {}

  /** Runs on the journal thread (the files) and the indexer (the table), before the journal takes appends. */
  static Future<Long> run(WorkerExecutor journalThread, JournalSegments segments, JournalIndexer indexer) {
    return journalThread.executeBlocking(segments::readAll, false)
        .compose(found -> indexer.maxId().compose(maxId -> {
          List<Envelope> missing = found.records().stream().filter(e -> e.id() > maxId).toList();
          long top = Math.max(maxId, found.records().stream().mapToLong(Envelope::id).max().orElse(0));
          return insert(indexer, missing, 0)
              .compose(v -> journalThread.executeBlocking(() -> {
                segments.delete(found.files());
                return top;
              }, false))
              .onSuccess(v -> {
                if (!missing.isEmpty()) {
                  LOG.info("Journal: copied {} acknowledged messages into the database at start", missing.size());
                }
              });
        }));
  }

  private static Future<Void> insert(JournalIndexer indexer, List<Envelope> missing, int from) {
    if (from >= missing.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(missing.size(), from + CHUNK);
    return indexer.insert(missing.subList(from, to)).compose(v -> insert(indexer, missing, to));
  }
}
