package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;

import java.util.List;

/**
 * A message store over the {@link MessageJournal}: appends are acknowledged once written there, pages
 * are read from the H2 table after it has caught up with every message acknowledged before the read.
 * The journal belongs to whoever opened it (the chat side, once per service), which also closes it.
 */
public final class JournaledMessageStore implements MessageStore {
  private final MessageJournal journal;
  private final H2MessageStore table;

  public JournaledMessageStore(MessageJournal journal, H2MessageStore table) {
    this.journal = journal;
    this.table = table;
  }

  @Override
  public Future<List<Stored>> append(List<NewMessage> batch, long ts) {
    return journal.append(batch, ts);
  }

  /** Completes once the table holds every message appended before (the conversation store's counts wait for it). */
  Future<Void> caughtUp() {
    return journal.caughtUp();
  }

  @Override
  public Future<List<Envelope>> page(String room, Long before, Long after, int limit) {
    return journal.caughtUp().compose(v -> table.page(room, before, after, limit));
  }

  /**
   * Deletes a message's text (see {@link MessageStore#delete}). The message may still be only in the
   * journal: the copy into the table runs first (at once), and the journal's segments holding it are
   * deleted by that copy, so neither the table nor a replay at the next start brings the text back.
   */
  @Override
  public Future<Boolean> delete(String room, long id) {
    return journal.caughtUp().compose(v -> table.delete(room, id));
  }

  /** Deletes a room's messages (see {@link MessageStore#deleteRoom}), after the journal's copy, as {@link #delete}. */
  @Override
  public Future<Void> deleteRoom(String room) {
    return journal.caughtUp().compose(v -> table.deleteRoom(room));
  }

  /** See {@link MessageStore#get}; after the journal's copy, as {@link #delete}. */
  @Override
  public Future<Envelope> get(String room, long id) {
    return journal.caughtUp().compose(v -> table.get(room, id));
  }

  /** See {@link MessageStore#edit}; after the journal's copy, so the copy never brings the old text back. */
  @Override
  public Future<Boolean> edit(String room, long id, String text, long ts) {
    return journal.caughtUp().compose(v -> table.edit(room, id, text, ts));
  }

  @Override
  public Future<Integer> react(String room, long id, String emoji, UserRef user, boolean on, long ts) {
    return journal.caughtUp().compose(v -> table.react(room, id, emoji, user, on, ts));
  }

  @Override
  public Future<SearchPage> search(String userId, String room, List<String> terms, Long before, int limit) {
    return journal.caughtUp().compose(v -> table.search(userId, room, terms, before, limit));
  }
}
