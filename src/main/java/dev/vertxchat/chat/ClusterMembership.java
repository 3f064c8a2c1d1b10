package dev.vertxchat.chat;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.cluster.PresenceMap;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Membership} across the nodes of a cluster: presence lives in the Hazelcast map {@code vertxchat.presence}
 * ({@link PresenceMap}), counted per user and node. The node whose join takes a user's total in a room from 0 to 1
 * publishes {@code join}; the node whose leave takes it from 1 to 0 publishes {@code left} (the same envelopes as
 * {@link LocalMembership}'s). When a node leaves the cluster (stopped or killed), every node removes its counts;
 * the one run that finds them publishes {@code left} for the users it leaves with no connection anywhere.
 *
 * <p>{@code join} and {@code leave} return at once: this node applies its own calls for one room and user in the
 * order they were made (a leave never overtakes its join); a failure is logged and counted ({@link #failures}),
 * never thrown at the bridge; a leave that fails is tried again a few times, so that nobody stays present.
 * {@code users} and {@code counts} read the map, so every node answers the same.
 */
public final class ClusterMembership implements Membership {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
  /** Attempts of a leave (the first and the retries), a growing pause apart. */
  static final int LEAVE_ATTEMPTS = 4;
  private static final long RETRY_PAUSE_MS = 250;
  private final Vertx vertx;
  private final RoomDirectory directory;
  private final ChatMetrics metrics;
  private final PresenceMap presence;
  /** This node's own connections (for the per-node gauge of rooms with members; the map is the cluster's truth). */
  private final Presence here = new Presence();
  private final InOrder inOrder;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicInteger departuresHandled = new AtomicInteger();

  /**
   * @param node      this process's cluster node (its Hazelcast member holds a part of the map; it hears nodes leave)
   * @param directory answers {@link #roomExists}
   */
  ClusterMembership(Vertx vertx, ClusterNode node, RoomDirectory directory, ChatMetrics metrics) {
    this.vertx = vertx;
    this.directory = directory;
    this.metrics = metrics;
    this.presence = new PresenceMap(node.hazelcast(), node.nodeId());
    this.inOrder = new InOrder(vertx);
    node.onNodeLeft(this::nodeLeft);
    metrics.roomsWithMembers(here::occupiedRooms);
  }

  @Override
  public Future<Boolean> roomExists(String room) {
    return directory.exists(room);
  }

  @Override
  public void join(String room, UserRef user) {
    metrics.joined();
    here.join(room, user);
    inOrder.run(key(room, user.id()), context ->
            Future.fromCompletionStage(presence.join(room, user.id(), user.name()), context)
                .map(first -> announce(first, Envelope.JOIN, room, user)))
        .onFailure(err -> failed("join", room, user, err));
  }

  @Override
  public void leave(String room, UserRef user) {
    here.leave(room, user);
    inOrder.run(key(room, user.id()), context -> leave(room, user, context, 1)
            .map(last -> announce(last, Envelope.LEFT, room, user)))
        .onFailure(err -> failed("leave", room, user, err));
  }

  private static String key(String room, String userId) {
    return room + "\n" + userId;
  }

  /** Publishes {@code type} (join, left) when {@code changed}: inside the step, before the key's next one starts. */
  private Void announce(boolean changed, String type, String room, UserRef user) {
    if (changed) {
      RoomEvents.publish(vertx.eventBus(), Envelope.event(type, room, user, System.currentTimeMillis()));
    }
    return null;
  }

  private Future<Boolean> leave(String room, UserRef user, Context context, int attempt) {
    Future<Boolean> tried = Future.fromCompletionStage(presence.leave(room, user.id()), context);
    if (attempt >= LEAVE_ATTEMPTS) {
      return tried;
    }
    return tried.recover(err -> {
      LOG.atDebug().addKeyValue("room", room).addKeyValue("user", user.id()).setCause(err)
          .log("Leave of {} from room {} failed (attempt {}), trying again", user.id(), room, attempt);
      return vertx.timer(RETRY_PAUSE_MS * attempt).compose(v -> leave(room, user, context, attempt + 1));
    });
  }

  private void failed(String what, String room, UserRef user, Throwable err) {
    failures.incrementAndGet();
    LOG.atWarn().addKeyValue("room", room).addKeyValue("user", user.id()).setCause(err)
        .log("Cluster presence: the {} of {} in room {} failed; presence may be wrong for them until they leave",
            what, user.id(), room);
  }

  @Override
  public Future<List<UserRef>> users(String room) {
    return Future.fromCompletionStage(presence.users(room), vertx.getOrCreateContext()).map(found -> {
      List<UserRef> out = new ArrayList<>(found.size());
      found.forEach((id, name) -> out.add(new UserRef(id, name)));
      out.sort(Comparator.comparing(UserRef::name, String.CASE_INSENSITIVE_ORDER).thenComparing(UserRef::id));
      return out;
    });
  }

  @Override
  public Future<Map<String, Integer>> counts(List<String> rooms) {
    return Future.fromCompletionStage(presence.counts(rooms), vertx.getOrCreateContext()).map(found -> {
      Map<String, Integer> out = new HashMap<>();
      for (String room : rooms) {
        Integer n = found.get(room);
        out.put(room, n == null ? 0 : n);
      }
      return out;
    });
  }

  /** Joins and leaves of this node that failed (after their retries): each one is logged. */
  public long failures() {
    return failures.get();
  }

  /** Completes when every join and leave this node was asked for {@code room} and the user so far is applied (tests). */
  Future<Void> settled(String room, String userId) {
    return inOrder.run(key(room, userId), context -> Future.succeededFuture());
  }

  /** How many departed nodes this node has finished removing from presence (tests). */
  int departuresHandled() {
    return departuresHandled.get();
  }

  /** A node left the cluster: its counts go, and the users it leaves with no connection anywhere are {@code left}. */
  private void nodeLeft(String nodeId) {
    vertx.executeBlocking(() -> presence.removeNode(nodeId), false)
        .onSuccess(departed -> {
          if (!departed.isEmpty()) {
            LOG.info("Cluster node {} left: {} users are no longer in the rooms they were in through it",
                nodeId, departed.size());
          }
          long now = System.currentTimeMillis();
          departed.forEach(d -> RoomEvents.publish(vertx.eventBus(),
              Envelope.event(Envelope.LEFT, d.room(), new UserRef(d.userId(), d.name()), now)));
        })
        .onFailure(err -> {
          failures.incrementAndGet();
          LOG.error("Cluster presence: removing the counts of node {}, which left, failed; its users may stay present",
              nodeId, err);
        })
        .onComplete(ar -> departuresHandled.incrementAndGet());
  }
}
