package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Durable room history. Implementation: {@link JournaledMessageStore} (message journal, copied into
 * H2); a PostgreSQL one fits the same contract.
 */
public interface MessageStore {

  /**
   * A message accepted by the send pipeline, not stored yet. {@code more}: its envelope's extra fields, or null:
   * {@code replyTo} (the quote, of which the store keeps the id) and {@code mentions} (user ids), stored with it.
   */
  record NewMessage(String room, UserRef user, String text, JsonObject more) {
    public NewMessage(String room, UserRef user, String text) {
      this(room, user, text, null);
    }

    /** The envelope this message becomes with its id and time. */
    Envelope envelope(long id, long ts) {
      Envelope e = Envelope.chat(id, room, user, text, ts);
      return more == null ? e : e.withMore(more.copy());
    }
  }

  /**
   * The order in which {@link #page} lists a message's reactions (GitHub's eight; others after them, by their first
   * reaction): chat's palette.
   */
  List<String> REACTION_ORDER = List.of("\uD83D\uDC4D", "\uD83D\uDC4E", "\uD83D\uDE04", "\uD83C\uDF89",
      "\uD83D\uDE15", "\u2764\uFE0F", "\uD83D\uDE80", "\uD83D\uDC40");

  /**
   * A stored message and its envelope's JSON text, encoded once for the store and the room.
   * {@code previous}: the id of the room's message stored just before it (0: none), for subscribers that
   * order a room's messages published by several nodes; {@link #UNTRACKED} where the store does not track it
   * (the journal: one process publishes everything in order).
   */
  record Stored(Envelope envelope, String json, long previous) {
    public static final long UNTRACKED = -1;

    public Stored(Envelope envelope, String json) {
      this(envelope, json, UNTRACKED);
    }
  }

  /**
   * Stores a batch at once (all or nothing). The returned messages are in batch order, with ids that
   * increase in that order and are greater than every id stored before; {@code ts} is stamped on all.
   * The future succeeds only once the batch is durable, and {@link #page} sees it from then on. A store that
   * checks rooms (PostgreSQL, shared by the nodes) stores nothing for a message whose room no longer exists: its
   * entry in the answer is null.
   */
  Future<List<Stored>> append(List<NewMessage> batch, long ts);

  /**
   * One page of a room's history, oldest first. With {@code after}: the first {@code limit} messages
   * with a greater id (below {@code before} when given). Otherwise: the last {@code limit} messages
   * below {@code before} (or the latest when null).
   */
  Future<List<Envelope>> page(String room, Long before, Long after, int limit);

  /**
   * Deletes a message's text (an operator's action): from then on {@link #page} returns it as a
   * {@link Envelope#DELETED} tombstone (id, room, ts; no user or text). Deleting it again changes nothing.
   *
   * @return false when the room has no message with that id
   */
  Future<Boolean> delete(String room, long id);

  /** Deletes every message of a room (the room was deleted); their ids are never given out again. */
  Future<Void> deleteRoom(String room);

  // ---- conversations (issue 13) ----

  /** One page of search results, newest first; {@code next}: the {@code before} of the next page, or null. */
  record SearchPage(List<Envelope> messages, Long next) {}

  /**
   * One message as history shows it (a tombstone when deleted), or null when the room has no message with that id.
   * Sees every message whose append completed.
   */
  Future<Envelope> get(String room, long id);

  /**
   * Replaces a message's text, keeping its id and place; {@code edited} becomes {@code ts}.
   *
   * @return false when the room has no such message or it is deleted
   */
  Future<Boolean> edit(String room, long id, String text, long ts);

  /**
   * Adds ({@code on}) or removes a user's reaction to a message.
   *
   * @return the number of users with that reaction on the message now, or -1 when the room has no such message or
   *     it is deleted
   */
  Future<Integer> react(String room, long id, String emoji, UserRef user, boolean on, long ts);

  /**
   * Messages whose text contains every term (terms already normalized by {@code SearchText.normalize}, matched as
   * substrings of the normalized text), newest first, ids below {@code before} when given, at most {@code limit},
   * not deleted, in the rooms {@code userId} may read: {@code room} only when given (the caller checked that it
   * may), else every public room the user is not banned from and every room with a member row of the user.
   */
  Future<SearchPage> search(String userId, String room, List<String> terms, Long before, int limit);
}
