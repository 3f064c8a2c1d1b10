package dev.vertxchat.support;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A cluster of the tests' own: the shipped conf/cluster.xml with a cluster name no other test (or a service
 * running on this machine) uses, and member ports of its own, so that clusters of concurrent tests never merge.
 * Nodes of one test share one {@code ClusterConfig}: in-process ({@link #clusteredVertx}) or as child processes
 * ({@link #file}, passed with {@code -Dvertx.hazelcast.config=FILE}).
 */
public final class ClusterConfig {
  /** Member ports tried by each cluster: a node takes the first free one of its range. */
  public static final int PORTS = 10;
  private final String name;
  private final int basePort;
  private final Path file;

  private ClusterConfig(String name, int basePort, Path file) {
    this.name = name;
    this.basePort = basePort;
    this.file = file;
  }

  /** A new cluster: a unique name, a range of PORTS free ports (free when asked), its XML file in {@code dir}. */
  public static ClusterConfig create(Path dir) {
    try {
      String shipped = Files.readString(Path.of("conf/cluster.xml"));
      String name = "vertx-chat-test-" + UUID.randomUUID();
      int base = freeRange();
      String xml = shipped
          .replace("<cluster-name>vertx-chat</cluster-name>", "<cluster-name>" + name + "</cluster-name>")
          .replace("<port auto-increment=\"true\" port-count=\"20\">5701</port>",
              "<port auto-increment=\"true\" port-count=\"" + PORTS + "\">" + base + "</port>")
          ;
      if (xml.equals(shipped) || !xml.contains(name) || !xml.contains(">" + base + "</port>")) {
        throw new IllegalStateException("conf/cluster.xml changed: ClusterConfig cannot make a test cluster of it");
      }
      Path file = dir.resolve("cluster-" + base + ".xml");
      Files.writeString(file, xml);
      return new ClusterConfig(name, base, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public int basePort() {
    return basePort;
  }

  /** The Hazelcast XML of this cluster (for child processes: {@code -Dvertx.hazelcast.config=FILE}). */
  public Path file() {
    return file;
  }

  /** A fresh Hazelcast configuration of this cluster (each node needs its own instance). */
  public Config hazelcast() {
    try {
      return Config.loadFromFile(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A clustered Vert.x in this process that joins this cluster, with the service's metrics options. */
  public Future<Vertx> clusteredVertx() {
    return Vertx.builder().withClusterManager(new HazelcastClusterManager(hazelcast()))
        .with(new io.vertx.core.VertxOptions().setEventBusOptions(new io.vertx.core.eventbus.EventBusOptions().setHost("127.0.0.1")))
        .buildClustered();
  }

  /** The start of PORTS consecutive free ports (checked now; a port can still be taken later). */
  private static int freeRange() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base;
      try (ServerSocket probe = new ServerSocket(0)) {
        base = probe.getLocalPort();
      }
      if (base + PORTS > 65535) {
        continue;
      }
      boolean free = true;
      for (int p = base; p < base + PORTS && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no range of " + PORTS + " free ports found");
  }
}
