package dev.vertxchat.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The entry processors of {@link PresenceMap}: each runs on the partition owner of one room's entry, atomically
 * (and again on its backup, which holds the same value). They change the value in place and set it back (the map
 * holds objects: no copy of the room per change); a room left empty is removed. Every node runs the same jar, so
 * these classes and their Java serialization are the same everywhere.
 */
final class PresenceProcessors {
  private PresenceProcessors() {}

  /** One user in one room: their name and their connection count per node id (only counts above 0). */
  static final class Present implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final String name;
    private final HashMap<String, Integer> nodes = new HashMap<>();

    Present(String name) {
      this.name = name;
    }

    String name() {
      return name;
    }
  }

  /** A user's connection on a node joined: true when it is the user's first anywhere. */
  record Join(String userId, String name, String nodeId)
      implements EntryProcessor<String, HashMap<String, Present>, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, HashMap<String, Present>> entry) {
      HashMap<String, Present> room = entry.getValue() == null ? new HashMap<>() : entry.getValue();
      Present present = room.computeIfAbsent(userId, id -> new Present(name));
      boolean first = present.nodes.isEmpty();
      present.nodes.merge(nodeId, 1, Integer::sum);
      entry.setValue(room);
      return first;
    }
  }

  /** A user's connection on a node left: true when it was the user's last anywhere; no count of the node: no change. */
  record Leave(String userId, String nodeId) implements EntryProcessor<String, HashMap<String, Present>, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, HashMap<String, Present>> entry) {
      HashMap<String, Present> room = entry.getValue();
      Present present = room == null ? null : room.get(userId);
      if (present == null || !present.nodes.containsKey(nodeId)) {
        return false;
      }
      present.nodes.computeIfPresent(nodeId, (n, count) -> count <= 1 ? null : count - 1);
      boolean last = present.nodes.isEmpty();
      if (last) {
        room.remove(userId);
      }
      entry.setValue(room.isEmpty() ? null : room);
      return last;
    }
  }

  /** The number of users in a room (read only: runs without a backup copy). */
  record Count() implements EntryProcessor<String, HashMap<String, Present>, Integer>, ReadOnly {
    @Override
    public Integer process(Map.Entry<String, HashMap<String, Present>> entry) {
      return entry.getValue() == null ? 0 : entry.getValue().size();
    }

    @Override
    public EntryProcessor<String, HashMap<String, Present>, Integer> getBackupProcessor() {
      return null;
    }
  }

  /**
   * A node left the cluster: its counts go; answers the users ({id, name}) whose total fell to 0, or null when the
   * room held no count of that node (then nothing changes).
   */
  record RemoveNode(String nodeId) implements EntryProcessor<String, HashMap<String, Present>, ArrayList<String[]>> {
    @Override
    public ArrayList<String[]> process(Map.Entry<String, HashMap<String, Present>> entry) {
      HashMap<String, Present> room = entry.getValue();
      if (room == null) {
        return null;
      }
      ArrayList<String[]> gone = null;
      boolean changed = false;
      for (Iterator<Map.Entry<String, Present>> it = room.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Present> user = it.next();
        if (user.getValue().nodes.remove(nodeId) != null) {
          changed = true;
          if (user.getValue().nodes.isEmpty()) {
            it.remove();
            if (gone == null) {
              gone = new ArrayList<>();
            }
            gone.add(new String[] {user.getKey(), user.getValue().name()});
          }
        }
      }
      if (changed) {
        entry.setValue(room.isEmpty() ? null : room);
      }
      return gone;
    }
  }
}
