package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.Room;
import dev.vertxchat.cluster.NodeRequests;
import dev.vertxchat.store.RoomStore;
import dev.vertxchat.store.RoomStore.Created;
import dev.vertxchat.store.RoomStore.Quota;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers "does this room exist" on the hot paths (join, send, history) without a database round trip
 * for most requests. Rooms are deleted only by an operator ({@link #forget}), here, so a positive answer is remembered
 * process-wide. A
 * negative answer is remembered too, briefly ({@link #MISSING_TTL_MS}) and for at most
 * {@link #MISSING_MAX} ids, so a client asking again and again for a room that does not exist costs
 * one lookup per id and period instead of one per request. A room created here is known at once; a
 * positive answer always wins over a remembered miss.
 *
 * <p>Also the one place rooms are created by users: within the per-user quota and the server-wide
 * ceiling, with creates of every chat verticle instance taking turns under one lock, so concurrent
 * creates (by one user or many) can never count the same free slot twice. One instance per service,
 * owned by {@link LocalChat}; safe from any event loop.
 *
 * <p>In a cluster (made with {@link NodeRequests}) a room created on another node must be joinable here at
 * once: no negative answer is remembered, and a room found in the store is not gone any more (it was
 * created again). Creates take a cluster-wide lock (Vert.x's shared data is the cluster's then). A room
 * deleted on any node is forgotten by every node ({@link #forgetEverywhere}: a request to each, best effort;
 * its row is gone anyway), and every {@link #KNOWN_TTL_MS} each node forgets what it knows and asks the
 * store again, so a node that missed a delete stops taking joins and sends for the room within that time.
 */
final class RoomDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(RoomDirectory.class);
  private static final String CREATE_LOCK = "vertxchat.rooms.create";
  /** How long "no such room" is remembered. */
  static final long MISSING_TTL_MS = 10_000;
  /** Most room ids remembered as missing; beyond it the memory is cleared and starts again. */
  static final int MISSING_MAX = 10_000;

  private final Vertx vertx;
  private final Map<String, Boolean> known = new ConcurrentHashMap<>();
  /** Room id → when the negative answer stops being trusted (epoch milliseconds). */
  private final Map<String, Long> missing = new ConcurrentHashMap<>();
  /** Rooms deleted in this process and not created again (operator actions: few). */
  private final Set<String> gone = ConcurrentHashMap.newKeySet();
  private final RoomStore rooms;
  private final Quota quota;
  private final long lockTimeoutMs;
  /** The other nodes, null in a single process. */
  private final NodeRequests cluster;
  private MessageConsumer<JsonObject> consumer;
  private long knownTimer = -1;
  /** In a cluster: how long a node trusts that a room exists before asking the store again. */
  static final long KNOWN_TTL_MS = 30_000;

  RoomDirectory(Vertx vertx, RoomStore rooms, Quota quota, long lockTimeoutMs) {
    this(vertx, rooms, quota, lockTimeoutMs, null);
  }

  /** @param cluster the other nodes of a cluster; null in a single process */
  RoomDirectory(Vertx vertx, RoomStore rooms, Quota quota, long lockTimeoutMs, NodeRequests cluster) {
    this.vertx = vertx;
    this.rooms = rooms;
    this.quota = quota;
    this.lockTimeoutMs = lockTimeoutMs;
    this.cluster = cluster;
  }

  /** In a cluster: forgets the rooms other nodes delete; completes when that reached the cluster. */
  Future<Void> open() {
    if (cluster == null) {
      return Future.succeededFuture();
    }
    return cluster.serve(Addresses.NODE_ROOM_DELETED, body -> {
      String room = body.getString("room");
      if (room != null && Addresses.ROOM_ID.matcher(room).matches()) {
        forget(room);
      }
      return Future.succeededFuture(new JsonObject());
    }).onSuccess(c -> {
      consumer = c;
      knownTimer = vertx.setPeriodic(KNOWN_TTL_MS, id -> known.clear());
    }).mapEmpty();
  }

  /** Stops hearing the other nodes' deletes. */
  Future<Void> close() {
    if (knownTimer >= 0) {
      vertx.cancelTimer(knownTimer);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  Future<Boolean> exists(String id) {
    if (known.containsKey(id)) {
      return Future.succeededFuture(true);
    }
    if (cluster != null) {
      // another node may have created it a moment ago: nothing negative is remembered
      return rooms.exists(id).onSuccess(found -> {
        if (found) {
          known.put(id, true);
          gone.remove(id);
        }
      });
    }
    Long until = missing.get(id);
    if (until != null) {
      if (until > System.currentTimeMillis()) {
        return Future.succeededFuture(false);
      }
      missing.remove(id, until);
    }
    return rooms.exists(id).onSuccess(found -> {
      if (found) {
        known.put(id, true);
        missing.remove(id);
      } else {
        rememberMissing(id);
      }
    });
  }

  /** Creates a room for {@code userId} if its id is free and neither quota is reached. */
  Future<Created> create(Room room, String userId) {
    if (known.containsKey(room.id())) {
      return Future.succeededFuture(Created.EXISTS);
    }
    Future<Lock> locked = cluster == null ? vertx.sharedData().getLocalLockWithTimeout(CREATE_LOCK, lockTimeoutMs)
        : vertx.sharedData().getLockWithTimeout(CREATE_LOCK, lockTimeoutMs);
    return locked
        .recover(err -> Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "too many rooms are being created, try again")))
        .compose(lock -> rooms.create(room, userId, quota).onComplete(ar -> lock.release()))
        .onSuccess(created -> {
          if (created == Created.CREATED || created == Created.EXISTS) {
            known.put(room.id(), true);
            missing.remove(room.id());
            gone.remove(room.id());
          }
        });
  }

  /** A room was created by other means than {@link #create} (a DM): known from now on. */
  void created(String id) {
    known.put(id, true);
    missing.remove(id);
    gone.remove(id);
  }

  /** A room was deleted (its row is gone): it is not known any more, and counts as gone. */
  void forget(String id) {
    gone.add(id);
    known.remove(id);
    if (cluster == null) {
      rememberMissing(id);
    }
  }

  /**
   * A room was deleted (its row is gone): forgotten here ({@link #forget}) and, in a cluster, by every
   * node that answers within {@link NodeRequests#TIMEOUT_MS}; never fails.
   */
  Future<Void> forgetEverywhere(String id) {
    forget(id);
    if (cluster == null) {
      return Future.succeededFuture();
    }
    return cluster.everyNode(Addresses.NODE_ROOM_DELETED, new JsonObject().put("room", id)).map(answers -> {
      if (!answers.missing().isEmpty()) {
        LOG.warn("Room {} deleted: nodes {} did not confirm forgetting it", id, answers.missing());
      }
      return null;
    });
  }

  /** Whether the room was deleted in this process (and not created again); any thread, no lookup. */
  boolean gone(String id) {
    return gone.contains(id);
  }

  private void rememberMissing(String id) {
    if (missing.size() >= MISSING_MAX) {
      missing.clear();
    }
    missing.put(id, System.currentTimeMillis() + MISSING_TTL_MS);
  }
}
