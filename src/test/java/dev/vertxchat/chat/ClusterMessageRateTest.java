package dev.vertxchat.chat;

import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.cluster.RateBuckets;
import dev.vertxchat.support.ClusterConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-user message rate across two in-process cluster nodes: a user sending through both at once gets at most
 * {@code rate * T + burst} messages accepted over T, not twice that (each node's own bucket alone would allow it).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterMessageRateTest {
  private static final double RATE = 10;
  private static final double BURST = 5;
  private final List<Vertx> nodes = new ArrayList<>();

  @TempDir
  Path dir;

  @AfterEach
  void closeNodes() throws Exception {
    for (Vertx vertx : nodes) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private MessageRate rate(ClusterConfig cluster) throws Exception {
    Vertx vertx = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    nodes.add(vertx);
    ClusterNode node = ClusterNode.of(vertx);
    return new ClusterMessageRate(vertx, new RateLimiter(RATE, BURST), new RateBuckets(node.hazelcast(), RATE, BURST));
  }

  @Test
  void aUserSendingThroughTwoNodesGetsOneRate() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    MessageRate a = rate(cluster);
    MessageRate b = rate(cluster);
    int[] accepted = new int[2];
    int asked = 0;
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < end) { // as fast as the answers come, alternating nodes
      int i = asked++ % 2;
      if ((i == 0 ? a : b).tryAcquire("u-sam").await(10, TimeUnit.SECONDS)) {
        accepted[i]++;
      }
      Thread.sleep(2);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int total = accepted[0] + accepted[1];
    String report = total + " of " + asked + " accepted in " + seconds + " s (A " + accepted[0] + ", B " + accepted[1] + ")";
    assertTrue(total <= RATE * seconds + BURST, "at most rate * T + burst: " + report);
    assertTrue(total >= RATE * seconds * 0.8, "the rate is given, not refused: " + report);
    assertTrue(accepted[0] > 0 && accepted[1] > 0, "both nodes accept: " + report);
    assertTrue(a.tryAcquire("u-other").await(10, TimeUnit.SECONDS), "another user has a bucket of their own");
  }
}
