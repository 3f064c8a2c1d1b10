package dev.vertxchat.bridge;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.cluster.NodeRequests;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live bridge connections of one service, over every HTTP verticle instance and transport: who,
 * over what, from where, since when, in which rooms; and closing all of a user's connections with a
 * code (the admin API). A connection's own state stays on its event loop: listing and closing hop
 * there. Safe from any thread.
 *
 * <p>{@link #listAll} and {@link #closeAll} act on every node of a cluster (made with a node): each node
 * answers for its own connections at its internal address ({@link Addresses#NODE_CONNECTIONS},
 * {@link Addresses#NODE_DISCONNECT}, served after {@link #open}); a node that does not answer in time
 * is counted in the answer's {@code nodes}. In a single process they are {@link #list} and {@link #close}.
 */
public final class ConnectionRegistry {
  /** One connection as an operator sees it; {@code node} is the cluster node that holds it (null: this process, no cluster). */
  public record Info(String id, UserRef user, String transport, String address, long since, List<String> rooms, String node) {
    /** {@code {"id","user":{"id","name"},"transport","address","since","rooms"}}, and {@code "node"} in a cluster. */
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id).put("user", user.toJson())
          .put("transport", transport).put("address", address).put("since", since).put("rooms", new JsonArray(new ArrayList<>(rooms)));
      return node == null ? json : json.put("node", node);
    }

    /** Read back from {@link #toJson}, as held by {@code node}. */
    static Info fromJson(JsonObject json, String node) {
      List<String> rooms = new ArrayList<>();
      json.getJsonArray("rooms", new JsonArray()).forEach(r -> rooms.add((String) r));
      return new Info(json.getString("id"), UserRef.fromJson(json.getJsonObject("user")), json.getString("transport"),
          json.getString("address"), json.getLong("since", 0L), rooms, node);
    }
  }

  /** Connections listed; {@code nodes} ({@code {"answered","missing"}}) in a cluster, else null. */
  public record Listing(List<Info> connections, JsonObject nodes) {}

  /** How many connections were closed; {@code nodes} ({@code {"answered","missing"}}) in a cluster, else null. */
  public record Closed(int closed, JsonObject nodes) {}

  /** Oldest first; ties by node, then by the order they opened in. */
  private static final Comparator<Info> OLDEST_FIRST = Comparator.comparingLong(Info::since)
      .thenComparing(i -> i.node() == null ? "" : i.node())
      .thenComparingLong(i -> Long.parseLong(i.id().substring(1)));

  private record Entry(BridgeConnection conn, Context context) {}

  /** How long {@link #close} waits for the close frames to reach the clients. */
  static final long DELIVERY_WAIT_MS = 2000;

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  /** The other nodes, null in a single process. */
  private final NodeRequests cluster;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  /** The connections of a single process. */
  public ConnectionRegistry() {
    this.cluster = null;
  }

  /** The connections of this node of {@code node}'s cluster; as {@link #ConnectionRegistry()} when {@code node} is null. */
  public ConnectionRegistry(Vertx vertx, ClusterNode node) {
    this.cluster = NodeRequests.of(vertx, node);
  }

  /**
   * In a cluster: answers the other nodes' requests for this node's connections; completes when the
   * registrations have reached the cluster. Nothing to do in a single process.
   */
  public Future<Void> open() {
    if (cluster == null) {
      return Future.succeededFuture();
    }
    return cluster.serve(Addresses.NODE_CONNECTIONS, body -> list().map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(c -> out.add(c.toJson()));
      return new JsonObject().put("connections", out);
    })).compose(listing -> {
      consumers.add(listing);
      return cluster.serve(Addresses.NODE_DISCONNECT, body -> close(body.getString("user"), body.getInteger("code"),
          body.getString("reason")).map(n -> new JsonObject().put("closed", n)));
    }).onSuccess(consumers::add).mapEmpty();
  }

  /** Stops answering the other nodes (after {@link #open}). */
  public Future<Void> stop() {
    List<Future<Void>> unregistered = new ArrayList<>();
    consumers.forEach(c -> unregistered.add(c.unregister()));
    consumers.clear();
    return Future.join(unregistered).mapEmpty();
  }

  /** Registers a connection that just opened, on its context; returns its id. */
  String add(BridgeConnection conn, Context context) {
    String id = "c" + ids.incrementAndGet();
    entries.put(id, new Entry(conn, context));
    return id;
  }

  void remove(String id) {
    entries.remove(id);
  }

  /** How many connections are open. */
  public int size() {
    return entries.size();
  }

  /** Every open connection, oldest first (each read on its own event loop). */
  public Future<List<Info>> list() {
    List<Future<Info>> infos = new ArrayList<>();
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      infos.add(onContext(e.getValue(), conn -> conn.closed ? null
          : new Info(e.getKey(), conn.user(), conn.wire.transport(), conn.address, conn.openedAt, List.copyOf(conn.rooms), null)));
    }
    return Future.join(infos).transform(ar -> {
      List<Info> out = new ArrayList<>();
      for (Future<Info> f : infos) {
        if (f.succeeded() && f.result() != null) {
          out.add(f.result());
        }
      }
      out.sort(OLDEST_FIRST);
      return Future.succeededFuture(out);
    });
  }

  /** Every open connection of every node (oldest first), or of this process; each says its node in a cluster. */
  public Future<Listing> listAll() {
    if (cluster == null) {
      return list().map(list -> new Listing(list, null));
    }
    return cluster.everyNode(Addresses.NODE_CONNECTIONS, new JsonObject()).map(answers -> {
      List<Info> out = new ArrayList<>();
      for (JsonObject answer : answers.answers()) {
        String node = answer.getString("node");
        answer.getJsonArray("connections", new JsonArray()).forEach(c -> out.add(Info.fromJson((JsonObject) c, node)));
      }
      out.sort(OLDEST_FIRST);
      return new Listing(out, answers.nodesJson());
    });
  }

  /** As {@link #close}, on every node of a cluster (the sum of what each closed), or in this process. */
  public Future<Closed> closeAll(String userId, int code, String reason) {
    if (cluster == null) {
      return close(userId, code, reason).map(n -> new Closed(n, null));
    }
    JsonObject request = new JsonObject().put("user", userId).put("code", code).put("reason", reason);
    return cluster.everyNode(Addresses.NODE_DISCONNECT, request).map(answers -> new Closed(
        answers.answers().stream().mapToInt(a -> a.getInteger("closed", 0)).sum(), answers.nodesJson()));
  }

  /**
   * Closes every connection of {@code userId} with {@code code}; returns how many were open, once their
   * close frames have been handed to the clients (an xhr-polling client gets its frame with its next
   * poll), or after {@link #DELIVERY_WAIT_MS} at most.
   */
  public Future<Integer> close(String userId, int code, String reason) {
    List<Future<Boolean>> closing = new ArrayList<>();
    List<Future<Void>> delivered = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.conn().user().id().equals(userId)) {
        closing.add(onContext(e, conn -> {
          if (conn.closed) {
            return false;
          }
          conn.close(code, reason);
          synchronized (delivered) {
            delivered.add(conn.wire.closeDelivered());
          }
          return true;
        }));
      }
    }
    return Future.join(closing).transform(ar -> {
      List<Future<Void>> waits;
      synchronized (delivered) {
        waits = new ArrayList<>(delivered);
      }
      return Future.join(waits).timeout(DELIVERY_WAIT_MS, TimeUnit.MILLISECONDS).otherwiseEmpty();
    }).map(v -> (int) closing.stream().filter(f -> f.succeeded() && Boolean.TRUE.equals(f.result())).count());
  }

  private static <T> Future<T> onContext(Entry e, java.util.function.Function<BridgeConnection, T> action) {
    Promise<T> promise = Promise.promise();
    e.context().runOnContext(v -> {
      try {
        promise.complete(action.apply(e.conn()));
      } catch (RuntimeException err) {
        promise.fail(err);
      }
    });
    return promise.future();
  }
}
