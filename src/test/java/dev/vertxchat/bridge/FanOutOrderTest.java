package dev.vertxchat.bridge;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.chat.Membership;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigDefaults;
import dev.vertxchat.metrics.ChatMetrics;
import dev.vertxchat.support.ClusterConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fan-out with a room catch-up (cluster mode) under the bridge's frame rules: a connection's join is
 * complete only once its room's consumer is registered and the room's head read; chat messages published
 * with header {@code prev} reach the connection in id order, gaps filled from the (fake) database; events
 * go through at once; a node that left is caught up. Without a catch-up the fan-out ignores the header.
 * One case runs on two clustered Vert.x nodes (Hazelcast), publisher and bridge on different nodes.
 */
class FanOutOrderTest {
  private static final String ROOM = "general";
  private static final String ADDRESS = Addresses.room(ROOM);
  private static final UserRef ANN = new UserRef("g-ann", "ann");

  @TempDir
  Path dir;

  /** The room's committed messages; head and after answer from them (head can be held by the test). */
  private static final class FakeCatchUp implements RoomCatchUp {
    final TreeMap<Long, RoomMessage> committed = new TreeMap<>();
    final List<Long> afterCalls = new CopyOnWriteArrayList<>();
    volatile Promise<Long> heldHead;

    synchronized void commit(long... ids) {
      for (long id : ids) {
        committed.put(id, chat(id));
      }
    }

    @Override
    public synchronized Future<List<RoomMessage>> after(String room, long afterId, int limit) {
      afterCalls.add(afterId);
      List<RoomMessage> all = new ArrayList<>(committed.tailMap(afterId, false).values());
      return Future.succeededFuture(all.subList(0, Math.min(limit, all.size())));
    }

    @Override
    public synchronized Future<Long> head(String room) {
      Promise<Long> held = heldHead;
      return held != null ? held.future() : Future.succeededFuture(committed.isEmpty() ? 0L : committed.lastKey());
    }
  }

  private static final class RecordingWire implements Wire {
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();

    /** The ids of the chat messages received on the room, in order. */
    List<Long> chatIds() {
      return frames.stream().filter(f -> ADDRESS.equals(f.getString("address")))
          .map(f -> f.getJsonObject("body")).filter(b -> Envelope.CHAT.equals(b.getString("type")))
          .map(b -> b.getLong("id")).toList();
    }

