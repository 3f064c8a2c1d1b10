package dev.vertxchat.store;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;

import java.util.ArrayList;
import java.util.List;

/**
 * Backpressure: the messages written to the journal but not yet copied into the table, and their bound
 * ({@code store.maxUnindexed}). A batch that would go beyond it is refused before anything of it is
 * written, so a database that falls behind (or is down) makes senders retry instead of filling the
 * disk. The list belongs to the journal thread; {@link #size()} may be read from any thread.
 */
final class JournalBacklog {
  private final int max;
  private List<Envelope> messages = new ArrayList<>();
  private volatile int size;

  JournalBacklog(int max) {
    this.max = max;
  }

  /** Refuses (with {@link ErrorCodes#UNAVAILABLE}) a batch of {@code incoming} messages that would not fit. */
  void admit(int incoming) {
    if (messages.size() + incoming > max) {
      throw new ChatException(ErrorCodes.UNAVAILABLE, "message storage is behind, try again shortly");
    }
  }

  /** Adds a written batch. */
  void add(List<MessageStore.Stored> written) {
    for (MessageStore.Stored m : written) {
      messages.add(m.envelope());
    }
    size = messages.size();
  }

  /** Takes every message for one copy into the table; the backlog is empty afterwards. */
  List<Envelope> takeAll() {
    List<Envelope> taken = messages;
    messages = new ArrayList<>();
    size = 0;
    return taken;
  }

  /** Puts back, ahead of what was written since, messages whose copy failed. */
  void putBack(List<Envelope> taken) {
    List<Envelope> back = new ArrayList<>(taken);
    back.addAll(messages);
    messages = back;
    size = back.size();
  }

  boolean isEmpty() {
    return messages.isEmpty();
  }

  /** How many messages wait for the copy; any thread. */
  int size() {
    return size;
  }
}
