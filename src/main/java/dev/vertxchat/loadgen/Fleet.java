package dev.vertxchat.loadgen;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generator's connections: guests signed in up front, then connections opened with bounded
 * concurrency, spread over the event loops (one context each) and the source addresses (one WebSocket
 * client each), and joined to their rooms. Connection {@code g} (global index) is in room {@code g / roomSize}
 * and goes to --url {@code g mod N} (the nodes of a cluster).
 */
final class Fleet {
  final Vertx vertx;
  final Options o;
  final Stats stats;
  final List<Context> loops = new ArrayList<>();
  private final List<WebSocketClient> clients = new ArrayList<>();
  final List<BridgeConn> conns = new ArrayList<>();
  List<ServiceApi.Guest> guests = List.of();
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger joined = new AtomicInteger();
  final AtomicLong lastOpenNanos = new AtomicLong();
  final AtomicLong lastJoinNanos = new AtomicLong();

  Fleet(Vertx vertx, Options o, Stats stats) {
    this.vertx = vertx;
    this.o = o;
    this.stats = stats;
    // one deployed instance per event loop, only to get that many distinct event-loop contexts
    List<Context> found = java.util.Collections.synchronizedList(new ArrayList<>());
    await(vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        found.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(o.eventLoops)), 30);
    loops.addAll(found);
    for (String address : o.sourceAddresses) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(address)
          .setMaxConnections(o.clients + 16).setConnectTimeout(30_000)
          .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22)));
    }
  }

  String roomId(int room) {
    return o.roomPrefix + "-" + room;
  }

  /** Signs in this process's guests ({@code <prefix>-<global index>}); before any timing starts. */
  void signIn(ServiceApi api) {
    int n = o.localClients();
    ServiceApi.Guest[] out = new ServiceApi.Guest[n];
    long t0 = System.nanoTime();
    // a sign-in whose keep-alive connection the service closed meanwhile fails: such guests are tried twice more
    for (int attempt = 0; attempt < 3; attempt++) {
      List<Integer> todo = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (out[i] == null) {
          todo.add(i);
        }
      }
      if (todo.isEmpty()) {
        break;
      }
      await(ServiceApi.bounded(vertx, stats, attempt == 0 ? "sign-in-failed" : "sign-in-failed-again", todo.size(),
          Math.min(64, o.connectConcurrency), k -> {
            int i = todo.get(k);
            return api.guest(o.namePrefix + "-" + o.globalIndex(i), o.globalIndex(i) % o.targets.size()).onSuccess(g -> out[i] = g);
          }), o.connectTimeoutSeconds);
    }
    guests = new ArrayList<>();
    for (ServiceApi.Guest g : out) {
      if (g != null) {
        guests.add(g);
      }
    }
    say(String.format("signed in %d guests in %.1f s", guests.size(), (System.nanoTime() - t0) / 1e9));
    if (guests.isEmpty()) {
      throw new IllegalStateException("no guest could sign in; is the service running at " + o.url + "?");
    }
  }

  /**
   * Creates the rooms (409 = exists is fine), spread over the guests: the service lets one user create
   * only limits.roomsPerUser rooms (10 by default).
   */
  void createRooms(ServiceApi api, int count) {
    await(ServiceApi.bounded(vertx, stats, "room-create-failed", count, Math.min(64, o.connectConcurrency),
        i -> api.room(guests.get(i % guests.size()).token(), roomId(i))), o.connectTimeoutSeconds);
  }

  /**
   * Opens and joins one connection per signed-in guest. {@code acks}: connections track replies.
   * Waits at most connect-timeout-seconds; returns the number joined.
   */
  int connectAll(boolean acks) {
    return connect(guests.size(), acks);
  }

  /**
   * Opens, joins and closes the first {@code n} guests' connections, then forgets them: warms up the
   * generator's (and the service's) code so a timed connect phase does not measure the JIT.
   */
  void warmUp(int n) {
    connect(Math.min(n, guests.size()), false);
    closeAll();
    conns.clear();
    opened.set(0);
    joined.set(0);
    lastOpenNanos.set(0);
    lastJoinNanos.set(0);
  }

  /** The WebSocket client (source address) of a connection. */
  WebSocketClient clientOf(BridgeConn c) {
    return clients.get(c.index % clients.size());
  }

  /** Connections joined per --url, in --url order. */
  int[] joinedPerTarget() {
    int[] out = new int[o.targets.size()];
    for (BridgeConn c : conns) {
      if (c.isJoinedAndOpen()) {
        out[c.index % out.length]++;
      }
    }
    return out;
  }

  private int connect(int n, boolean acks) {
    int total = o.clients;
    for (int i = 0; i < n; i++) {
      int g = o.globalIndex(i);
      // exactly o.sample connections over all, evenly spread over the global index range
      boolean sample = (long) g * o.sample / total != (long) (g + 1) * o.sample / total;
      ServiceApi.Guest guest = guests.get(i);
      conns.add(new BridgeConn(vertx, stats, g, guest.token(), guest.userId(), roomId(g / o.roomSize), sample, acks));
    }
    long timeoutMs = o.connectTimeoutSeconds * 1000L;
    Future<Void> all = ServiceApi.bounded(vertx, stats, "connect-failed", n, o.connectConcurrency, i -> {
      BridgeConn c = conns.get(i);
      WebSocketClient client = clientOf(c);
      Promise<Void> done = Promise.promise();
      loopOf(c).runOnContext(v -> c.open(client, o.targetOf(c.index), o.sockjs, timeoutMs)
          .compose(x -> {
            opened.incrementAndGet();
            lastOpenNanos.accumulateAndGet(System.nanoTime(), Math::max);
            return c.join();
          })
          .onSuccess(x -> {
            joined.incrementAndGet();
            lastJoinNanos.accumulateAndGet(System.nanoTime(), Math::max);
          })
          .onComplete(done));
      return done.future();
    });
    try {
      all.await(o.connectTimeoutSeconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      stats.error("connect-phase-timeout");
    }
    return joined.get();
  }

  Context loopOf(BridgeConn c) {
    return loops.get(c.index % loops.size());
  }

  /** Runs an action for each connection on its own event loop and waits (bounded) for all. */
  void onEachLoop(java.util.function.BiConsumer<Context, List<BridgeConn>> action) {
    List<Future<Void>> done = new ArrayList<>();
    for (Context loop : loops) {
      List<BridgeConn> mine = conns.stream().filter(c -> loopOf(c) == loop).toList();
      Promise<Void> p = Promise.promise();
      loop.runOnContext(v -> {
        action.accept(loop, mine);
        p.complete();
      });
      done.add(p.future());
    }
    await(Future.all(done), 30);
  }

  /** Closes every connection (normal closure), waiting at most 30 s. */
  void closeAll() {
    List<Future<Void>> closing = java.util.Collections.synchronizedList(new ArrayList<>());
    onEachLoop((loop, mine) -> mine.forEach(c -> closing.add(c.close().recover(err -> Future.succeededFuture()))));
    try {
      Future.all(new ArrayList<>(closing)).await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      stats.error("close-timeout");
    }
  }

  void say(String line) {
    if (!o.child) {
      System.out.println(line);
    } else {
      System.err.println("[shard " + o.shard + "] " + line);
    }
  }

  static <T> T await(Future<T> f, int seconds) {
    try {
      return f.await(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out after " + seconds + " s", e);
    }
  }
}
