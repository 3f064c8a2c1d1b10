package dev.vertxchat.loadgen;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the generator measures, shared by all its event loops: counters ({@link LongAdder}) and latency
 * recorders ({@link Recorder}: wait-free recording, interval histograms per step), in microseconds with
 * 3 significant digits. Also reads process CPU and RSS from {@code /proc}.
 */
final class Stats {
  final LongAdder sent = new LongAdder();
  final LongAdder delivered = new LongAdder();
  /** WebSocket text messages received (a SockJS message may carry several bridge frames). */
  final LongAdder messages = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final Recorder latency = new Recorder(3);
  final Recorder ackLatency = new Recorder(3);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  void error(String what) {
    errors.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  void latencyNanos(long nanos) {
    latency.recordValue(Math.max(0, nanos / 1000));
  }

  void ackNanos(long nanos) {
    ackLatency.recordValue(Math.max(0, nanos / 1000));
  }

  /** The error counters at this moment. */
  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Counters at a moment; a step is the difference of two. {@code serverTicks}: CPU of all service processes
   * together (-1 when one is unknown), {@code nodeTicks}: of each.
   */
  record Snapshot(long nanos, long sent, long delivered, long messages, long acked, long skipped,
                  Map<String, Long> errors, long serverTicks, long[] nodeTicks, long selfTicks) {
    long errorTotal() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  Snapshot snapshot(long[] serverPids) {
    long[] nodes = new long[serverPids.length];
    long total = serverPids.length == 0 ? -1 : 0;
    for (int i = 0; i < serverPids.length; i++) {
      nodes[i] = cpuTicks(serverPids[i]);
      total = total < 0 || nodes[i] < 0 ? -1 : total + nodes[i];
    }
    return new Snapshot(System.nanoTime(), sent.sum(), delivered.sum(), messages.sum(), acked.sum(), skipped.sum(), errors(),
        total, nodes, cpuTicks(ProcessHandle.current().pid()));
  }

  /** CPU ticks of several processes together, or -1 when one is unknown (or none is given). */
  static long cpuTicks(long[] pids) {
    long total = pids.length == 0 ? -1 : 0;
    for (long pid : pids) {
      long t = cpuTicks(pid);
      total = total < 0 || t < 0 ? -1 : total + t;
    }
    return total;
  }

  /** Errors counted between two snapshots, only those that changed. */
  static Map<String, Long> errorDelta(Snapshot a, Snapshot b) {
    Map<String, Long> out = new TreeMap<>();
    b.errors().forEach((k, v) -> {
      long d = v - a.errors().getOrDefault(k, 0L);
      if (d != 0) {
        out.put(k, d);
      }
    });
    return out;
  }

  /** p50/p95/p99/max in milliseconds, and the count, of a histogram in microseconds. */
  static JsonObject percentiles(Histogram h) {
    JsonObject j = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return j;
    }
    return j.put("p50Ms", h.getValueAtPercentile(50) / 1000.0).put("p95Ms", h.getValueAtPercentile(95) / 1000.0)
        .put("p99Ms", h.getValueAtPercentile(99) / 1000.0).put("maxMs", h.getMaxValue() / 1000.0);
  }

  // ---- /proc

  /** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
  static final int HZ = 100;

  /** utime + stime of a process in clock ticks, or -1 when unknown. */
  static long cpuTicks(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the command name (which may contain spaces) start at field 3 (state)
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** VmRSS of a process in kB, or -1 when unknown. */
  static long rssKb(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return -1;
  }

  /**
   * Live Java heap of a process in kB: {@code jcmd PID GC.run} (a full collection), then the "used" figures
   * of {@code jcmd PID GC.heap_info}; -1 when jcmd is not available or the process is not a JVM of this user.
   */
  static long heapUsedKbAfterGc(long pid) {
    if (pid <= 0 || run(List.of("jcmd", String.valueOf(pid), "GC.run")) == null) {
      return -1;
    }
    String info = run(List.of("jcmd", String.valueOf(pid), "GC.heap_info"));
    if (info == null) {
      return -1;
    }
    long used = 0;
    boolean found = false;
    Matcher m = Pattern.compile("used (\\d+)K").matcher("");
    for (String line : info.split("\n")) {
      if (line.contains("Metaspace") || line.contains("class space")) {
        continue;
      }
      m.reset(line);
      if (m.find()) {
        used += Long.parseLong(m.group(1));
        found = true;
      }
    }
    return found ? used : -1;
  }

  /** Output of a short command, or null when it failed or took over 20 s. */
  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroy();
        return null;
      }
      return p.exitValue() == 0 ? out : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The pid of the process listening on a TCP port, from {@code ss -ltnp}, or -1. */
  static long findListener(int port) {
    String out = run(List.of("ss", "-Hltnp", "sport = :" + port));
    Matcher m = Pattern.compile("pid=(\\d+)").matcher(out == null ? "" : out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
