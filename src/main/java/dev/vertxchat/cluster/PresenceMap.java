package dev.vertxchat.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Who is in which room across the cluster: the Hazelcast map {@code vertxchat.presence}, keyed by room id, whose
 * value maps each user id in the room to their name and their connection count per node. Every change is an
 * entry processor ({@link PresenceProcessors}), which runs atomically on the room's partition owner; an empty
 * room has no entry. The answers are Hazelcast's completion stages (completed on Hazelcast's threads); the
 * caller turns them into Vert.x futures on its context.
 */
public final class PresenceMap {
  /** The map's name (conf/cluster.xml configures it: OBJECT in-memory format, one backup). */
  public static final String NAME = "vertxchat.presence";

  /** A user no longer present anywhere in a room (their last connection's node left the cluster). */
  public record Departed(String room, String userId, String name) {}

  private final IMap<String, HashMap<String, PresenceProcessors.Present>> map;
  private final String nodeId;

  /** The presence map of {@code hazelcast}, changed on behalf of node {@code nodeId} (Vert.x's node id). */
  public PresenceMap(HazelcastInstance hazelcast, String nodeId) {
    this.map = hazelcast.getMap(NAME);
    this.nodeId = nodeId;
  }

  /** One more connection of the user on this node; completes with true when it is the user's first anywhere. */
  public CompletionStage<Boolean> join(String room, String userId, String name) {
    return map.submitToKey(room, new PresenceProcessors.Join(userId, name, nodeId));
  }

  /**
   * One connection of the user on this node left; completes with true when it was the user's last anywhere.
   * A leave without a count of this node's (its join failed) changes nothing and completes with false.
   */
  public CompletionStage<Boolean> leave(String room, String userId) {
    return map.submitToKey(room, new PresenceProcessors.Leave(userId, nodeId));
  }

  /** The users in {@code room}: user id to name (empty when nobody is). */
  public CompletionStage<Map<String, String>> users(String room) {
    return map.getAsync(room).thenApply(value -> {
      Map<String, String> out = new HashMap<>();
      if (value != null) {
        value.forEach((id, present) -> out.put(id, present.name()));
      }
      return out;
    });
  }

  /** How many users are in each of {@code rooms} (rooms without anyone may be missing from the answer). */
  public CompletionStage<Map<String, Integer>> counts(Collection<String> rooms) {
    if (rooms.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return map.submitToKeys(new HashSet<>(rooms), new PresenceProcessors.Count());
  }

  /**
   * Removes the counts of node {@code departedNode} (it left the cluster) from every room: BLOCKING (Hazelcast's
   * executeOnEntries), run it on a worker. Idempotent: only the run that finds the node's counts reports the
   * users whose total fell to 0; every other run (another node doing the same) reports nobody.
   */
  public List<Departed> removeNode(String departedNode) {
    Map<String, ArrayList<String[]>> gone = map.executeOnEntries(new PresenceProcessors.RemoveNode(departedNode));
    List<Departed> out = new ArrayList<>();
    gone.forEach((room, users) -> {
      if (users != null) {
        users.forEach(u -> out.add(new Departed(room, u[0], u[1])));
      }
    });
    return out;
  }
}
