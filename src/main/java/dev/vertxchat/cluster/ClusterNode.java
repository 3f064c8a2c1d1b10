package dev.vertxchat.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * This process as a node of a cluster: Vert.x's cluster manager (Hazelcast, {@code -cluster}) seen through
 * what the service needs: its node id, the live nodes, "a node left" (crashed or stopped), and the
 * Hazelcast instance for the cluster-wide structures (presence, rate limits). {@link #of} answers null
 * for a Vert.x that is not clustered: the single-process service never touches Hazelcast.
 */
public final class ClusterNode {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  /** The member attribute Vert.x's cluster manager keeps its node id in (HazelcastClusterManager.NODE_ID_ATTRIBUTE). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final List<Consumer<String>> leftListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> addedListeners = new CopyOnWriteArrayList<>();

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.manager = manager;
    // Hazelcast's own listener: the cluster manager's single NodeListener slot belongs to Vert.x's event bus
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        LOG.info("Cluster node {} joined ({} nodes)", nodeId, event.getMembers().size());
        addedListeners.forEach(l -> vertx.runOnContext(v -> l.accept(nodeId)));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        LOG.info("Cluster node {} left ({} nodes)", nodeId, event.getMembers().size());
        leftListeners.forEach(l -> vertx.runOnContext(v -> l.accept(nodeId)));
      }
    });
  }

  /**
   * The cluster this Vert.x is a node of; null when it is not clustered.
   *
   * @throws IllegalStateException when it is clustered with another cluster manager than Hazelcast's
   */
  public static ClusterNode of(Vertx vertx) {
    if (!vertx.isClustered()) {
      return null;
    }
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    if (!(manager instanceof HazelcastClusterManager hazelcast)) {
      throw new IllegalStateException("vertx-chat needs Vert.x's Hazelcast cluster manager, got "
          + (manager == null ? "none" : manager.getClass().getName()));
    }
    return new ClusterNode(vertx, hazelcast);
  }

  /** This node's id (Vert.x's node id: the Hazelcast member attribute {@code __vertx.nodeId}, not the member UUID). */
  public String nodeId() {
    return manager.getNodeId();
  }

  /** The ids of the live nodes, this one included. */
  public List<String> nodes() {
    return manager.getNodes();
  }

  /** Whether this node is a member of a running cluster. */
  public boolean active() {
    return manager.isActive();
  }

  /**
   * Whether this node is in the cluster now: Vert.x's cluster manager is active, its Hazelcast member runs and is
   * among the cluster's members. Answers at once (local state only, no network hop); false rather than failing.
   */
  public Future<Boolean> healthy() {
    try {
      HazelcastInstance hazelcast = manager.getHazelcastInstance();
      boolean member = manager.isActive() && hazelcast != null && hazelcast.getLifecycleService().isRunning()
          && hazelcast.getCluster().getMembers().contains(hazelcast.getCluster().getLocalMember());
      return Future.succeededFuture(member);
    } catch (RuntimeException e) { // Hazelcast shutting down under us
      LOG.debug("Cluster health check failed", e);
      return Future.succeededFuture(false);
    }
  }

  /** The Hazelcast member this node runs: the cluster-wide maps (presence, rate limits). */
  public HazelcastInstance hazelcast() {
    return manager.getHazelcastInstance();
  }

  /** Hears the id of each node that leaves the cluster (stopped or crashed), on a Vert.x context. */
  public void onNodeLeft(Consumer<String> listener) {
    leftListeners.add(listener);
  }

  /** Stops {@code listener} hearing nodes leave (a verticle that stops). */
  public void removeNodeLeft(Consumer<String> listener) {
    leftListeners.remove(listener);
  }

  /** Hears the id of each node that joins the cluster, on a Vert.x context. */
  public void onNodeAdded(Consumer<String> listener) {
    addedListeners.add(listener);
  }
}
