package dev.vertxchat.auth;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.cluster.NodeRequests;
import dev.vertxchat.store.BanStore;
import dev.vertxchat.store.BanStore.Ban;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The users an operator banned: kept in the database ({@link BanStore}) and in memory, so the check
 * every verified token gets ({@link TokenService}) costs a map lookup, never a database round trip.
 * One per service, shared by every HTTP verticle instance: a ban applies to all of them at once. Safe
 * from any thread.
 *
 * <p>In a cluster ({@link #load(Vertx, BanStore, ClusterNode)} with a node) every node keeps its own copy:
 * a ban or unban on one node has every node read the bans again from the store (a request to each
 * node, {@link NodeRequests}), and each node reads them again every {@link #RELOAD_MS} as well, so a
 * node that missed a request has the store's bans at most that much later.
 */
public final class Bans {
  private static final Logger LOG = LoggerFactory.getLogger(Bans.class);
  /** In a cluster: how often each node reads the bans again from the store. */
  public static final long RELOAD_MS = 30_000;

  private final BanStore store;
  private final Map<String, Ban> banned = new ConcurrentHashMap<>();
  /** The other nodes, null in a single process. */
  private final NodeRequests cluster;
  /** The last reload; reloads run one after another, so the latest read wins. */
  private Future<Void> reloading = Future.succeededFuture();
  private MessageConsumer<JsonObject> consumer;
  private Vertx vertx;
  private long timer = -1;

  private Bans(BanStore store, NodeRequests cluster) {
    this.store = store;
    this.cluster = cluster;
  }

  /** The bans of {@code store}, read once. */
  public static Future<Bans> load(BanStore store) {
    Bans bans = new Bans(store, null);
    return store.all().map(all -> {
      all.forEach(b -> bans.banned.put(b.user(), b));
      return bans;
    });
  }

  /**
   * The bans of {@code store}; with a {@code node} (a cluster), kept the same as the other nodes': this
   * node reads them again when another node asks ({@link Addresses#NODE_BANS}) and every {@link #RELOAD_MS}.
   * Without a node, as {@link #load(BanStore)}.
   */
  public static Future<Bans> load(Vertx vertx, BanStore store, ClusterNode node) {
    if (node == null) {
      return load(store);
    }
    Bans bans = new Bans(store, NodeRequests.of(vertx, node));
    bans.vertx = vertx;
    // answering first, then reading: a change made while this node starts is not missed
    return bans.cluster.serve(Addresses.NODE_BANS, body -> bans.reload().map(new JsonObject()))
        .compose(consumer -> {
          bans.consumer = consumer;
          return bans.reload();
        })
        .map(v -> {
          bans.timer = vertx.setPeriodic(RELOAD_MS, id -> bans.reload()
              .onFailure(err -> LOG.warn("Reading the bans again failed: {}", err.toString())));
          return bans;
        });
  }

  /** No bans, and none can be made (a service without a database: tests of single parts). */
  public static Bans none() {
    return new Bans(null, null);
  }

  /** In a cluster: stops answering the other nodes and reading the bans again. */
  public Future<Void> close() {
    if (vertx != null && timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  public boolean banned(String userId) {
    return banned.containsKey(userId);
  }

  /** Every ban, oldest first. */
  public List<Ban> list() {
    List<Ban> out = new ArrayList<>(banned.values());
    out.sort(Comparator.comparingLong(Ban::since).thenComparing(Ban::user));
    return out;
  }

  /** Bans {@code user}: {@link #record}, then {@link #enforce}. */
  public Future<Ban> ban(String user, String reason, String by) {
    return record(user, reason, by).compose(ban -> enforce(ban).map(ban));
  }

  /**
   * Stores a ban, not yet in effect until {@link #enforce} (a caller closes the user's connections in
   * between, so their close frames can still reach a SockJS polling client, whose next poll a ban in
   * effect would refuse). Banning again replaces the reason and keeps the rest.
   */
  public Future<Ban> record(String user, String reason, String by) {
    Ban existing = banned.get(user);
    Ban ban = existing == null ? new Ban(user, reason, by, System.currentTimeMillis())
        : new Ban(user, reason, existing.by(), existing.since());
    return store.put(ban).map(ban);
  }

  /**
   * Puts a stored ban in effect: the user's tokens are refused from now on; in a cluster, on every node
   * (completes when each has read the bans again, or did not answer in time).
   */
  public Future<Void> enforce(Ban ban) {
    banned.put(ban.user(), ban);
    return everyNode();
  }

  /** @return false when the user was not banned; in a cluster, completes once every node has read the bans again */
  public Future<Boolean> unban(String user) {
    return store.remove(user).compose(removed -> {
      boolean was = banned.remove(user) != null || removed;
      return everyNode().map(was);
    });
  }

  private Future<Void> everyNode() {
    return cluster == null ? Future.succeededFuture() : cluster.everyNode(Addresses.NODE_BANS, new JsonObject()).mapEmpty();
  }

  /** Reads the bans again from the store: the store's bans replace those in memory. */
  Future<Void> reload() {
    synchronized (this) {
      reloading = reloading.transform(ignored -> store.all().map(all -> {
        Set<String> users = all.stream().map(Ban::user).collect(Collectors.toSet());
        banned.keySet().retainAll(users);
        all.forEach(b -> banned.put(b.user(), b));
        return null;
      }));
      return reloading;
    }
  }
}
