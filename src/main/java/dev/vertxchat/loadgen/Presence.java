package dev.vertxchat.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Presence convergence across the nodes of a cluster. One observer connection per --url asks
 * {@code chat.presence} for one room; then, one at a time, --joins fresh guests connect to URL i mod N and
 * register the room. From the moment the register frame is written, each observer on another URL asks
 * again every --poll-ms until the guest is listed (join convergence); then the guest closes its connection
 * and the observers ask until it is no longer listed (leave convergence). A figure is the time until the
 * answer that shows the change arrived: it overstates the true time by up to one poll interval plus one
 * round trip. Everything runs on one event loop, one trial after the other.
 */
final class Presence {
  /** A trial that has not converged after this long counts as "not converged". */
  private static final long TRIAL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

  private final Fleet fleet;
  private final Options o;
  private final Report report;
  private final Histogram joinUs = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private final Histogram leaveUs = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private final Histogram ownJoinUs = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private final Histogram ownEnvelopeUs = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private int ownEnvelopeMissing;
  private int joinTimeouts;
  private int leaveTimeouts;
  private int failedTrials;
  private long seq;

  Presence(Fleet fleet, Report report) {
    this.fleet = fleet;
    this.o = fleet.o;
    this.report = report;
  }

  void run(ServiceApi api) {
    int n = o.targets.size();
    String room = o.roomPrefix + "-presence";
    List<ServiceApi.Guest> observerGuests = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      observerGuests.add(Fleet.await(api.guest(o.namePrefix + "-obs-" + k, k), 30));
    }
    Fleet.await(api.room(observerGuests.get(0).token(), room), 30);
    ServiceApi.Guest[] joiners = new ServiceApi.Guest[o.joins];
    Fleet.await(ServiceApi.bounded(fleet.vertx, fleet.stats, "sign-in-failed", o.joins, Math.min(32, o.connectConcurrency),
        i -> api.guest(o.namePrefix + "-p-" + i, i % n).onSuccess(g -> joiners[i] = g)), o.connectTimeoutSeconds);
    Context loop = fleet.loops.get(0);
    List<BridgeConn> observers = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      ServiceApi.Guest g = observerGuests.get(k);
      BridgeConn c = new BridgeConn(fleet.vertx, fleet.stats, k, g.token(), g.userId(), room, true, false);
      observers.add(c);
      Options.Target t = o.targets.get(k);
      Fleet.await(onLoop(loop, () -> c.open(fleet.clientOf(c), t, o.sockjs, 30_000)), 40);
    }
    fleet.say(String.format("%d observers connected (one per URL); %d joins into room %s, polling chat.presence every %d ms",
        n, o.joins, room, o.pollMs));
    long started = System.nanoTime();
    for (int i = 0; i < o.joins; i++) {
      if (joiners[i] == null) {
        failedTrials++;
        continue;
      }
      try {
        trial(loop, i, joiners[i], observers, room);
      } catch (RuntimeException e) {
        failedTrials++;
        if (failedTrials <= 3) {
          System.err.println("loadgen: presence trial " + i + " failed: " + e.getMessage());
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    for (BridgeConn c : observers) {
      onLoop(loop, c::close);
    }
    JsonObject r = new JsonObject().put("urls", n).put("joins", o.joins).put("pollMs", o.pollMs)
        .put("seconds", seconds).put("failedTrials", failedTrials)
        .put("joinNotConvergedIn15s", joinTimeouts).put("leaveNotConvergedIn15s", leaveTimeouts)
        .put("joinOnOtherNodes", Stats.percentiles(joinUs)).put("leaveOnOtherNodes", Stats.percentiles(leaveUs))
        .put("joinerRegistered", Stats.percentiles(ownJoinUs))
        .put("ownJoinEnvelope", Stats.percentiles(ownEnvelopeUs)).put("ownJoinEnvelopeNotSeen", ownEnvelopeMissing)
        .put("errors", new JsonObject(new java.util.TreeMap<>(fleet.stats.errors())));
    report.root.put("presence", r);
    System.out.println();
    System.out.print(Report.table(r.getMap()));
    report.note("join: from the joiner's register frame until an observer on another URL got a chat.presence answer "
        + "listing the joiner (" + joinUs.getTotalCount() + " samples: joins x other URLs); leave: from the joiner's close "
        + "until an answer without it; each overstates the true time by up to --poll-ms plus one round trip. "
        + "joinerRegistered: until the reply to a chat.presence request the joiner sent right after its register (the "
        + "register is complete); ownJoinEnvelope: until the joiner received its own join envelope, NotSeen: joins "
        + "whose joiner had not received it when every observer had seen the join");
  }

  private void trial(Context loop, int i, ServiceApi.Guest g, List<BridgeConn> observers, String room) {
    int n = o.targets.size();
    int home = i % n;
    BridgeConn joiner = new BridgeConn(fleet.vertx, fleet.stats, n + i, g.token(), g.userId(), room, false, false);
    Fleet.await(onLoop(loop, () -> joiner.open(fleet.clientOf(joiner), o.targets.get(home), o.sockjs, 30_000)), 40);
    long[] t0 = new long[1];
    List<Future<Long>> seen = new ArrayList<>();
    Fleet.await(onLoop(loop, () -> {
      t0[0] = System.nanoTime();
      Promise<Void> own = Promise.promise();
      joiner.join().onComplete(own);
      long timer = fleet.vertx.setTimer(TimeUnit.NANOSECONDS.toMillis(TRIAL_TIMEOUT_NANOS), id -> own.tryFail("no own join envelope"));
      own.future().onComplete(ar -> fleet.vertx.cancelTimer(timer));
      own.future().onSuccess(v -> ownJoinUs.recordValue((System.nanoTime() - t0[0]) / 1000));
      for (int k = 0; k < n; k++) {
        if (k != home) {
          seen.add(until(observers.get(k), room, g.userId(), true, t0[0]));
        }
      }
      List<Future<?>> all = new ArrayList<>(seen);
      all.add(own.future().otherwiseEmpty());
      return Future.join(all).mapEmpty();
    }), 30);
    for (Future<Long> f : seen) {
      if (f.succeeded()) {
        joinUs.recordValue(f.result() / 1000);
      } else {
        joinTimeouts++;
      }
    }
    if (joiner.ownJoinNanos > 0) {
      ownEnvelopeUs.recordValue(Math.max(0, joiner.ownJoinNanos - t0[0]) / 1000);
    } else {
      ownEnvelopeMissing++;
    }
    List<Future<Long>> gone = new ArrayList<>();
    Fleet.await(onLoop(loop, () -> {
      long t1 = System.nanoTime();
      joiner.close();
      for (int k = 0; k < n; k++) {
        if (k != home) {
          gone.add(until(observers.get(k), room, g.userId(), false, t1));
        }
      }
      return Future.join(gone).mapEmpty();
    }), 30);
    for (Future<Long> f : gone) {
      if (f.succeeded()) {
        leaveUs.recordValue(f.result() / 1000);
      } else {
        leaveTimeouts++;
      }
    }
  }

  /**
   * Asks chat.presence on {@code obs} until {@code userId} is listed ({@code present}) or not; completes with
   * the nanoseconds from {@code t0} to that answer, fails after {@link #TRIAL_TIMEOUT_NANOS}. On the event loop.
   */
  private Future<Long> until(BridgeConn obs, String room, String userId, boolean present, long t0) {
    Promise<Long> done = Promise.promise();
    Runnable[] ask = new Runnable[1];
    ask[0] = () -> {
      String tag = String.valueOf(++seq);
      obs.onReply = f -> {
        if (!f.getString("address", "").equals("r." + tag)) {
          return;
        }
        long now = System.nanoTime();
        boolean listed = listed(f, userId);
        if (f.getString("type", "").equals("err")) {
          fleet.stats.error("presence-" + f.getValue("failureCode"));
        } else if (listed == present) {
          done.tryComplete(now - t0);
          return;
        }
        if (now - t0 > TRIAL_TIMEOUT_NANOS) {
          done.tryFail("not converged");
        } else {
          fleet.vertx.setTimer(o.pollMs, id -> ask[0].run());
        }
      };
      obs.request("chat.presence", new JsonObject().put("room", room), tag);
    };
    ask[0].run();
    return done.future();
  }

  private static boolean listed(JsonObject reply, String userId) {
    if (!(reply.getValue("body") instanceof JsonObject body) || !(body.getValue("users") instanceof JsonArray users)) {
      return false;
    }
    for (Object u : users) {
      if (u instanceof JsonObject user && userId.equals(user.getString("id"))) {
        return true;
      }
    }
    return false;
  }

  private static <T> Future<T> onLoop(Context loop, java.util.function.Supplier<Future<T>> action) {
    Promise<T> p = Promise.promise();
    loop.runOnContext(v -> action.get().onComplete(p));
    return p.future();
  }
}
