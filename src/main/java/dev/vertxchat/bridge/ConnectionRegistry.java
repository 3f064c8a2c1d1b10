package dev.vertxchat.bridge;

import dev.vertxchat.bus.UserRef;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
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
 */
public final class ConnectionRegistry {
  /** One connection as an operator sees it. */
  public record Info(String id, UserRef user, String transport, String address, long since, List<String> rooms) {
    /** {@code {"id","user":{"id","name"},"transport","address","since","rooms"}}. */
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("user", user.toJson())
          .put("transport", transport).put("address", address).put("since", since).put("rooms", new JsonArray(new ArrayList<>(rooms)));
    }
  }

  private record Entry(BridgeConnection conn, Context context) {}

  /** How long {@link #close} waits for the close frames to reach the clients. */
  static final long DELIVERY_WAIT_MS = 2000;

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

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
          : new Info(e.getKey(), conn.user(), conn.wire.transport(), conn.address, conn.openedAt, List.copyOf(conn.rooms))));
    }
    return Future.join(infos).transform(ar -> {
      List<Info> out = new ArrayList<>();
      for (Future<Info> f : infos) {
        if (f.succeeded() && f.result() != null) {
          out.add(f.result());
        }
      }
      out.sort((a, b) -> a.since() != b.since() ? Long.compare(a.since(), b.since())
          : Long.compare(Long.parseLong(a.id().substring(1)), Long.parseLong(b.id().substring(1))));
      return Future.succeededFuture(out);
    });
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
