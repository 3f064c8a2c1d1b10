package dev.vertxchat.loadgen;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Idle connections: C guests sign in first (not timed), then C connections open and join rooms of M as fast
 * as --connect-concurrency allows, and are held with pings. Reports the connect rate, the time until all are
 * joined, and the server's RSS and CPU per connection. With --processes N the connections are dealt to N
 * generator processes (this one and N-1 children on the same jar, each with its own file limit); they
 * sign in, then connect on a common "go" line, and report back on stdout lines starting with "@lg ".
 */
final class Idle {
  private final Fleet fleet;
  private final Options o;
  private final Report report;
  private final long[] serverPids;
  private final List<Process> children = new ArrayList<>();
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  Idle(Fleet fleet, Report report, long[] serverPids) {
    this.fleet = fleet;
    this.o = fleet.o;
    this.report = report;
    this.serverPids = serverPids;
  }

  /** A child process: sign in, wait for "go", connect, report, hold until "close" (or end of input). */
  void runChild(ServiceApi api) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    fleet.signIn(api);
    fleet.warmUp(o.warmupConnections);
    System.out.println("@lg ready");
    System.out.flush();
    String line = in.readLine();
    if (!"go".equals(line)) {
      return;
    }
    long t0 = System.nanoTime();
    long self0 = Stats.cpuTicks(ProcessHandle.current().pid());
    fleet.connectAll(false);
    JsonObject phase = phase(t0).put("cpuTicks", Stats.cpuTicks(ProcessHandle.current().pid()) - self0);
    System.out.println("@lg connected " + phase.encode());
    System.out.flush();
    in.readLine(); // "close", or end of input when the parent went away
    fleet.closeAll();
    System.out.println("@lg closed " + new JsonObject().put("errors", new JsonObject(new TreeMap<>(fleet.stats.errors()))).encode());
    System.out.flush();
  }

  private JsonObject phase(long t0) {
    return new JsonObject().put("opened", fleet.opened.get()).put("joined", fleet.joined.get())
        .put("openSeconds", Math.max(0, fleet.lastOpenNanos.get() - t0) / 1e9)
        .put("joinSeconds", Math.max(0, fleet.lastJoinNanos.get() - t0) / 1e9)
        .put("joinedPerTarget", new io.vertx.core.json.JsonArray(java.util.Arrays.stream(fleet.joinedPerTarget()).boxed().toList()))
        .put("errors", new JsonObject(new TreeMap<>(fleet.stats.errors())));
  }

  void run(ServiceApi api) throws IOException, InterruptedException {
    fleet.signIn(api);
    fleet.createRooms(api, o.rooms);
    for (int k = 1; k < o.processes; k++) {
      spawn(k);
    }
    if (o.warmupConnections > 0) {
      fleet.warmUp(o.warmupConnections);
      fleet.say("warm-up: opened, joined and closed " + Math.min(o.warmupConnections, fleet.guests.size())
          + " connection(s) per process before the timed connect phase");
    }
    for (int k = 1; k < o.processes; k++) {
      expect("ready", o.connectTimeoutSeconds);
    }
    Traffic.sleep(1000); // let the sign-in work finish on the server before measuring
    long[] heap0 = heaps();
    long[] rss0 = rss();
    long[] cpu0 = cpu();
    long self0 = Stats.cpuTicks(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    for (Process p : children) {
      tell(p, "go");
    }
    fleet.connectAll(false);
    JsonObject own = phase(t0).put("cpuTicks", Stats.cpuTicks(ProcessHandle.current().pid()) - self0);
    List<JsonObject> parts = new ArrayList<>(List.of(own));
    for (int k = 1; k < o.processes; k++) {
      parts.add(new JsonObject(expect("connected", o.connectTimeoutSeconds)));
    }
    double connectSeconds = (System.nanoTime() - t0) / 1e9;
    long[] cpu1 = cpu();
    Traffic.sleep(2000); // garbage of the connect phase is not per-connection memory: RSS after a short settle
    long[] rss1 = rss();
    long[] heap1 = heaps();
    int joined = 0;
    int[] perTarget = new int[o.targets.size()];
    int opened = 0;
    double openSeconds = 0;
    double joinSeconds = 0;
    long genTicks = 0;
    for (JsonObject p : parts) {
      genTicks += p.getLong("cpuTicks");
      joined += p.getInteger("joined");
      opened += p.getInteger("opened");
      openSeconds = Math.max(openSeconds, p.getDouble("openSeconds"));
      joinSeconds = Math.max(joinSeconds, p.getDouble("joinSeconds"));
      for (int t = 0; t < perTarget.length; t++) {
        perTarget[t] += p.getJsonArray("joinedPerTarget").getInteger(t);
      }
    }
    fleet.say(String.format("%d of %d connections joined; holding them %d s", joined, o.clients, o.holdSeconds));
    long[] holdCpu0 = cpu();
    long holdStart = System.nanoTime();
    Traffic.sleep(o.holdSeconds * 1000L);
    double holdWall = (System.nanoTime() - holdStart) / 1e9;
    long[] holdCpu1 = cpu();
    long[] rss2 = rss();
    int[] heldJoined = fleet.joinedPerTarget(); // this process's connections still joined after the hold
    for (Process p : children) {
      tell(p, "close");
    }
    fleet.closeAll();
    Map<String, Long> errors = new TreeMap<>(fleet.stats.errors());
    for (int k = 1; k < o.processes; k++) {
      String closed = expectOrNull("closed", 60);
      if (closed != null) {
        new JsonObject(closed).getJsonObject("errors").forEach(e -> errors.merge(e.getKey(), ((Number) e.getValue()).longValue(), Long::sum));
      }
    }
    for (Process p : children) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroy();
      }
    }

    JsonObject r = new JsonObject().put("connections", o.clients).put("opened", opened).put("joined", joined)
        .put("processes", o.processes).put("sourceAddresses", String.join(",", o.sourceAddresses))
        .put("roomSize", o.roomSize).put("rooms", o.rooms)
        .put("timeToAllOpenSeconds", openSeconds).put("timeToAllJoinedSeconds", joinSeconds)
        .put("connectRatePerSec", joinSeconds > 0 ? joined / joinSeconds : null)
        .put("connectPhaseSeconds", connectSeconds)
        .put("generatorCpuPctConnectPhase", 100.0 * genTicks / Stats.HZ / connectSeconds)
        .put("errors", new JsonObject(new TreeMap<>(errors)));
    r.put("joinedPerUrl", new io.vertx.core.json.JsonArray(java.util.Arrays.stream(perTarget).boxed().toList()));
    if (o.processes == 1) {
      r.put("joinedPerUrlAfterHold", new io.vertx.core.json.JsonArray(java.util.Arrays.stream(heldJoined).boxed().toList()));
    }
    if (serverPids.length > 0 && joined > 0) {
      // per process; with one --url per process, process i holds the connections of --url i
      boolean perNode = serverPids.length == perTarget.length;
      long cpuTotal = 0;
      for (int i = 0; i < serverPids.length; i++) {
        int held = perNode ? perTarget[i] : joined;
        String k = serverPids.length == 1 ? "server" : "node" + (i + 1);
        long cpu = cpu1[i] - cpu0[i];
        cpuTotal += cpu;
        r.put(k + "Pid", serverPids[i]).put(k + "Connections", perNode ? held : null)
            .put(k + "RssKbBefore", rss0[i]).put(k + "RssKbConnected", rss1[i]).put(k + "RssKbAfterHold", rss2[i])
            .put(k + "RssKbPerConnection", held > 0 ? (rss1[i] - rss0[i]) / (double) held : null)
            .put(k + "RssKbPerConnectionAfterHold", held > 0 ? (rss2[i] - rss0[i]) / (double) held : null)
            .put(k + "HeapKbBefore", heap0[i] >= 0 ? heap0[i] : null).put(k + "HeapKbConnected", heap1[i] >= 0 ? heap1[i] : null)
            .put(k + "HeapKbPerConnection", heap0[i] >= 0 && heap1[i] >= 0 && held > 0 ? (heap1[i] - heap0[i]) / (double) held : null)
            .put(k + "CpuMsConnectPhase", cpu * 1000.0 / Stats.HZ)
            .put(k + "CpuUsPerConnection", held > 0 ? cpu * (1e6 / Stats.HZ) / held : null)
            .put(k + "CpuPctHolding", 100.0 * (holdCpu1[i] - holdCpu0[i]) / Stats.HZ / holdWall);
      }
      if (serverPids.length > 1) {
        r.put("serversCpuUsPerConnection", cpuTotal * (1e6 / Stats.HZ) / joined);
      }
    }
    report.root.put("idle", r);
    System.out.println();
    System.out.print(Report.table(r.getMap()));
    int cores = Math.min(o.eventLoops, Runtime.getRuntime().availableProcessors());
    if (r.getDouble("generatorCpuPctConnectPhase") > 80.0 * cores) {
      report.note(String.format("WARNING: the generator (all processes) used %.0f%% CPU in the connect phase, over 80%% of "
          + "its %d core(s): the connect rate is probably the generator's, not the service's",
          r.getDouble("generatorCpuPctConnectPhase"), cores));
    } else {
      report.note(String.format("the generator used %.0f%% CPU in the connect phase (%d core(s)): not the bottleneck",
          r.getDouble("generatorCpuPctConnectPhase"), cores));
    }
    report.note("server RSS per connection is the growth of the whole process: JVM heap not yet collected included, and "
        + "nothing when the heap had already grown (use a freshly started service); the after-hold figure is after "
        + o.holdSeconds + " s of pings." + (o.serverHeap ? " Heap per connection: live heap after a full GC (jcmd), before "
        + "and after connecting." : " --server-heap adds the live heap per connection (jcmd GC.run + GC.heap_info)."));
    report.note("server CPU per connection covers the connect phase: WebSocket handshake with the token check, the join "
        + "and its join envelopes to the room");
  }

  private long[] cpu() {
    long[] out = new long[serverPids.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Stats.cpuTicks(serverPids[i]);
    }
    return out;
  }

  private long[] rss() {
    long[] out = new long[serverPids.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Stats.rssKb(serverPids[i]);
    }
    return out;
  }

  /** Live heap after a full GC per service process (-1 each without --server-heap). */
  private long[] heaps() {
    long[] out = new long[serverPids.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = o.serverHeap ? Stats.heapUsedKbAfterGc(serverPids[i]) : -1;
    }
    return out;
  }

  private void spawn(int k) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LoadGen.class.getName());
    cmd.addAll(o.args);
    cmd.add("--shard");
    cmd.add(k + "/" + o.processes);
    cmd.add("--child");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    children.add(p);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (line.startsWith("@lg ")) {
            lines.add(line.substring(4));
          }
        }
      } catch (IOException e) {
        // the child is gone; expect() times out
      }
    }, "loadgen-child-" + k);
    reader.setDaemon(true);
    reader.start();
  }

  private static void tell(Process p, String line) throws IOException {
    OutputStream out = p.getOutputStream();
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The rest of the next child line starting with {@code word}, waiting at most {@code seconds}. */
  private String expect(String word, int seconds) {
    String s = expectOrNull(word, seconds);
    if (s == null) {
      throw new IllegalStateException("a child process did not report '" + word + "' within " + seconds + " s");
    }
    return s;
  }

  private String expectOrNull(String word, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    try {
      while (System.nanoTime() < deadline) {
        String line = lines.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        if (line != null && (line.equals(word) || line.startsWith(word + " "))) {
          return line.substring(word.length()).trim();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }
}
