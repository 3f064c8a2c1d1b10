package dev.vertxchat.support;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * N nodes of the service as child processes of the launcher ({@link ServiceProcess}), started with {@code -cluster}
 * on a test cluster of their own ({@link ClusterConfig}) and one PostgreSQL database: the cluster as production
 * runs it, so that a test can kill a node with SIGKILL, stop it with SIGTERM and start it again on the same port.
 * Each node runs {@link TestServer#baseConfig} (loopback, the tests' secret, raised sign-in limits, no drain grace)
 * deep-merged with the test's overrides, with {@code store.type=postgres}, its own data directory and no admin
 * listener. {@link #start} returns once every node listens, answers {@code /health/ready} with 200 and sees all N
 * members (Hazelcast's member list line, {@code Members {size:N, ...}}). {@link #close} kills what still runs.
 * Longer than 300 lines because start, stop, kill, restart and the waits on members, readiness and history belong
 * to one handle on the processes.
 *
 * <pre>
 * try (ServiceCluster cluster = ServiceCluster.start(tmp, 3, Postgres.freshDatabaseUrl(), overrides)) {
 *   cluster.kill(1);                 // kill -9
 *   cluster.restart(1);              // same HTTP port, waits until the cluster has 3 members again
 * }
 * </pre>
 */
public final class ServiceCluster implements AutoCloseable {
  /** Hazelcast's member list line: {@code Members {size:3, ver:3} [}. */
  private static final Pattern MEMBERS = Pattern.compile("Members \\{size:(\\d+), ver:\\d+\\} \\[");
  private static final long START_MS = 90_000;

  private final Path dir;
  private final ClusterConfig cluster;
  private final String databaseUrl;
  private final JsonObject overrides;
  private final ServiceProcess[] nodes;
  private final int[] ports;
  /** Every process started, restarts included, for {@link #close}'s logs. */
  private final List<String> started = new ArrayList<>();
  private final List<ServiceProcess> all = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServiceCluster(Path dir, int size, String databaseUrl, JsonObject overrides) {
    this.dir = dir;
    this.cluster = ClusterConfig.create(dir);
    this.databaseUrl = databaseUrl;
    this.overrides = overrides.copy();
    this.nodes = new ServiceProcess[size];
    this.ports = new int[size];
  }

  /**
   * Starts {@code size} nodes on {@code databaseUrl} (for example {@link Postgres#freshDatabaseUrl()}), each with
   * {@code overrides} over the base configuration: the first alone (it creates the schema and the cluster), then
   * the others at once. Returns when all are ready and see each other.
   */
  public static ServiceCluster start(Path dir, int size, String databaseUrl, JsonObject overrides) {
    ServiceCluster c = new ServiceCluster(dir, size, databaseUrl, overrides);
    try {
      c.launch(0, 0);
      c.ports[0] = c.awaitPort(0);
      for (int i = 1; i < size; i++) {
        c.launch(i, 0);
      }
      for (int i = 1; i < size; i++) {
        c.ports[i] = c.awaitPort(i);
      }
      c.awaitMembers(size, START_MS);
      for (int i = 0; i < size; i++) {
        c.awaitReady(i, START_MS);
      }
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    } catch (InterruptedException e) {
      c.close();
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void launch(int i, int port) {
    Path data = dir.resolve("node" + i);
    JsonObject config = TestServer.baseConfig(data.resolve("data"))
        .put("store", new JsonObject().put("type", "postgres").put("postgres", new JsonObject().put("url", databaseUrl)))
        .put("admin", new JsonObject().put("port", -1))
        .mergeIn(overrides, true);
    config.getJsonObject("http").put("port", port);
    try {
      Path file = Files.writeString(dir.resolve("node" + i + ".json"), config.encodePrettily());
      nodes[i] = ServiceProcess.start(data.resolve("work"), file, Map.of(),
          List.of("-cluster", "-cluster-host", "127.0.0.1"),
          List.of("-Dvertx.hazelcast.config=" + cluster.file().toAbsolutePath()));
      started.add("node" + i + "-" + all.size());
      all.add(nodes[i]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port of node {@code i}'s "HTTP server listening" line ({@link #START_MS} at most: Hazelcast starts slowly on a busy machine). */
  private int awaitPort(int i) throws InterruptedException {
    String line = nodes[i].awaitLine(l -> ServiceProcess.LISTENING.matcher(l).find(), START_MS);
    if (line == null) {
      throw new AssertionError("node " + i + " does not listen after " + START_MS + " ms; its output:\n" + nodes[i].output());
    }
    Matcher m = ServiceProcess.LISTENING.matcher(line);
    if (!m.find()) {
      throw new AssertionError(line);
    }
    return Integer.parseInt(m.group(1));
  }

  public int size() {
    return nodes.length;
  }

  /** Node {@code i}'s HTTP port (the same after {@link #restart}). */
  public int port(int i) {
    return ports[i];
  }

  public List<Integer> ports() {
    return IntStream.of(ports).boxed().toList();
  }

  /** {@code http://127.0.0.1:<port of node i>}. */
  public String base(int i) {
    return "http://127.0.0.1:" + ports[i];
  }

  /** Node {@code i}'s process (its output, its PID). */
  public ServiceProcess node(int i) {
    return nodes[i];
  }

  public boolean running(int i) {
    return nodes[i] != null && nodes[i].process().isAlive();
  }

  /** kill -9 of node {@code i}; returns once the process is gone. */
  public void kill(int i) {
    nodes[i].kill();
  }

  /**
   * SIGTERM to node {@code i} (through its handle: {@code Process.destroy()} would also close our end of its
   * output): waits (30 s at most) until it has stopped by itself; returns its exit code (143 after SIGTERM).
   */
  public int stop(int i) {
    nodes[i].process().toHandle().destroy();
    try {
      return nodes[i].awaitExit(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Starts the stopped or killed node {@code i} again on its HTTP port and the same database, and waits until it
   * is ready and every running node sees all running nodes as members.
   */
  public void restart(int i) {
    if (running(i)) {
      throw new IllegalStateException("node " + i + " still runs");
    }
    launch(i, ports[i]);
    try {
      int port = awaitPort(i);
      if (port != ports[i]) {
        throw new AssertionError("node " + i + " restarted on " + port + " instead of " + ports[i]);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    awaitMembers((int) IntStream.range(0, size()).filter(this::running).count(), START_MS);
    awaitReady(i, START_MS);
  }

  /** The member count of node {@code i}'s latest member list line (0 before the first). */
  public int members(int i) {
    Matcher m = MEMBERS.matcher(nodes[i].output());
    int members = 0;
    while (m.find()) {
      members = Integer.parseInt(m.group(1));
    }
    return members;
  }

  /** Waits until every running node's latest member list has {@code expected} members. */
  public void awaitMembers(int expected, long ms) {
    long deadline = System.currentTimeMillis() + ms;
    for (int i = 0; i < size(); i++) {
      while (running(i) && members(i) != expected) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("node " + i + " sees " + members(i) + " members, not " + expected + " after " + ms
              + " ms; its output:\n" + nodes[i].output());
        }
        pause(50);
      }
    }
  }

  /** {@code GET /health/ready} of node {@code i}: status and body; status -1 when it does not answer. */
  public HttpResponse<String> ready(int i) {
    return get(i, "/health/ready");
  }

  /** A GET on node {@code i} (2 s at most): the response, or null when the node does not answer. */
  public HttpResponse<String> get(int i, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base(i) + path)).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until node {@code i} answers {@code /health/ready} with 200. */
  public void awaitReady(int i, long ms) {
    long deadline = System.currentTimeMillis() + ms;
    while (true) {
      HttpResponse<String> r = ready(i);
      if (r != null && r.statusCode() == 200) {
        return;
      }
      if (System.currentTimeMillis() > deadline || !running(i)) {
        throw new AssertionError("node " + i + " not ready after " + ms + " ms: "
            + (r == null ? "no answer" : r.statusCode() + " " + r.body()) + "; its output:\n" + nodes[i].output());
      }
      pause(100);
    }
  }

  /**
   * A room's whole history as node {@code i} serves it ({@code GET /api/rooms/<room>/messages}, pages of 200
   * with {@code after}), oldest first.
   */
  public List<JsonObject> history(int i, String room, String token) {
    List<JsonObject> all = new ArrayList<>();
    long after = 0;
    for (int page = 0; page < 10_000; page++) {
      HttpResponse<String> r;
      try {
        r = http.send(HttpRequest.newBuilder(URI.create(base(i) + "/api/rooms/" + room + "/messages?limit=200&after=" + after))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (r.statusCode() != 200) {
        throw new AssertionError("history of " + room + " from node " + i + ": " + r.statusCode() + " " + r.body());
      }
      io.vertx.core.json.JsonArray messages = new JsonObject(r.body()).getJsonArray("messages");
      if (messages.isEmpty()) {
        return all;
      }
      messages.forEach(m -> all.add((JsonObject) m));
      after = all.get(all.size() - 1).getLong("id");
    }
    throw new AssertionError("history of " + room + " does not end");
  }

  /** The ids of {@link #history}. */
  public List<Long> historyIds(int i, String room, String token) {
    return history(i, room, token).stream().map(m -> m.getLong("id")).toList();
  }

  /**
   * The running node that holds a bridge connection of {@code userId} (its "Bridge connection opened for" line,
   * the latest node to log one), or -1.
   */
  public int nodeOf(String userId) {
    String line = "Bridge connection opened for " + userId + " ";
    int found = -1;
    for (int i = 0; i < size(); i++) {
      if (running(i) && nodes[i].output().contains(line)) {
        found = i;
      }
    }
    return found;
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Kills every node that still runs (SIGKILL by PID) and waits for them to be gone; keeps each process's output
   * in {@code target/service-cluster/<cluster name>/} for a look after a failure.
   */
  @Override
  public void close() {
    try {
      closeProcesses();
    } finally {
      try {
        Path logs = Files.createDirectories(Path.of("target", "service-cluster", cluster.name()));
        for (int k = 0; k < all.size(); k++) {
          Files.writeString(logs.resolve(started.get(k) + ".log"), all.get(k).output());
        }
      } catch (IOException e) {
        // the logs are a help, not a result
      }
    }
  }

  private void closeProcesses() {
    List<ServiceProcess> alive = new ArrayList<>();
    for (ServiceProcess node : nodes) {
      if (node != null && node.process().isAlive()) {
        node.process().destroyForcibly();
        alive.add(node);
      }
    }
    for (ServiceProcess node : alive) {
      try {
        node.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
