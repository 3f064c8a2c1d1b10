package dev.vertxchat.chat;

import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;

/**
 * Who is in which room, and the one place rooms hear {@code join} and {@code left}. The bridge asks it
 * when a connection registers or leaves a room address; {@code chat.presence} and the room list read it.
 * A user is in a room while at least one of their connections has joined it.
 *
 * <p>One owner per service: {@link LocalMembership} in a single process (plain method calls, safe from
 * any event loop, answers already complete); {@link ClusterMembership} keeps the same contract across the
 * nodes of a cluster (the reads ask the cluster, hence the futures). {@code join} and {@code leave} never
 * fail towards the caller: the implementation applies them in order and logs what goes wrong.
 */
public interface Membership {
  /** Whether the room exists; fails with a {@code ChatException} when that cannot be told now. */
  Future<Boolean> roomExists(String room);

  /** One more connection of {@code user} is in {@code room} (an existing room); the first one is announced. */
  void join(String room, UserRef user);

  /** One connection of {@code user} has left {@code room}; the last one is announced. */
  void leave(String room, UserRef user);

  /** The users in a room, by name (case-insensitive, then id). */
  Future<List<UserRef>> users(String room);

  /** How many users are in each of {@code rooms}: every room named is a key (0 when nobody is in it). */
  Future<Map<String, Integer>> counts(List<String> rooms);
}
