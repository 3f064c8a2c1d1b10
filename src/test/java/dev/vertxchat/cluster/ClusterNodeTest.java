package dev.vertxchat.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.vertxchat.support.ClusterConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two nodes of the shipped cluster configuration find each other on loopback and hear a node leave. */
class ClusterNodeTest {
  @TempDir
  Path dir;

  @Test
  void twoNodesJoinAndOneHearsTheOtherLeave() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    Vertx a = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    Vertx b = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    try {
      ClusterNode nodeA = ClusterNode.of(a);
      ClusterNode nodeB = ClusterNode.of(b);
      assertEquals(2, nodeA.nodes().size(), "both nodes are members: " + nodeA.nodes());
      assertTrue(nodeA.nodes().contains(nodeB.nodeId()));
      assertTrue(nodeA.active());
      assertTrue(nodeA.healthy().await(5, TimeUnit.SECONDS));
      assertTrue(nodeB.healthy().await(5, TimeUnit.SECONDS));
      CompletableFuture<String> left = new CompletableFuture<>();
      nodeA.onNodeLeft(left::complete);
      String bId = nodeB.nodeId();
      b.close().await(30, TimeUnit.SECONDS);
      assertEquals(bId, left.get(20, TimeUnit.SECONDS));
      assertEquals(1, nodeA.nodes().size());
      assertFalse(nodeB.healthy().await(5, TimeUnit.SECONDS), "a node whose Vert.x closed is not in the cluster");
      assertTrue(nodeA.healthy().await(5, TimeUnit.SECONDS), "a node alone is still a cluster of one");
    } finally {
      a.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aNodeThatLeftAndComesBackWithItsIdHealsTheCluster() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    Vertx a = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    HazelcastInstance ghost = null;
    try {
      ClusterNode nodeA = ClusterNode.of(a);
      AtomicInteger healed = new AtomicInteger();
      nodeA.onHealed(healed::incrementAndGet);
      CompletableFuture<String> left = new CompletableFuture<>();
      nodeA.onNodeLeft(left::complete);
      // a member with a Vert.x node id of its own: as a node cut off by a split brain, it leaves and comes back
      ghost = member(cluster, "ghost-node");
      ghost.getLifecycleService().terminate();
      assertEquals("ghost-node", left.get(20, TimeUnit.SECONDS));
      assertEquals(0, healed.get(), "a node that leaves heals nothing");
      ghost = member(cluster, "ghost-node");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (healed.get() == 0 && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertEquals(1, healed.get(), "the node that had left is back: healed once");
      HazelcastInstance other = member(cluster, "new-node"); // a node never seen before heals nothing
      try {
        Thread.sleep(500);
        assertEquals(1, healed.get());
      } finally {
        other.getLifecycleService().terminate();
      }
    } finally {
      if (ghost != null) {
        ghost.getLifecycleService().terminate();
      }
      a.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** A bare Hazelcast member of the cluster carrying Vert.x's node id attribute. */
  private static HazelcastInstance member(ClusterConfig cluster, String nodeId) {
    Config config = cluster.hazelcast();
    config.getMemberAttributeConfig().setAttribute("__vertx.nodeId", nodeId);
    return Hazelcast.newHazelcastInstance(config);
  }

  @Test
  void aVertxThatIsNotClusteredHasNoNode() {
    Vertx vertx = Vertx.vertx();
    try {
      assertNull(ClusterNode.of(vertx));
    } finally {
      vertx.close();
    }
  }
}
