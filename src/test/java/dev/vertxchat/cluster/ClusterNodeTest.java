package dev.vertxchat.cluster;

import dev.vertxchat.support.ClusterConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
  void aVertxThatIsNotClusteredHasNoNode() {
    Vertx vertx = Vertx.vertx();
    try {
      assertNull(ClusterNode.of(vertx));
    } finally {
      vertx.close();
    }
  }
}
