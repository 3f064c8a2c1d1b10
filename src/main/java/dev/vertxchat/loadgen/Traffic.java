package dev.vertxchat.loadgen;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * The sending scenarios. {@code fanout}: one room of C members, S of them senders. {@code rooms}: K rooms
 * of M members, the first {@code --senders} of each room sending. {@code durable}: every connection sends
 * with a reply address; closed loop ({@code --window}) or paced ({@code --rates}). Each step: sending for
 * step-seconds, then a drain in which arrivals are still counted; a warm-up step first, not reported.
 */
final class Traffic {
  private final Fleet fleet;
  private final Options o;
  private final Stats stats;
  private final Report report;
  private final long[] serverPids;
  private final boolean durable;
  private final List<Pacer> pacers = new ArrayList<>();
  private volatile boolean closedLoop;
  private volatile int window;

  Traffic(Fleet fleet, Report report, long[] serverPids) {
    this.fleet = fleet;
    this.o = fleet.o;
    this.stats = fleet.stats;
    this.report = report;
    this.serverPids = serverPids;
    this.durable = o.scenario.equals("durable");
  }

  /**
   * Sends paced by a 1 ms timer on one event loop, for the senders owned by that loop: by each tick it
   * has sent {@code rate × elapsed} messages in all, round-robin over its senders (several per tick at
   * high rates). More than 100 ms behind schedule, the backlog is dropped and counted as skipped.
   */
  private final class Pacer {
    final BridgeConn[] senders;
    final int cap;
    volatile double rate;
    volatile long start;
    long seen = -1;
    long sentSince;
    int cursor;

    Pacer(List<BridgeConn> senders, int cap) {
      this.senders = senders.toArray(new BridgeConn[0]);
      this.cap = cap;
    }

    void tick() {
      double r = rate;
      long st = start;
      if (r <= 0 || senders.length == 0) {
        return;
      }
      if (st != seen) {
        seen = st;
        sentSince = 0;
      }
      long due = (long) (r * (System.nanoTime() - st) / 1e9) - sentSince;
      if (due <= 0) {
        return;
      }
      long max = (long) Math.max(1, r * 0.1);
      if (due > max) {
        stats.skipped.add(due - max);
        sentSince += due - max;
        due = max;
      }
      sentSince += due;
      for (long k = 0; k < due; k++) {
        BridgeConn c = senders[cursor];
        cursor = cursor + 1 == senders.length ? 0 : cursor + 1;
        if (!c.isOpen() || (c.acks && c.outstanding >= cap)) {
          stats.skipped.increment();
        } else {
          c.sendChat();
        }
      }
    }
  }

  private boolean isSender(BridgeConn c) {
    return durable || c.index % o.roomSize < o.senders;
  }

