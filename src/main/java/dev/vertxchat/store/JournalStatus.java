package dev.vertxchat.store;

/**
 * What the journal's copy into the database looks like from outside, read-only and safe from any
 * thread: for the ready check (and whoever else watches the store). Implemented by {@link MessageJournal}.
 */
public interface JournalStatus {

  /** Messages written to the journal and not yet copied into the table. */
  int backlog();

  /** The most messages that may wait for the copy ({@code store.maxUnindexed}); beyond it sends are refused. */
  int backlogLimit();

  /** Why the latest copy into the table failed; null when it succeeded or none has run yet. */
  String lastCopyFailure();
}
