package dev.vertxchat.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.concurrent.TimeUnit;

/**
 * Load generator for vertx-chat: {@code java -jar target/vertx-chat-loadgen.jar --help}. Real guest
 * tokens from {@code /api/auth/guest}, the bridge protocol over the raw WebSocket endpoint or the SockJS
 * WebSocket transport, HdrHistogram latencies measured at the receivers, CPU of the service and of the
 * generator from {@code /proc}. Loopback targets only.
 */
public final class LoadGen {
  private LoadGen() {}

  public static void main(String[] argv) {
    Options o;
    try {
      o = Options.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("loadgen: " + e.getMessage());
      System.err.println("usage: java -jar target/vertx-chat-loadgen.jar --scenario fanout|rooms|idle|durable [options]; --help for all");
      System.exit(2);
      return;
    }
    if (o.help) {
      System.out.print(Options.USAGE);
      return;
    }
    Thread safety = new Thread(() -> {
      try {
        Thread.sleep(o.maxSeconds * 1000L);
        System.err.println("loadgen: safety stop after --max-seconds " + o.maxSeconds);
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        // finished in time
      }
    }, "loadgen-safety-stop");
    safety.setDaemon(true);
    safety.start();

    int status = run(o);
    safety.interrupt();
    System.exit(status);
  }

  /**
   * The service processes measured: --server-pid as given (those that cannot be read are left out), else
   * the process listening on each URL's port.
   */
  private static long[] serverPids(Options o, Report report) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    if (o.serverPids.isEmpty()) {
      for (Options.Target t : o.targets) {
        long pid = Stats.findListener(t.port());
        if (pid > 0 && !out.contains(pid)) {
          out.add(pid);
          report.note("server pid " + pid + " (the process listening on port " + t.port() + ", from ss -ltnp)");
        } else if (pid <= 0) {
          report.note("server pid of port " + t.port() + " unknown (no --server-pid, and ss -ltnp did not show it): "
              + "no server CPU/RSS figures");
          return new long[0];
        }
      }
    } else {
      for (long pid : o.serverPids) {
        if (Stats.cpuTicks(pid) < 0) {
          report.note("cannot read /proc/" + pid + "/stat: no server CPU/RSS figures");
          return new long[0];
        }
        out.add(pid);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static int run(Options o) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(o.eventLoops)
        .setWorkerPoolSize(2).setBlockedThreadCheckInterval(5).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
    Stats stats = new Stats();
    Report report = new Report(o);
    try {
      long[] serverPids = new long[0];
      if (!o.child) {
        serverPids = serverPids(o, report);
        report.root.put("serverPids", new io.vertx.core.json.JsonArray(java.util.Arrays.stream(serverPids).boxed().toList()));
        System.out.printf("vertx-chat loadgen: scenario %s over %s to %s, %d connection(s), generator on %d core(s), "
                + "%d event loop(s), source addresses %s%n", o.scenario, o.sockjs ? "sockjs" : "raw", o.url, o.clients,
            Runtime.getRuntime().availableProcessors(), o.eventLoops, String.join(",", o.sourceAddresses));
      }
      Fleet fleet = new Fleet(vertx, o, stats);
      ServiceApi api = new ServiceApi(vertx, o, stats);
      switch (o.scenario) {
        case "idle" -> {
          Idle idle = new Idle(fleet, report, serverPids);
          if (o.child) {
            idle.runChild(api);
            return 0;
          }
          idle.run(api);
        }
        case "presence" -> new Presence(fleet, report).run(api);
        case "failover" -> new Failover(fleet, report, serverPids).run(api);
        default -> new Traffic(fleet, report, serverPids).run(api);
      }
      report.root.put("errorsTotal", new io.vertx.core.json.JsonObject(new java.util.TreeMap<>(stats.errors())));
      report.write();
      return 0;
    } catch (Exception e) {
      System.err.println("loadgen: " + e.getMessage());
      if (!(e instanceof IllegalStateException)) {
        e.printStackTrace();
      }
      report.root.put("failure", String.valueOf(e.getMessage()));
      report.write();
      return 1;
    } finally {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
    }
  }
}
