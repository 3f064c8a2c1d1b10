package dev.vertxchat.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Per-step figures (as JSON) and the readable table printed on stdout. */
final class Report {
  final JsonObject root = new JsonObject();
  final JsonArray steps = new JsonArray();
  final JsonArray notes = new JsonArray();
  private final Options o;
  private final int cores;

  Report(Options o) {
    this.o = o;
    this.cores = Math.max(1, Math.min(o.eventLoops, Runtime.getRuntime().availableProcessors()));
    JsonObject options = new JsonObject();
    o.raw.forEach(options::put);
    root.put("scenario", o.scenario).put("transport", o.sockjs ? "sockjs" : "raw").put("url", o.url)
        .put("options", options).put("generatorCores", Runtime.getRuntime().availableProcessors())
        .put("eventLoops", o.eventLoops).put("steps", steps).put("notes", notes);
  }

  void note(String text) {
    notes.add(text);
    System.out.println("note: " + text);
  }

  /**
   * One step between snapshots a (step start), m (sending stopped) and b (end of drain). Counts and CPU
   * per delivery cover a..b (arrivals during the drain belong to the step); CPU % covers the sending
   * window a..m. {@code target}: aggregate sends/s asked for (0 for closed loop), {@code members}:
   * receivers per message.
   */
  JsonObject step(String label, double stepSeconds, double target, int members, Stats.Snapshot a, Stats.Snapshot m,
                  Stats.Snapshot b, Histogram latency, Histogram ackLatency) {
    double wall = (b.nanos() - a.nanos()) / 1e9;
    double sending = (m.nanos() - a.nanos()) / 1e9;
    long delivered = b.delivered() - a.delivered();
    long acked = b.acked() - a.acked();
    JsonObject s = new JsonObject().put("step", label).put("stepSeconds", stepSeconds).put("measuredSeconds", wall)
        .put("targetSendsPerSec", target)
        .put("sentPerSec", (b.sent() - a.sent()) / stepSeconds)
        .put("skippedSends", b.skipped() - a.skipped())
        .put("expectedDeliveriesPerSec", target * members)
        .put("deliveredPerSec", delivered / stepSeconds)
        .put("deliveredPctOfExpected", target > 0 ? 100.0 * delivered / (target * members * stepSeconds) : null)
        .put("deliveredPctOfSent", b.sent() > a.sent() ? 100.0 * delivered / ((double) (b.sent() - a.sent()) * members) : null)
        .put("ackedPerSec", acked / stepSeconds)
        .put("websocketMessagesPerSec", (b.messages() - a.messages()) / stepSeconds)
        .put("latency", Stats.percentiles(latency)).put("ackLatency", Stats.percentiles(ackLatency));
    JsonObject errors = new JsonObject();
    Stats.errorDelta(a, b).forEach(errors::put);
    s.put("errors", errors);
    if (a.serverTicks() >= 0 && b.serverTicks() >= 0) {
      long ticks = b.serverTicks() - a.serverTicks();
      s.put("serverCpuPct", 100.0 * (m.serverTicks() - a.serverTicks()) / Stats.HZ / sending);
      s.put("serverCpuPctDrain", wall > sending ? 100.0 * (b.serverTicks() - m.serverTicks()) / Stats.HZ / (wall - sending) : null);
      s.put("serverCpuUsPerDelivery", delivered > 0 ? ticks * (1e6 / Stats.HZ) / delivered : null);
      if (acked > 0) {
        s.put("serverCpuUsPerAck", ticks * (1e6 / Stats.HZ) / acked);
      }
      if (a.nodeTicks().length > 1) {
        JsonArray nodes = new JsonArray();
        for (int i = 0; i < a.nodeTicks().length; i++) {
          nodes.add(100.0 * (m.nodeTicks()[i] - a.nodeTicks()[i]) / Stats.HZ / sending);
        }
        s.put("serverCpuPctPerNode", nodes);
      }
    }
    double gen = 100.0 * (m.selfTicks() - a.selfTicks()) / Stats.HZ / sending;
    s.put("generatorCpuPct", gen);
    s.put("generatorSaturated", gen > 80.0 * cores);
    steps.add(s);
    return s;
  }

