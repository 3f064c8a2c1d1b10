package dev.vertxchat.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Failover after SIGKILL of one node. --clients connections in one room, spread over the URLs (or all
 * through one URL, e.g. nginx in front of the nodes); --senders of them send chat.send at the first --rates
 * (aggregate) with a reply address. After --kill-after-seconds this generator kills --kill-pid (a node the
 * operator started and named); each connection that the service closes reconnects (the same URL when only
 * one is given, otherwise the next URLs in turn), registers the room and catches up with chat.history
 * {@code after} the highest id it has. Reports the time from the kill to each reconnect and to each
 * completed catch-up, then compares every client's ids with the room's history read over REST: missing,
 * extra, delivered twice live, delivered out of order live, and acknowledged messages absent from the history.
 * Longer than 300 lines because the reconnect, catch-up and the final comparison are one measurement.
 */
final class Failover {
  private static final int PAGE = 200;
  private static final int MAX_ATTEMPTS = 200;

  private final Fleet fleet;
  private final Options o;
  private final Report report;
  private final long[] serverPids;
  private final Set<Long> acked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sendFailures = new AtomicInteger();
  private final AtomicInteger reconnectFailures = new AtomicInteger();
  private volatile boolean sending;
  /** Set at the end: connections that close now are not reconnected. */
  private volatile boolean stopped;
  private volatile long killNanos;

  /** One simulated user across its connections; touched only on its event loop. */
  private final class Client {
    final int index;
    final ServiceApi.Guest guest;
    final boolean sender;
    final Context loop;
    BridgeConn conn;
    int target;
    boolean ready;
    final Set<Long> ids = new HashSet<>();
    final Set<Long> liveIds = new HashSet<>();
    long maxId;
    /** Where the catch-up reads on: the highest id before the reconnect, then the last id of each page. */
    long cursor;
    long lastLive;
    int liveDuplicates;
    int liveOutOfOrder;
    int outstanding;
    volatile long closedAt;
    volatile long reconnectedAt;
    volatile long caughtUpAt;
    int attempts;
    final boolean joinedAtStart;
    long seq;
    long tags;

    Client(BridgeConn first, ServiceApi.Guest guest, boolean sender, Context loop) {
      this.index = first.index;
      this.guest = guest;
      this.sender = sender;
      this.loop = loop;
      this.target = index % o.targets.size();
      attach(first);
      ready = first.isJoinedAndOpen();
      joinedAtStart = ready;
    }

    void attach(BridgeConn c) {
      conn = c;
      lastLive = 0;
      c.onChat = this::chat;
      c.onReply = this::reply;
      c.onClosed = this::lost;
    }

    void chat(JsonObject body) {
      long id = body.getLong("id", -1L);
      if (id < 0) {
        return;
      }
      if (!liveIds.add(id)) {
        liveDuplicates++;
      } else if (id <= lastLive) {
        liveOutOfOrder++;
      }
      lastLive = Math.max(lastLive, id);
      ids.add(id);
      maxId = Math.max(maxId, id);
    }

    void send() {
      if (!ready || !conn.isOpen() || outstanding >= 100) {
        fleet.stats.skipped.increment();
        return;
      }
      outstanding++;
      conn.request("chat.send", new JsonObject().put("room", conn.room).put("text", "lg " + System.nanoTime() + " " + seq++),
          "s" + (++tags));
      fleet.stats.sent.increment();
    }

    void reply(JsonObject f) {
      String address = f.getString("address", "");
      boolean failed = "err".equals(f.getString("type"));
      if (address.startsWith("r.s")) {
        outstanding--;
        if (failed) {
          sendFailures.incrementAndGet();
          fleet.stats.error("send-" + f.getValue("failureCode"));
        } else {
          fleet.stats.acked.increment();
          acked.add(f.getJsonObject("body").getLong("id"));
        }
      } else if (address.startsWith("r.h")) {
        if (failed) {
          fleet.stats.error("history-" + f.getValue("failureCode"));
          fleet.vertx.setTimer(100, id -> catchUp());
          return;
        }
        JsonArray page = f.getJsonObject("body").getJsonArray("messages");
        for (Object m : page) {
          JsonObject e = (JsonObject) m;
          cursor = Math.max(cursor, e.getLong("id", cursor));
          if ("chat".equals(e.getString("type"))) {
            ids.add(e.getLong("id"));
            maxId = Math.max(maxId, e.getLong("id"));
          }
        }
        if (page.size() >= PAGE) {
          catchUp();
        } else {
          caughtUpAt = System.nanoTime();
        }
      }
    }

