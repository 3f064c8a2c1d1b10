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
 * <p>A split brain (a member paused or cut off longer than the heartbeat timeout) makes each side remove the
 * other's counts, and the merge keeps one side's entry of a room: users connected all along would stay missing.
 * So when the cluster heals ({@link ClusterNode#onHealed}) every node re-asserts its own counts from what it keeps
 * locally (per room and user: this node's connection count and the user's name, updated in the same ordered step
 * as the join or leave), setting its count and removing nothing of other nodes; the node whose re-assertion takes
 * a user's total from 0 to more publishes {@code join} (from more to 0: {@code left}).
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
  /**
   * This node's own connections, changed in the ordered step of each join and leave: what it re-asserts after a
   * split brain, and the per-node gauge of rooms with members (the map is the cluster's truth).
   */
  private final Presence here = new Presence();
  private final InOrder inOrder;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicInteger departuresHandled = new AtomicInteger();
  private final AtomicInteger reassertions = new AtomicInteger();

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
    node.onHealed(this::reassert);
    metrics.roomsWithMembers(here::occupiedRooms);
  }

  @Override
  public Future<Boolean> roomExists(String room) {
    return directory.exists(room);
  }

  @Override
  public void join(String room, UserRef user) {
    metrics.joined();
    inOrder.run(key(room, user.id()), context -> {
          here.join(room, user);
          return Future.fromCompletionStage(presence.join(room, user.id(), user.name()), context)
              .map(first -> announce(first, Envelope.JOIN, room, user));
        })
        .onFailure(err -> failed("join", room, user, err));
  }

  @Override
  public void leave(String room, UserRef user) {
    inOrder.run(key(room, user.id()), context -> {
          here.leave(room, user);
          return leave(room, user, context, 1).map(last -> announce(last, Envelope.LEFT, room, user));
        })
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

  /**
   * The cluster healed after a split brain: sets this node's count of each user it has connections of, in each room,
   * to what it knows locally (in the key's order, after the joins and leaves asked for before), announcing the
   * users whose total that takes from 0 to more ({@code join}) or to 0 ({@code left}). Completes when every
   * re-assertion is done (failures are logged and counted); package-private: tests call it after simulating a split.
   */
  Future<Void> reassert() {
    Map<String, List<UserRef>> mine = here.members();
    List<Future<Void>> steps = new ArrayList<>();
    mine.forEach((room, users) -> users.forEach(user -> steps.add(inOrder.run(key(room, user.id()), context -> {
          int count = here.connections(room, user.id());
          return Future.fromCompletionStage(presence.reassert(room, user.id(), user.name(), count), context)
              .map(change -> {
                announce(change > 0, Envelope.JOIN, room, user);
                return announce(change < 0, Envelope.LEFT, room, user);
              });
        })
        .onFailure(err -> failed("re-assertion", room, user, err)))));
    LOG.info("Cluster healed: re-asserting this node's presence of {} users in {} rooms", steps.size(), mine.size());
    return Future.join(steps).<Void>mapEmpty().onComplete(ar -> reassertions.incrementAndGet());
  }

  /** How many re-assertions after a split this node has finished (tests). */
  int reassertions() {
    return reassertions.get();
  }

  /**
   * A node left the cluster: its counts go, and the users it leaves with no connection anywhere are {@code left}.
   * Package-private: tests call it to simulate one side of a split brain.
   */
  void nodeLeft(String nodeId) {
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
