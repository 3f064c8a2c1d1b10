package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import io.vertx.core.Future;

import java.util.List;

/** Rooms (their member counts are live presence, not stored). */
public interface RoomStore {
  /** How many rooms one user may have created, and how many the server holds in total. */
  record Quota(int perUser, int total) {}

  /** What {@link #create(Room, String, Quota)} did. */
  enum Created { CREATED, EXISTS, USER_QUOTA, SERVER_FULL }

  /** One page of rooms, by id; {@code next} is the id to continue after, or null when there is no more. */
  record Page(List<Room> rooms, String next) {}

  /**
   * Rooms keep their kind ({@link Room#kind()}: public or private; DMs are created by
   * {@link ConversationStore#openDm}) and creator, who is the room's owner; quotas count public and private rooms.
   */

  /** Creates a room without any quota (the configured default rooms). @return false when it exists already */
  Future<Boolean> create(Room room, String createdBy);

  /**
   * Creates a room if its id is free, {@code createdBy} has created fewer than {@code quota.perUser()}
   * rooms and the server holds fewer than {@code quota.total()}. The counts and the insert share one
   * transaction; callers that need the quota exact under concurrent creates serialize their calls.
   */
  Future<Created> create(Room room, String createdBy, Quota quota);

  /**
   * Up to {@code limit} rooms ordered by id, with {@code members} 0: only ids greater than {@code after}
   * (when not null), only rooms whose id or name contains {@code query} ignoring case (when not null).
   */
  Future<Page> page(String after, String query, int limit);

  Future<Boolean> exists(String id);

  /** A room with its kind and archived state (members 0), or null when there is none. */
  Future<Room> get(String id);

  /**
   * Changes a room's name, topic or archived state (a null leaves it as it is).
   *
   * @return false when there is no such room
   */
  Future<Boolean> update(String id, String name, String topic, Boolean archived);

  /**
   * Like {@link #page(String, String, int)}, for one user: public rooms and the private rooms {@code viewer} is a
   * member of (never DMs), with their kind and archived state.
   */
  Future<Page> page(String after, String query, int limit, String viewer);

  /** Deletes a room (an operator's action). @return false when there was none */
  Future<Boolean> delete(String id);
}