    /** The next history page after {@link #cursor} (live messages arriving meanwhile do not move it). */
    void catchUp() {
      conn.request("chat.history", new JsonObject().put("room", conn.room).put("after", cursor).put("limit", PAGE), "h" + (++tags));
    }

    /** The service closed the connection: reconnect (bounded attempts, short backoff), register, catch up. */
    void lost() {
      if (stopped) {
        return;
      }
      ready = false;
      outstanding = 0; // replies to the closed connection will not come
      if (closedAt == 0) {
        closedAt = System.nanoTime();
      }
      if (++attempts > MAX_ATTEMPTS) {
        reconnectFailures.incrementAndGet();
        return;
      }
      if (o.targets.size() > 1) {
        target = (target + 1) % o.targets.size();
      }
      BridgeConn c = new BridgeConn(fleet.vertx, fleet.stats, index, guest.token(), guest.userId(), conn.room, true, false);
      c.open(fleet.clientOf(c), o.targets.get(target), o.sockjs, 5_000).onComplete(ar -> {
        if (ar.failed()) {
          fleet.stats.error("reconnect-failed");
          fleet.vertx.setTimer(Math.min(500, 20L * attempts), id -> lost());
          return;
        }
        attach(c);
        reconnectedAt = System.nanoTime();
        c.write("{\"type\":\"register\",\"address\":\"chat.room." + c.room + "\"}");
        ready = true;
        cursor = maxId;
        catchUp();
      });
    }
  }

  Failover(Fleet fleet, Report report, long[] serverPids) {
    this.fleet = fleet;
    this.o = fleet.o;
    this.report = report;
    this.serverPids = serverPids;
  }