    /** Waits (at most 10 s) for a frame that matches. */
    void await(Predicate<List<JsonObject>> done, String what) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!done.test(frames)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("not within 10 s: " + what + "; frames: " + frames);
        }
        Thread.onSpinWait();
      }
    }

    void awaitChats(int n) {
      await(f -> chatIds().size() >= n, n + " chat messages");
    }

    @Override
    public String transport() {
      return "test";
    }

    @Override
    public boolean write(String frame) {
      frames.add(new JsonObject(frame));
      return true;
    }

    @Override
    public boolean write(SharedFrame frame) {
      return write(frame.text);
    }

    @Override
    public void close(int code, String reason) {
    }

    @Override
    public void bind(Handler<String> text, Handler<Void> tooLarge, Handler<Void> closed) {
    }
  }

  /** Every room exists; joins and leaves are not announced. */
  private static final class Rooms implements Membership {
    @Override
    public Future<Boolean> roomExists(String room) {
      return Future.succeededFuture(true);
    }

    @Override
    public void join(String room, UserRef user) {
    }

    @Override
    public void leave(String room, UserRef user) {
    }

    @Override
    public Future<List<UserRef>> users(String room) {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<java.util.Map<String, Integer>> counts(List<String> rooms) {
      java.util.Map<String, Integer> none = new java.util.HashMap<>();
      rooms.forEach(r -> none.put(r, 0));
      return Future.succeededFuture(none);
    }
  }

  /** A bridge's fan-out and frame rules on one context of {@code vertx}, and a connection of ann. */
  private static final class Node {
    final Vertx vertx;
    final Context context;
    final FanOut fanOut;
    final FrameRules rules;
    final RecordingWire wire = new RecordingWire();
    final BridgeConnection conn;

    Node(Vertx vertx, RoomCatchUp catchUp) {
      this(vertx, catchUp, ConfigDefaults.json());
    }

    Node(Vertx vertx, RoomCatchUp catchUp, JsonObject config) {
      this.vertx = vertx;
      RoomMessage.registerCodec(vertx);
      this.context = vertx.getOrCreateContext();
      this.fanOut = on(() -> new FanOut(vertx, ChatMetrics.none(), (room, c) -> { }, catchUp));
      this.rules = new FrameRules(vertx, new ChatConfig(config), new Rooms(), fanOut);
      this.conn = new BridgeConnection(wire, new Identity(ANN, Long.MAX_VALUE, false), "127.0.0.1", null);
    }

    <T> T on(Callable<T> action) {
      Promise<T> done = Promise.promise();
      context.runOnContext(v -> {
        try {
          done.complete(action.call());
        } catch (Exception e) {
          done.fail(e);
        }
      });
      return await(done.future());
    }

    /** Handles a register frame of the room on the node's context; the future of its handling. */
    Future<Void> join() {
      return on(() -> rules.handle(conn, new JsonObject().put("type", "register").put("address", ADDRESS).encode()));
    }
  }

  static RoomMessage chat(long id) {
    return RoomMessage.of(Envelope.chat(id, ROOM, ANN, "m" + id, 1000 + id));
  }

  /** Publishes a stored chat message as the send pipeline of a node on PostgreSQL does. */
  private static void publish(Vertx vertx, long id, long prev) {
    vertx.eventBus().publish(ADDRESS, chat(id), new DeliveryOptions().addHeader(Addresses.HEADER_PREVIOUS, Long.toString(prev)));
  }

  @Test
  void theJoinWaitsForTheHeadAndTheRoomIsDeliveredInIdOrderWithGapsFilledFromTheDatabase() {
    Vertx vertx = Vertx.vertx();
    try {
      FakeCatchUp db = new FakeCatchUp();
      db.commit(1, 2);
      db.heldHead = Promise.promise();
      Node node = new Node(vertx, db);
      Future<Void> joined = node.join();
      assertFalse(joined.isComplete(), "the join waits for the room's head");
      db.heldHead.complete(2L);
      await(joined.timeout(10, TimeUnit.SECONDS));

      // 4 is published before 3 (two nodes); an event in between goes through at once
      db.commit(3, 4, 5);
      publish(vertx, 4, 3);
      vertx.eventBus().publish(ADDRESS, RoomMessage.of(Envelope.event(Envelope.TYPING, ROOM, ANN, 7)));
      node.wire.await(f -> f.stream().anyMatch(x -> Envelope.TYPING.equals(x.getJsonObject("body").getString("type"))),
          "the typing event");
      assertEquals(List.of(), node.wire.chatIds(), "4 waits for 3");
      publish(vertx, 3, 2);
      node.wire.awaitChats(2);
      assertEquals(List.of(3L, 4L), node.wire.chatIds());
      assertTrue(db.afterCalls.isEmpty(), "3 arrived by itself: nothing read");

      // 5 is never published (its node died): 6 waits, then the gap is read
      db.commit(6);
      publish(vertx, 6, 5);
      node.wire.awaitChats(4);
      assertEquals(List.of(3L, 4L, 5L, 6L), node.wire.chatIds());
      assertEquals(List.of(4L), db.afterCalls);
      publish(vertx, 5, 4);
      publish(vertx, 6, 5);

      // a node left after committing 7 and 8 without publishing them
      db.commit(7, 8);
      node.fanOut.catchUpAll();
      node.wire.awaitChats(6);
      publish(vertx, 9, 8);
      node.wire.awaitChats(7);
      assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), node.wire.chatIds(), "once each, in id order");
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aJoinWhoseRoomCannotBeReadIsUndoneAfterTheRequestTimeout() {
    Vertx vertx = Vertx.vertx();
    try {
      FakeCatchUp db = new FakeCatchUp();
      db.heldHead = Promise.promise(); // never answered: the database does not answer
      JsonObject config = ConfigDefaults.json();
      config.getJsonObject("limits").put("requestTimeoutMs", 300);
      Node node = new Node(vertx, db, config);
      Future<Void> joined = node.join();
      assertFalse(joined.isComplete());
      await(joined.timeout(10, TimeUnit.SECONDS));
      JsonObject err = node.wire.frames.get(node.wire.frames.size() - 1);
      assertEquals("err", err.getString("type"));
      assertEquals(ADDRESS, err.getString("address"));
      assertEquals(5001, err.getInteger("failureCode"));
      assertTrue(node.on(() -> node.conn.rooms.isEmpty() && node.conn.addresses.isEmpty()), "the join is undone");
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void withoutACatchUpTheJoinIsCompleteAtOnceAndMessagesGoOutAsPublished() {
    Vertx vertx = Vertx.vertx();
    try {
      Node node = new Node(vertx, null);
      Future<Void> joined = node.join();
      assertTrue(joined.succeeded(), "a local event bus: nothing to wait for");
      publish(vertx, 4, 3);
      publish(vertx, 3, 2);
      node.wire.awaitChats(2);
      assertEquals(List.of(4L, 3L), node.wire.chatIds(), "a single process orders at the source; the header is not read");
      node.fanOut.catchUpAll(); // nothing to catch up
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aJoinOnOneNodeIsCompleteOnlyWhenTheOtherNodePublishesToIt() throws Exception {
    ClusterConfig cluster = ClusterConfig.create(dir);
    Vertx publisher = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    Vertx bridge = cluster.clusteredVertx().await(60, TimeUnit.SECONDS);
    try {
      RoomMessage.registerCodec(publisher);
      FakeCatchUp db = new FakeCatchUp();
      db.commit(1);
      Node node = new Node(bridge, db);
      await(node.join().timeout(30, TimeUnit.SECONDS));
      // published by the other node right after the join completed: it must arrive
      db.commit(2);
      publish(publisher, 2, 1);
      node.wire.awaitChats(1);
      // 3 and 4 from the other node, 3 never published: read after the wait
      db.commit(3, 4);
      publish(publisher, 4, 3);
      node.wire.awaitChats(3);
      assertEquals(List.of(2L, 3L, 4L), node.wire.chatIds());
    } finally {
      await(bridge.close());
      await(publisher.close());
    }
  }
}