  void printHeader(boolean durable) {
    System.out.println();
    if (durable) {
      System.out.printf("%-10s %8s %9s %9s %9s %8s %8s %8s %8s %10s %8s %8s %8s %8s  %s%n", "step", "target/s", "sent/s",
          "acked/s", "deliv/s", "ack p50", "p95", "p99", "max", "deliv p99", "srv CPU%", "srv us/ack", "gen CPU%", "skipped",
          "errors");
    } else {
      System.out.printf("%-10s %8s %9s %10s %10s %7s %8s %8s %8s %8s %8s %8s %8s  %s%n", "step", "target/s", "sent/s",
          "expected/s", "deliv/s", "deliv%", "p50 ms", "p95 ms", "p99 ms", "max ms", "srv CPU%", "us/deliv", "gen CPU%",
          "errors");
    }
  }

  void printRow(JsonObject s, boolean durable) {
    JsonObject l = s.getJsonObject("latency");
    JsonObject a = s.getJsonObject("ackLatency");
    String errors = s.getJsonObject("errors").isEmpty() ? "-" : s.getJsonObject("errors").encode();
    if (durable) {
      System.out.printf("%-10s %8s %9.0f %9.0f %9.0f %8s %8s %8s %8s %10s %8s %8s %8.1f %8d  %s%n", s.getString("step"),
          s.getDouble("targetSendsPerSec") > 0 ? String.format("%.0f", s.getDouble("targetSendsPerSec")) : "closed",
          s.getDouble("sentPerSec"), s.getDouble("ackedPerSec"), s.getDouble("deliveredPerSec"), ms(a, "p50Ms"),
          ms(a, "p95Ms"), ms(a, "p99Ms"), ms(a, "maxMs"), ms(l, "p99Ms"), num(s, "serverCpuPct", "%.1f"),
          num(s, "serverCpuUsPerAck", "%.1f"), s.getDouble("generatorCpuPct"), s.getLong("skippedSends"), errors);
    } else {
      System.out.printf("%-10s %8.0f %9.0f %10.0f %10.0f %7s %8s %8s %8s %8s %8s %8s %8.1f  %s%n", s.getString("step"),
          s.getDouble("targetSendsPerSec"), s.getDouble("sentPerSec"), s.getDouble("expectedDeliveriesPerSec"),
          s.getDouble("deliveredPerSec"), num(s, "deliveredPctOfExpected", "%.1f"), ms(l, "p50Ms"), ms(l, "p95Ms"),
          ms(l, "p99Ms"), ms(l, "maxMs"), num(s, "serverCpuPct", "%.1f"), num(s, "serverCpuUsPerDelivery", "%.2f"),
          s.getDouble("generatorCpuPct"), errors);
    }
    if (s.getJsonArray("serverCpuPctPerNode") != null) {
      StringBuilder b = new StringBuilder();
      for (Object v : s.getJsonArray("serverCpuPctPerNode")) {
        b.append(b.length() == 0 ? "" : " / ").append(String.format("%.1f", ((Number) v).doubleValue()));
      }
      System.out.printf("%-10s srv CPU%% per node: %s (srv CPU%% and us/%s are all nodes together)%n", "", b,
          durable ? "ack" : "deliv");
    }
    if (s.getBoolean("generatorSaturated")) {
      System.out.printf("WARNING: the generator used %.0f%% CPU (over 80%% of its %d core(s)); this step may measure the "
          + "generator, not the service%n", s.getDouble("generatorCpuPct"), cores);
    }
  }

  /** After all steps: one line on whether the generator was the bottleneck. */
  void summarizeGenerator() {
    double max = 0;
    for (Object o : steps) {
      max = Math.max(max, ((JsonObject) o).getDouble("generatorCpuPct"));
    }
    note(String.format("generator CPU peaked at %.0f%% of one core (%d core(s) usable, %d event loop(s)); %s", max,
        Runtime.getRuntime().availableProcessors(), o.eventLoops,
        max > 80.0 * cores ? "it may have been the bottleneck: use more cores/--event-loops or a smaller --sample"
            : "it was not the bottleneck"));
  }

  private static String ms(JsonObject h, String key) {
    return h.getValue(key) == null ? "-" : String.format("%.2f", h.getDouble(key));
  }

  private static String num(JsonObject s, String key, String format) {
    return s.getValue(key) == null ? "-" : String.format(format, s.getDouble(key));
  }

  static String table(Map<String, ?> rows) {
    StringBuilder b = new StringBuilder();
    rows.forEach((k, v) -> b.append(String.format("  %-34s %s%n", k, v)));
    return b.toString();
  }

  void write() {
    if (o.json == null) {
      return;
    }
    try {
      Files.writeString(Path.of(o.json), root.encodePrettily());
      System.out.println("figures written to " + o.json);
    } catch (IOException e) {
      System.err.println("loadgen: could not write " + o.json + ": " + e);
    }
  }
}