  void run(ServiceApi api) {
    fleet.signIn(api);
    fleet.createRooms(api, 1);
    int joined = fleet.connectAll(false);
    fleet.say(String.format("%d of %d connections joined (%d URL(s)); %d sender(s) at %d msg/s; SIGKILL to %d after %d s",
        joined, o.clients, o.targets.size(), o.senders, o.rates.get(0), o.killPid, o.killAfterSeconds));
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < fleet.conns.size(); i++) {
      BridgeConn c = fleet.conns.get(i);
      clients.add(new Client(c, fleet.guests.get(i), c.index < o.senders, fleet.loopOf(c)));
    }
    int senders = (int) clients.stream().filter(c -> c.sender).count();
    long periodMs = Math.max(1, Math.round(1000.0 * senders / o.rates.get(0)));
    sending = true;
    for (Client c : clients) {
      if (c.sender) {
        c.loop.runOnContext(v -> fleet.vertx.setPeriodic(1 + c.index % periodMs, periodMs, id -> {
          if (sending) {
            c.send();
          } else {
            fleet.vertx.cancelTimer(id);
          }
        }));
      }
    }
    long start = System.nanoTime();
    Traffic.sleep(o.killAfterSeconds * 1000L);
    killNanos = System.nanoTime();
    java.util.Optional<ProcessHandle> victim = ProcessHandle.of(o.killPid);
    boolean killed = victim.map(ProcessHandle::destroyForcibly).orElse(false);
    // how long the kernel takes to end the process (its sockets close only then), at most 30 s
    long exitNanos = -1;
    if (killed) {
      try {
        victim.get().onExit().get(30, TimeUnit.SECONDS);
        exitNanos = System.nanoTime() - killNanos;
      } catch (Exception e) {
        fleet.say("the killed process did not end within 30 s: " + e);
      }
    }
    fleet.say(killed ? String.format("SIGKILL sent to %d; it ended %.0f ms later", o.killPid, exitNanos / 1e6)
        : "could not kill " + o.killPid + " (no such process?)");
    // wait (bounded) for the first closed connection, then until every closed one has reconnected and caught up
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && clients.stream().noneMatch(c -> c.closedAt > 0)) {
      Traffic.sleep(50);
    }
    Traffic.sleep(2000); // the others of that node close at about the same time
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(30, o.holdSeconds));
    while (System.nanoTime() < deadline && clients.stream().anyMatch(c -> c.closedAt > 0 && c.caughtUpAt == 0
        && c.attempts <= MAX_ATTEMPTS)) {
      Traffic.sleep(100);
    }
    Traffic.sleep(5000); // keep sending on the survivors for a while
    sending = false;
    // drain: until no delivery arrived for 2 s (at most 30 s)
    long last = -1;
    long quietSince = System.nanoTime();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(2)) {
      long now = fleet.stats.delivered.sum() + fleet.stats.acked.sum();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
      Traffic.sleep(100);
    }
    stopped = true;
    double sendingSeconds = (System.nanoTime() - start) / 1e9;
    fleet.say(String.format("%d connection(s) were closed, %d reconnected, %d caught up; comparing with the history",
        clients.stream().filter(c -> c.closedAt > 0).count(), clients.stream().filter(c -> c.reconnectedAt > 0).count(),
        clients.stream().filter(c -> c.caughtUpAt > 0).count()));
    // each client's view, copied on its own event loop
    List<Future<Set<Long>>> copies = new ArrayList<>();
    for (Client c : clients) {
      io.vertx.core.Promise<Set<Long>> p = io.vertx.core.Promise.promise();
      c.loop.runOnContext(v -> p.complete(new HashSet<>(c.ids)));
      copies.add(p.future());
    }
    Fleet.await(Future.join(copies), 30);
    List<Set<Long>> views = copies.stream().map(Future::result).toList();

    // the room may hold messages of earlier runs: compare from the first id any client received on
    long first = views.stream().flatMap(Set::stream).min(Long::compare).orElse(0L);
    List<Long> whole = history(api, clients);
    Set<Long> wholeSet = new HashSet<>(whole);
    List<Long> history = whole.stream().filter(id -> id >= first).toList();
    Set<Long> historySet = new HashSet<>(history);
    long missing = 0;
    long missingUndisturbed = 0;
    java.util.TreeMap<Long, Integer> missedBy = new java.util.TreeMap<>();
    JsonArray missers = new JsonArray();
    long extra = 0;
    int clientsMissing = 0;
    int liveDup = 0;
    int liveOrder = 0;
    for (int i = 0; i < clients.size(); i++) {
      Client c = clients.get(i);
      Set<Long> view = views.get(i);
      long m = 0;
      for (long id : history) {
        if (!view.contains(id)) {
          m++;
          missedBy.merge(id, 1, Integer::sum);
        }
      }
      missing += m;
      missingUndisturbed += c.closedAt == 0 ? m : 0;
      if (m > 0 && missers.size() < 10) {
        long firstMissed = history.stream().filter(id -> !view.contains(id)).findFirst().orElse(-1L);
        missers.add(new JsonObject().put("index", c.index).put("joinedAtStart", c.joinedAtStart)
            .put("closed", c.closedAt > 0).put("missed", m).put("firstMissed", firstMissed));
      }
      clientsMissing += m > 0 ? 1 : 0;
      extra += view.stream().filter(id -> !historySet.contains(id)).count();
      liveDup += c.liveDuplicates;
      liveOrder += c.liveOutOfOrder;
    }
    long ackedMissing = acked.stream().filter(id -> !wholeSet.contains(id)).count();
    Histogram closeUs = new Histogram(3);
    Histogram reconnectUs = new Histogram(3);
    Histogram caughtUpUs = new Histogram(3);
    Histogram closeToCaughtUpUs = new Histogram(3);
    int affected = 0;
    int notCaughtUp = 0;
    for (Client c : clients) {
      if (c.closedAt == 0) {
        continue;
      }
      affected++;
      closeUs.recordValue(Math.max(0, c.closedAt - killNanos) / 1000);
      if (c.reconnectedAt > 0) {
        reconnectUs.recordValue(Math.max(0, c.reconnectedAt - killNanos) / 1000);
      }
      if (c.caughtUpAt > 0) {
        caughtUpUs.recordValue(Math.max(0, c.caughtUpAt - killNanos) / 1000);
        closeToCaughtUpUs.recordValue(Math.max(0, c.caughtUpAt - c.closedAt) / 1000);
      } else {
        notCaughtUp++;
      }
    }
    JsonObject r = new JsonObject().put("clients", clients.size()).put("urls", o.targets.size()).put("killedPid", o.killPid)
        .put("killed", killed).put("sendingSeconds", sendingSeconds).put("sent", fleet.stats.sent.sum())
        .put("acked", acked.size()).put("sendFailures", sendFailures.get())
        .put("clientsDisconnected", affected).put("reconnectGaveUp", reconnectFailures.get()).put("notCaughtUp", notCaughtUp)
        .put("killToClose", Stats.percentiles(closeUs)).put("killToReconnected", Stats.percentiles(reconnectUs))
        .put("killToCaughtUp", Stats.percentiles(caughtUpUs))
        .put("killToProcessEndMs", exitNanos / 1e6).put("closeToCaughtUp", Stats.percentiles(closeToCaughtUpUs))
        .put("historyMessages", history.size()).put("missingTotal", missing).put("clientsMissingSome", clientsMissing)
        .put("missingOnConnectionsNeverClosed", missingUndisturbed).put("distinctIdsMissed", missedBy.size())
        .put("historyFirstLast", history.isEmpty() ? null : history.get(0) + ".." + history.get(history.size() - 1))
        .put("missedIdsFirst20", missedFirst(missedBy)).put("clientsWithMisses", missers)
        .put("extraTotal", extra).put("liveDuplicates", liveDup).put("liveOutOfOrder", liveOrder)
        .put("ackedNotInHistory", ackedMissing)
        .put("errors", new JsonObject(new TreeMap<>(fleet.stats.errors())));
    report.root.put("failover", r);
    System.out.println();
    System.out.print(Report.table(r.getMap()));
    report.note("killTo*: from SIGKILL to the moment each closed connection was open again (reconnected), and to the "
        + "end of its chat.history catch-up (caught up); missing/extra: every client's ids (live and caught up) against "
        + "the room's history over REST, from the first id any client received on");
    for (Client c : clients) {
      c.loop.runOnContext(v -> c.conn.close());
    }
    Traffic.sleep(1000);
  }

  /** The first 20 missed ids and by how many clients each was missed. */
  private static JsonObject missedFirst(java.util.TreeMap<Long, Integer> missedBy) {
    JsonObject out = new JsonObject();
    missedBy.entrySet().stream().limit(20).forEach(e -> out.put(String.valueOf(e.getKey()), e.getValue()));
    return out;
  }

  /** The room's chat ids, oldest first, read page by page over REST from a URL whose connections stayed up. */
  private List<Long> history(ServiceApi api, List<Client> clients) {
    int target = 0;
    Client reader = clients.get(0);
    for (Client c : clients) {
      if (c.closedAt == 0) {
        reader = c;
        target = o.targets.size() > 1 ? c.index % o.targets.size() : 0;
        break;
      }
    }
    List<Long> out = new ArrayList<>();
    long after = 0;
    for (int page = 0; page < 10_000; page++) {
      JsonArray messages = Fleet.await(api.history(target, reader.guest.token(), reader.conn.room, after, PAGE), 30);
      for (Object m : messages) {
        JsonObject e = (JsonObject) m;
        after = Math.max(after, e.getLong("id"));
        if ("chat".equals(e.getString("type"))) {
          out.add(e.getLong("id"));
        }
      }
      if (messages.size() < PAGE) {
        break;
      }
    }
    return out;
  }
}
