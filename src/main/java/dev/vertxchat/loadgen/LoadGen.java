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

  private static int run(Options o) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(o.eventLoops)
        .setWorkerPoolSize(2).setBlockedThreadCheckInterval(5).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
    Stats stats = new Stats();
    Report report = new Report(o);
    try {
      long serverPid = o.serverPid;
      if (!o.child) {
        if (serverPid <= 0) {
          serverPid = Stats.findListener(o.port);
          if (serverPid > 0) {
            report.note("server pid " + serverPid + " (the process listening on port " + o.port + ", from ss -ltnp)");
          } else {
            report.note("server pid unknown (no --server-pid, and ss -ltnp did not show it): no server CPU/RSS figures");
          }
        } else if (Stats.cpuTicks(serverPid) < 0) {
          report.note("cannot read /proc/" + serverPid + "/stat: no server CPU/RSS figures");
          serverPid = -1;
        }
        report.root.put("serverPid", serverPid);
        System.out.printf("vertx-chat loadgen: scenario %s over %s to %s, %d connection(s), generator on %d core(s), "
                + "%d event loop(s), source addresses %s%n", o.scenario, o.sockjs ? "sockjs" : "raw", o.url, o.clients,
            Runtime.getRuntime().availableProcessors(), o.eventLoops, String.join(",", o.sourceAddresses));
      }
      Fleet fleet = new Fleet(vertx, o, stats);
      ServiceApi api = new ServiceApi(vertx, o, stats);
      switch (o.scenario) {
        case "idle" -> {
          Idle idle = new Idle(fleet, report, serverPid);
          if (o.child) {
            idle.runChild(api);
            return 0;
          }
          idle.run(api);
        }
        default -> new Traffic(fleet, report, serverPid).run(api);
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