  void run(ServiceApi api) {
    fleet.signIn(api);
    fleet.createRooms(api, o.rooms);
    long t0 = System.nanoTime();
    int joined = fleet.connectAll(durable);
    fleet.say(String.format("%d of %d connections open and joined in %.1f s (%s, %d room(s) of %d, %d sender(s)%s)",
        joined, o.clients, (System.nanoTime() - t0) / 1e9, o.sockjs ? "sockjs" : "raw", o.rooms, o.roomSize,
        durable ? o.clients : o.rooms * o.senders, o.rooms > 1 && !durable ? ", " + o.senders + " per room" : ""));
    if (joined < o.clients) {
      report.note((o.clients - joined) + " connection(s) could not connect or join: " + stats.errors());
    }
    report.root.put("setup", new JsonObject().put("joined", joined).put("rooms", o.rooms).put("roomSize", o.roomSize)
        .put("senders", durable ? o.clients : o.rooms * o.senders).put("sampleConnections", o.sample));
    int totalSenders = (int) fleet.conns.stream().filter(this::isSender).count();
    int cap = durable ? (o.windows.isEmpty() ? 100 : o.windows.get(0)) : Integer.MAX_VALUE;
    fleet.onEachLoop((loop, mine) -> {
      Pacer p = new Pacer(mine.stream().filter(this::isSender).toList(), cap);
      synchronized (pacers) {
        pacers.add(p);
      }
      if (p.senders.length > 0) {
        fleet.vertx.setPeriodic(1, id -> p.tick());
      }
      if (durable) {
        mine.forEach(c -> c.onAnswer = () -> {
          if (closedLoop && c.outstanding < window) {
            c.sendChat();
          }
        });
      }
    });
    sleep(1000); // let the join envelopes settle
    boolean loop = durable && !o.windows.isEmpty();
    report.printHeader(durable);
    if (o.warmupSeconds > 0) {
      step("warm-up", o.warmupSeconds, loop ? 0 : o.rates.get(0), loop ? o.windows.get(0) : 0, totalSenders, false);
    }
    if (loop) {
      for (int w : o.windows) {
        step("W=" + w, o.stepSeconds, 0, w, totalSenders, true);
      }
    } else {
      for (int r : o.rates) {
        step(String.valueOf(r), o.stepSeconds, r, 0, totalSenders, true);
      }
    }
    report.summarizeGenerator();
    java.util.Map<String, Long> errors = stats.errors();
    if (errors.keySet().stream().anyMatch(k -> k.endsWith("-4001"))) {
      report.note("errors *-4001 are refused sends: the per-user rate limit (start the service with "
          + "CHAT_LIMITS_MESSAGESPERSECOND=100000 CHAT_LIMITS_MESSAGEBURST=100000), or over 100 chat.send awaiting a "
          + "reply on one connection (the bridge forwards a connection's chat.send one at a time, each after the previous "
          + "one is stored): use more --senders");
    }
    if (errors.keySet().stream().anyMatch(k -> k.endsWith("-4005"))) {
      report.note("errors *-4005 are refused sends: the server-wide message ceiling (start the service with "
          + "CHAT_LIMITS_GLOBALMESSAGESPERSECOND=1000000) or a data directory low on space (store.minFreeDiskBytes)");
    }
    if (errors.containsKey("closed-4101")) {
      report.note("the service closed slow consumers (4101): the generator did not read fast enough; its figures are "
          + "not the service's");
    }
    if (!durable) {
      report.note("latency is sampled on " + Math.min(o.sample, o.clients) + " connection(s) (every chat frame they "
          + "receive); the others only count chat frames");
    }
    fleet.closeAll();
  }

  /** One step: a paced rate (rate > 0) or a closed loop of {@code w} outstanding sends per connection. */
  private void step(String label, int seconds, double rate, int w, int totalSenders, boolean reported) {
    stats.latency.getIntervalHistogram();
    stats.ackLatency.getIntervalHistogram();
    Stats.Snapshot a = stats.snapshot(serverPids);
    long start = System.nanoTime();
    if (rate > 0) {
      for (Pacer p : pacers) {
        p.start = start;
        p.rate = rate * p.senders.length / Math.max(1, totalSenders);
      }
    } else {
      window = w;
      closedLoop = true;
      fleet.onEachLoop((loop, mine) -> mine.forEach(c -> {
        while (c.isOpen() && c.outstanding < window) {
          c.sendChat();
        }
      }));
    }
    sleep(seconds * 1000L);
    for (Pacer p : pacers) {
      p.rate = 0;
    }
    closedLoop = false;
    Stats.Snapshot m = stats.snapshot(serverPids);
    long drainEnd = System.currentTimeMillis() + o.drainSeconds * 1000L;
    sleep(o.drainSeconds * 1000L);
    if (durable) {
      // acknowledgements still due are waited for a little longer, bounded
      while (fleet.conns.stream().anyMatch(c -> c.isOpen() && c.outstanding > 0)
          && System.currentTimeMillis() < drainEnd + 10_000) {
        sleep(100);
      }
    }
    Stats.Snapshot b = stats.snapshot(serverPids);
    Histogram lat = stats.latency.getIntervalHistogram();
    Histogram ack = stats.ackLatency.getIntervalHistogram();
    if (!reported) {
      System.out.printf("%-10s (%d s, not reported: delivered %.0f/s, gen CPU %.0f%%)%n", label, seconds,
          (b.delivered() - a.delivered()) / (double) seconds,
          100.0 * (m.selfTicks() - a.selfTicks()) / Stats.HZ / ((m.nanos() - a.nanos()) / 1e9));
      return;
    }
    JsonObject s = report.step(label, seconds, rate, o.roomSize, a, m, b, lat, ack);
    if (rate <= 0) {
      s.put("window", w);
    }
    report.printRow(s, durable);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
