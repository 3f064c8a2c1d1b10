package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.metrics.ChatMetrics;
import dev.vertxchat.support.ClusterConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence across in-process cluster nodes ({@link ClusterMembership} over the shipped conf/cluster.xml): one
 * {@code join} for a user's first connection anywhere, one {@code left} for their last, the same users on every
 * node, and the users of a node killed hard reported {@code left} within 5 s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterMembershipTest {
  private static final String ROOM = "general";
  private static final UserRef XAVIER = new UserRef("u-xavier", "Xavier");
  private static final UserRef YVONNE = new UserRef("u-yvonne", "Yvonne");
  private final List<Vertx> nodes = new ArrayList<>();
  private final AtomicInteger marks = new AtomicInteger();

  @TempDir
  Path dir;

  @AfterEach
  void closeNodes() {
    for (Vertx vertx : nodes) {
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // a node terminated by the test: its Vert.x closes as far as it can
      }
    }
  }

  private Vertx node(ClusterConfig cluster) throws Exception {
    Vertx vertx = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    nodes.add(vertx);
    RoomMessage.registerCodec(vertx);
    return vertx;
  }

  private static ClusterMembership membership(Vertx vertx) {
    return new ClusterMembership(vertx, ClusterNode.of(vertx), null, ChatMetrics.none());
  }

  /** What one node's subscriber of the room heard: "join u-x", "left u-x", "mark N". */
  private static List<String> subscribe(Vertx vertx) throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    MessageConsumer<RoomMessage> consumer = vertx.eventBus().consumer(Addresses.room(ROOM), msg -> {
      Envelope e = msg.body().envelope();
      heard.add(e.type() + " " + (e.text() != null ? e.text() : e.user().id()));
    });
    consumer.completion().await(30, TimeUnit.SECONDS);
    return heard;
  }

  /**
   * Every event each node published before now has reached every subscriber: each node publishes a mark after
   * them (one sender's messages reach a consumer in order), and every subscriber hears all the marks.
   */
  private void flush(List<Vertx> publishers, List<List<String>> subscribers) throws Exception {
    List<String> sent = new ArrayList<>();
    for (Vertx vertx : publishers) {
      String mark = "mark-" + marks.incrementAndGet();
      sent.add("typing " + mark);
      RoomEvents.publish(vertx.eventBus(), new Envelope(null, ROOM, Envelope.TYPING, XAVIER, mark, 0));
    }
    for (List<String> heard : subscribers) {
      await(() -> heard.containsAll(sent), 10_000, "marks " + sent + " heard: " + heard);
    }
  }

  private static List<String> events(List<String> heard) {
    return heard.stream().filter(e -> !e.startsWith("typing ")).toList();
  }

  private static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + millis + " ms: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static List<UserRef> users(ClusterMembership m) throws Exception {
    return m.users(ROOM).await(10, TimeUnit.SECONDS);
  }

  private static int count(ClusterMembership m) throws Exception {
    return m.counts(List.of(ROOM, "empty")).await(10, TimeUnit.SECONDS).get(ROOM);
  }

  @Test
  void aUserOnTwoNodesJoinsOnceAndLeavesOnce() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    Vertx a = node(cluster);
    Vertx b = node(cluster);
    ClusterMembership ma = membership(a);
    ClusterMembership mb = membership(b);
    List<String> heardA = subscribe(a);
    List<String> heardB = subscribe(b);
    List<Vertx> both = List.of(a, b);
    List<List<String>> subscribers = List.of(heardA, heardB);

    ma.join(ROOM, XAVIER);
    ma.settled(ROOM, XAVIER.id()).await(10, TimeUnit.SECONDS);
    flush(both, subscribers);
    assertEquals(List.of("join u-xavier"), events(heardA));
    assertEquals(List.of("join u-xavier"), events(heardB));
    assertEquals(List.of(XAVIER), users(ma));
    assertEquals(users(ma), users(mb));

    mb.join(ROOM, XAVIER);
    mb.settled(ROOM, XAVIER.id()).await(10, TimeUnit.SECONDS);
    flush(both, subscribers);
    assertEquals(List.of("join u-xavier"), events(heardA), "a second connection elsewhere is no second join");
    assertEquals(List.of("join u-xavier"), events(heardB));
    assertEquals(List.of(XAVIER), users(mb));
    assertEquals(users(ma), users(mb));
    assertEquals(1, count(ma));
    assertEquals(Map.of(ROOM, 1, "empty", 0), mb.counts(List.of(ROOM, "empty")).await(10, TimeUnit.SECONDS));

    ma.leave(ROOM, XAVIER);
    ma.settled(ROOM, XAVIER.id()).await(10, TimeUnit.SECONDS);
    flush(both, subscribers);
    assertEquals(List.of("join u-xavier"), events(heardA), "still connected on B: no left");
    assertEquals(List.of("join u-xavier"), events(heardB));
    assertEquals(List.of(XAVIER), users(ma));
    assertEquals(users(ma), users(mb));

    mb.leave(ROOM, XAVIER);
    mb.settled(ROOM, XAVIER.id()).await(10, TimeUnit.SECONDS);
    flush(both, subscribers);
    assertEquals(List.of("join u-xavier", "left u-xavier"), events(heardA));
    assertEquals(List.of("join u-xavier", "left u-xavier"), events(heardB));
    assertEquals(List.of(), users(ma));
    assertEquals(List.of(), users(mb));
    assertEquals(0, count(ma));
    assertEquals(0, ma.failures() + mb.failures());
  }

  @Test
  void joinsAndLeavesOfOneNodeApplyInTheOrderMade() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    Vertx a = node(cluster);
    Vertx b = node(cluster);
    ClusterMembership ma = membership(a);
    List<String> heardB = subscribe(b);
    for (int i = 0; i < 50; i++) { // fire and forget, as the bridge does: no leave may overtake its join
      ma.join(ROOM, YVONNE);
      ma.leave(ROOM, YVONNE);
    }
    ma.settled(ROOM, YVONNE.id()).await(30, TimeUnit.SECONDS);
    flush(List.of(a), List.of(heardB));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("join u-yvonne");
      expected.add("left u-yvonne");
    }
    assertEquals(expected, events(heardB));
    assertEquals(List.of(), users(membership(b)));
    assertEquals(0, ma.failures());
  }

  @Test
  void theUsersOfAKilledNodeAreReportedLeftWithinFiveSeconds() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    Vertx a = node(cluster);
    Vertx b = node(cluster);
    Vertx c = node(cluster);
    ClusterMembership ma = membership(a);
    ClusterMembership mb = membership(b);
    ClusterMembership mc = membership(c);
    List<String> heardA = subscribe(a);
    List<String> heardB = subscribe(b);

    mc.join(ROOM, YVONNE); // two connections, only on C
    mc.join(ROOM, YVONNE);
    mc.settled(ROOM, YVONNE.id()).await(10, TimeUnit.SECONDS);
    mc.join(ROOM, XAVIER); // on C and on A
    mc.settled(ROOM, XAVIER.id()).await(10, TimeUnit.SECONDS);
    ma.join(ROOM, XAVIER);
    ma.settled(ROOM, XAVIER.id()).await(10, TimeUnit.SECONDS);
    flush(List.of(a, c), List.of(heardA, heardB));
    assertEquals(List.of(XAVIER, YVONNE), users(ma));
    assertEquals(2, events(heardA).size(), "two joins: " + heardA);

    long killed = System.nanoTime();
    ClusterNode.of(c).hazelcast().getLifecycleService().terminate(); // as kill -9: no goodbye to the others
    await(() -> heardA.contains("left u-yvonne") && heardB.contains("left u-yvonne"), 5_000,
        "Yvonne reported left on A and B after C was killed: " + heardA + " " + heardB);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertTrue(tookMs <= 5_000, "left after " + tookMs + " ms");

    await(() -> ma.departuresHandled() == 1 && mb.departuresHandled() == 1, 20_000, "A and B both removed C's counts");
    flush(List.of(a, b), List.of(heardA, heardB));
    for (List<String> heard : List.of(heardA, heardB)) {
      assertEquals(List.of("join u-yvonne", "join u-xavier", "left u-yvonne"), events(heard),
          "one left for Yvonne (whichever node found C's counts), none for Xavier (still on A)");
    }
    assertEquals(List.of(XAVIER), users(ma));
    assertEquals(List.of(XAVIER), users(mb));

    ma.leave(ROOM, XAVIER);
    ma.settled(ROOM, XAVIER.id()).await(10, TimeUnit.SECONDS);
    assertEquals(List.of(), users(mb), "nothing stays present");
    assertEquals(0, ma.failures() + mb.failures());
  }
}
