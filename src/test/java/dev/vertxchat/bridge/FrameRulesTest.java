package dev.vertxchat.bridge;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.chat.Membership;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigDefaults;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge's per-frame rules on their own, without a server: a connection over a wire that records
 * what it is sent, and a membership that records joins and leaves.
 */
class FrameRulesTest {
  private static final UserRef ALICE = new UserRef("u-alice", "alice");

  private Vertx vertx;
  private RecordingMembership membership;
  private FrameRules rules;
  private RecordingWire wire;
  private BridgeConnection conn;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    membership = new RecordingMembership(Set.of("general", "random"));
    JsonObject json = ConfigDefaults.json();
    json.getJsonObject("limits").put("maxRoomsPerConnection", 2);
    rules = new FrameRules(vertx, new ChatConfig(json), membership, new FanOut(vertx));
    wire = new RecordingWire();
    conn = new BridgeConnection(wire, new Identity(ALICE, Long.MAX_VALUE, false), "127.0.0.1", null);
  }

  @AfterEach
  void tearDown() {
    await(vertx.close());
  }

  private void handle(JsonObject frame) {
    await(rules.handle(conn, frame.encode()));
  }

  private static JsonObject register(String address) {
    return new JsonObject().put("type", "register").put("address", address);
  }

  private static JsonObject send(String address, JsonObject body, String replyAddress) {
    return new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress);
  }

  @Test
  void malformedFramesGetAnErrorAndTooManyCloseWithAProtocolError() {
    await(rules.handle(conn, "not json"));
    JsonObject err = wire.last();
    assertEquals("err", err.getString("type"));
    assertEquals(BridgeFrames.INVALID_JSON, err.getString("body"));
    assertEquals(ErrorCodes.BAD_REQUEST, err.getInteger("failureCode"));
    handle(new JsonObject().put("type", "dance"));
    assertEquals(BridgeFrames.UNKNOWN_TYPE, wire.last().getString("body"));
    handle(new JsonObject().put("type", "send"));
    assertEquals(BridgeFrames.ADDRESS_REQUIRED, wire.last().getString("body"));
    assertNull(wire.closeCode, "a few mistakes are answered, not punished");
    for (int i = 0; i < 20; i++) {
      await(rules.handle(conn, "[]"));
    }
    assertEquals(CloseCodes.PROTOCOL_ERROR, wire.closeCode);
  }

  @Test
  void aRoomIsJoinedOnlyWhenItExistsAndWithinThePerConnectionLimit() {
    handle(register("chat.room.general"));
    assertEquals(List.of("join general u-alice"), membership.calls);
    handle(register("chat.room.general"));
    assertEquals(1, membership.calls.size(), "registering twice joins once");

    handle(register("chat.room.nope"));
    JsonObject refused = wire.last();
    assertEquals(BridgeFrames.ACCESS_DENIED, refused.getString("body"));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, refused.getInteger("failureCode"));

    handle(register("chat.room.random"));
    handle(register("chat.room.third"));
    assertEquals(ErrorCodes.TOO_MANY_ROOMS, wire.last().getInteger("failureCode"));
    assertEquals(List.of("join general u-alice", "join random u-alice"), membership.calls);

    handle(new JsonObject().put("type", "unregister").put("address", "chat.room.general"));
    assertEquals("leave general u-alice", membership.calls.get(2));
    assertFalse(conn.rooms.contains("general"));
  }

  @Test
  void onlyTheOwnUserAddressAndRoomsMayBeRegistered() {
    handle(register("chat.user.u-alice"));
    assertTrue(wire.frames.isEmpty(), "the own address is accepted quietly");
    for (String address : List.of("chat.user.u-bob", "chat.send", "chat.room.Bad Id", "anything")) {
      handle(register(address));
      JsonObject err = wire.last();
      assertEquals(BridgeFrames.ACCESS_DENIED, err.getString("body"), address);
      assertEquals(address, err.getString("address"));
    }
    assertTrue(membership.calls.isEmpty());
  }

  @Test
  void sendsCarryTheConnectionsIdentityNeverTheClients() {
    List<JsonObject> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer("chat.history", msg -> {
      seen.add(new JsonObject().put("user", UserRef.fromHeaders(msg.headers()).id()).put("body", msg.body()));
      msg.reply(new JsonObject().put("messages", new io.vertx.core.json.JsonArray()));
    });
    JsonObject frame = send("chat.history", new JsonObject().put("room", "general"), "r1")
        .put("headers", new JsonObject().put("user", "u-bob").put("userId", "u-bob"));
    handle(frame);
    JsonObject reply = wire.await(f -> "r1".equals(f.getString("address")));
    assertEquals(new JsonObject().put("messages", new io.vertx.core.json.JsonArray()), reply.getJsonObject("body"));
    assertEquals("u-alice", seen.get(0).getString("user"));
  }

  @Test
  void stoppingWaitsForTheAnswersOfRequestsInFlight() {
    assertTrue(rules.answered().succeeded(), "nothing in flight: nothing to wait for");
    vertx.eventBus().<JsonObject>consumer("chat.history", msg ->
        vertx.setTimer(300, id -> msg.reply(new JsonObject().put("messages", new io.vertx.core.json.JsonArray()))));
    handle(send("chat.history", new JsonObject().put("room", "general"), "slow"));
    Future<Void> answered = rules.answered();
    assertFalse(answered.isComplete(), "the request is still on its way");
    await(answered);
    assertEquals("slow", wire.await(f -> "slow".equals(f.getString("address"))).getString("address"));
    assertTrue(rules.answered().succeeded());
  }

  @Test
  void sendingIntoARoomNeedsTheRoomJoinedOnThisConnection() {
    handle(send("chat.send", new JsonObject().put("room", "general").put("text", "hi"), "r1"));
    JsonObject failure = wire.last();
    assertEquals("r1", failure.getString("address"));
    assertEquals(ErrorCodes.NOT_JOINED, failure.getInteger("failureCode"));
  }

  @Test
  void clientsMayNotPublishNorSendToAnythingButServiceAddresses() {
    handle(new JsonObject().put("type", "publish").put("address", "chat.room.general").put("body", new JsonObject()));
    assertEquals(ErrorCodes.ACCESS_DENIED, wire.last().getInteger("failureCode"));
    handle(send("chat.room.general", new JsonObject(), "r2"));
    assertEquals(ErrorCodes.ACCESS_DENIED, wire.last().getInteger("failureCode"));
    handle(send("chat.presence", new JsonObject(), "r3").put("body", "not an object"));
    assertEquals(ErrorCodes.BAD_REQUEST, wire.last().getInteger("failureCode"));
  }

  /** Records the frames written and the close code. */
  private static final class RecordingWire implements Wire {
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    volatile Integer closeCode;

    JsonObject last() {
      return frames.get(frames.size() - 1);
    }

    JsonObject await(java.util.function.Predicate<JsonObject> match) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        for (JsonObject f : frames) {
          if (match.test(f)) {
            return f;
          }
        }
        Thread.onSpinWait();
      }
      throw new AssertionError("no matching frame within 10 s: " + frames);
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
      closeCode = code;
    }

    @Override
    public void bind(Handler<String> text, Handler<Void> tooLarge, Handler<Void> closed) {
    }
  }

  /** Rooms that exist, and the joins and leaves asked for. */
  private static final class RecordingMembership implements Membership {
    final Set<String> rooms;
    final List<String> calls = new ArrayList<>();

    RecordingMembership(Set<String> rooms) {
      this.rooms = rooms;
    }

    @Override
    public Future<Boolean> roomExists(String room) {
      return Future.succeededFuture(rooms.contains(room));
    }

    @Override
    public void join(String room, UserRef user) {
      calls.add("join " + room + " " + user.id());
    }

    @Override
    public void leave(String room, UserRef user) {
      calls.add("leave " + room + " " + user.id());
    }

    @Override
    public Future<List<UserRef>> users(String room) {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<Map<String, Integer>> counts(List<String> rooms) {
      return Future.succeededFuture(Map.of());
    }
  }
}
