package dev.vertxchat.store;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.MessageStore.NewMessage;
import dev.vertxchat.store.MessageStore.Stored;
import dev.vertxchat.support.Postgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What PostgreSQL must do for several nodes: a room's ids in commit order with batches of two nodes
 * racing (and a reader catching up with {@code after} never skipping one), concurrent migrations, and
 * an outage the pool survives.
 */
@ExtendWith(VertxExtension.class)
class PgMessageStoreTest {
  private static final List<String> ROOMS = List.of("r0", "r1", "r2");
  private static final UserRef ANN = new UserRef("u-1", "ann");

  @Test
  void twoNodesAppendingIntoTheSameRoomsKeepEachRoomsIdsInCommitOrder(Vertx vertx) {
    String url = Postgres.freshDatabaseUrl();
    List<Pool> pools = List.of(PgDatabase.pool(vertx, url, 4), PgDatabase.pool(vertx, url, 4));
    try {
      await(PgDatabase.migrate(pools.get(0)));
      for (String room : ROOMS) {
        await(new PgRoomStore(pools.get(0)).create(new dev.vertxchat.bus.Room(room, room, "", 0), null));
      }
      List<MessageStore> nodes = pools.stream().<MessageStore>map(PgMessageStore::new).toList();
      Map<String, List<Long>> seen = new ConcurrentHashMap<>();
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Future<Void>> readers = ROOMS.stream().map(room -> read(vertx, nodes.get(1), room, seen, writing)).toList();

      List<Future<List<Stored>>> writers = new ArrayList<>();
      Random random = new Random(12);
      for (int w = 0; w < 8; w++) {
        writers.add(write(nodes.get(w % 2), new Random(random.nextLong()), 30, new ArrayList<>()));
      }
      await(Future.all(writers));
      writing.set(false);
      await(Future.all(readers));

      List<Stored> stored = new ArrayList<>();
      writers.forEach(f -> stored.addAll(f.result()));
      for (String room : ROOMS) {
        List<Stored> ofRoom = new ArrayList<>(stored.stream().filter(s -> s.envelope().room().equals(room)).toList());
        ofRoom.sort((a, b) -> Long.compare(a.envelope().id(), b.envelope().id()));
        long previous = 0;
        for (Stored s : ofRoom) {
          // each batch found the room's head at the greatest id below its own: commit order is id order
          assertEquals(previous, s.previous(), room + ": " + s);
          previous = s.envelope().id();
        }
        List<Long> ids = ofRoom.stream().map(s -> s.envelope().id()).toList();
        assertTrue(ids.size() > 50, room + " has " + ids.size());
        assertEquals(ids, await(nodes.get(0).page(room, null, 0L, 10_000)).stream().map(Envelope::id).toList());
        assertEquals(ids, seen.get(room), room + ": the reader following with after=N saw another sequence");
      }
    } finally {
      pools.forEach(p -> await(p.close()));
    }
  }

  /** Appends {@code batches} batches of 1 to 6 messages into random rooms, one after the other. */
  private static Future<List<Stored>> write(MessageStore store, Random random, int batches, List<Stored> out) {
    if (batches == 0) {
      return Future.succeededFuture(out);
    }
    List<NewMessage> batch = new ArrayList<>();
    for (int i = 1 + random.nextInt(6); i > 0; i--) {
      batch.add(new NewMessage(ROOMS.get(random.nextInt(ROOMS.size())), ANN, "m" + random.nextInt()));
    }
    return store.append(batch, System.currentTimeMillis()).compose(stored -> {
      out.addAll(stored);
      return write(store, random, batches - 1, out);
    });
  }

  /** Follows a room with {@code after = last seen id} until the writers are done and nothing new comes. */
  private static Future<Void> read(Vertx vertx, MessageStore store, String room, Map<String, List<Long>> seen, AtomicBoolean writing) {
    List<Long> ids = Collections.synchronizedList(new ArrayList<>());
    seen.put(room, ids);
    Promise<Void> done = Promise.promise();
    poll(store, room, ids, writing, done);
    return done.future();
  }

  private static void poll(MessageStore store, String room, List<Long> ids, AtomicBoolean writing, Promise<Void> done) {
    boolean last = !writing.get(); // the writers were done before this page was asked for
    long after = ids.isEmpty() ? 0 : ids.get(ids.size() - 1);
    store.page(room, null, after, 50).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      ar.result().forEach(e -> ids.add(e.id()));
      if (last && ar.result().isEmpty()) {
        done.complete();
      } else {
        poll(store, room, ids, writing, done);
      }
    });
  }

  @Test
  void twoNodesMigratingAnEmptyDatabaseAtOnceApplyEachStepOnce(Vertx vertx) {
    String url = Postgres.freshDatabaseUrl();
    List<Pool> pools = List.of(PgDatabase.pool(vertx, url, 2), PgDatabase.pool(vertx, url, 2), PgDatabase.pool(vertx, url, 2));
    try {
      await(Future.all(pools.stream().map(PgDatabase::migrate).toList()));
      List<Integer> versions = new ArrayList<>();
      for (Row row : await(pools.get(0).query("SELECT version FROM schema_version ORDER BY version").execute())) {
        versions.add(row.getInteger(0));
      }
      assertEquals(List.of(1, 2), versions);
      await(PgDatabase.migrate(pools.get(1)));
      assertEquals(2, await(pools.get(0).query("SELECT COUNT(*) FROM schema_version").execute()).iterator().next().getLong(0));
      assertEquals(0L, await(pools.get(2).query("SELECT COUNT(*) FROM room_heads").execute()).iterator().next().getLong(0));
    } finally {
      pools.forEach(p -> await(p.close()));
    }
  }

  /**
   * A node may accept a message for a room that another node deletes before the batch commits: the message is
   * not stored (its entry is null, the pipeline answers 3001), the rest of the batch is, and nothing is left under
   * the deleted room's id.
   */
  @Test
  void aMessageForARoomThatNoLongerExistsIsNotStoredAndTheRestOfTheBatchIs(Vertx vertx) {
    String url = Postgres.freshDatabaseUrl();
    Pool pool = PgDatabase.pool(vertx, url, 2);
    try {
      await(PgDatabase.migrate(pool));
      PgRoomStore rooms = new PgRoomStore(pool);
      await(rooms.create(new dev.vertxchat.bus.Room("kept", "kept", "", 0), null));
      await(rooms.create(new dev.vertxchat.bus.Room("doomed", "doomed", "", 0), null));
      MessageStore store = new PgMessageStore(pool);
      await(store.append(List.of(new NewMessage("doomed", ANN, "before")), 1));
      // deleted on "another node" after the next batch was accepted here
      await(rooms.delete("doomed"));
      await(store.deleteRoom("doomed"));
      List<Stored> stored = await(store.append(List.of(new NewMessage("kept", ANN, "a"), new NewMessage("doomed", ANN, "lost"),
          new NewMessage("kept", ANN, "b"), new NewMessage("nowhere", ANN, "never a room")), 2));
      assertEquals(4, stored.size());
      assertEquals(null, stored.get(1));
      assertEquals(null, stored.get(3));
      assertEquals("a", stored.get(0).envelope().text());
      assertEquals(stored.get(0).envelope().id(), stored.get(2).previous(), "the kept room's chain is unbroken");
      assertEquals(List.of("a", "b"), await(store.page("kept", null, null, 10)).stream().map(Envelope::text).toList());
      assertEquals(List.of(), await(store.page("doomed", null, null, 10)));
      assertEquals(List.of(), await(store.page("nowhere", null, null, 10)));
    } finally {
      await(pool.close());
    }
  }

  /**
   * A room deleted on one node and created again (on any node) before the delete has finished its work (it tells
   * every node, waits for the pipeline, then deletes the messages): the new room keeps what was sent to it.
   */
  @Test
  void aRoomCreatedAgainBeforeTheDeleteFinishedKeepsItsNewMessages(Vertx vertx) {
    Pool pool = PgDatabase.pool(vertx, Postgres.freshDatabaseUrl(), 2);
    try {
      await(PgDatabase.migrate(pool));
      PgRoomStore rooms = new PgRoomStore(pool);
      MessageStore store = new PgMessageStore(pool);
      dev.vertxchat.bus.Room room = new dev.vertxchat.bus.Room("again", "again", "", 0);
      await(rooms.create(room, null));
      await(store.append(List.of(new NewMessage("again", ANN, "old")), 1));
      assertTrue(await(rooms.delete("again")));
      assertEquals(List.of(), await(store.page("again", null, null, 10)), "the room's row, messages and head go together");
      await(rooms.create(room, null));
      Stored fresh = await(store.append(List.of(new NewMessage("again", ANN, "new")), 2)).get(0);
      assertEquals(0, fresh.previous(), "a new chain");
      await(store.deleteRoom("again")); // the first delete's last step, late
      assertEquals(List.of("new"), await(store.page("again", null, null, 10)).stream().map(Envelope::text).toList());
      assertEquals(fresh.envelope().id(), await(store.append(List.of(new NewMessage("again", ANN, "next")), 3)).get(0).previous());
    } finally {
      await(pool.close());
    }
  }

  @Test
  void whileTheDatabaseIsDownAppendsFailQuicklyAndTheSamePoolWorksWhenItIsBack(Vertx vertx) {
    try (Postgres.Server server = Postgres.Server.start()) {
      String url = server.freshDatabaseUrl();
      Pool pool = PgDatabase.pool(vertx, url, 4);
      // several connections open when the server goes: each is found closed, none is handed out again
      try {
        await(PgDatabase.migrate(pool));
        await(new PgRoomStore(pool).create(new dev.vertxchat.bus.Room("general", "general", "", 0), null));
        MessageStore store = new PgMessageStore(pool);
        long before = await(store.append(List.of(new NewMessage("general", ANN, "before")), 1)).get(0).envelope().id();
        await(Future.all(List.of(store.page("general", null, null, 1), store.page("general", null, null, 1),
            store.page("general", null, null, 1), store.page("general", null, null, 1))));

        server.stop();
        for (int i = 0; i < 3; i++) {
          long began = System.nanoTime();
          Future<List<Stored>> append = store.append(List.of(new NewMessage("general", ANN, "during")), 2);
          Throwable failure = awaitFailure(append);
          long ms = (System.nanoTime() - began) / 1_000_000;
          assertTrue(ms < PgDatabase.CONNECT_TIMEOUT_MS + 2_000, "failed after " + ms + " ms: " + failure);
          assertEquals(ErrorCodes.UNAVAILABLE, assertInstanceOf(ChatException.class, failure).code());
          assertTrue(awaitFailure(PgDatabase.ping(pool)) != null);
          assertInstanceOf(ChatException.class, awaitFailure(store.page("general", null, null, 10)));
        }

        server.restart();
        Stored after = await(store.append(List.of(new NewMessage("general", ANN, "after")), 3)).get(0);
        assertTrue(after.envelope().id() > before);
        assertEquals(before, after.previous(), "nothing was stored while the database was down");
        assertEquals(List.of("before", "after"), await(store.page("general", null, null, 10)).stream().map(Envelope::text).toList());
        await(PgDatabase.ping(pool));
      } finally {
        await(pool.close());
      }
    }
  }

  private static Throwable awaitFailure(Future<?> future) {
    try {
      await(future);
    } catch (Throwable e) {
      assertTrue(future.failed(), "not the future's failure: " + e);
      return future.cause();
    }
    throw new AssertionError("succeeded: " + future.result());
  }

  @Test
  void aServerStopsAndStartsAgainOnTheSamePortWithItsData(Vertx vertx) {
    try (Postgres.Server server = Postgres.Server.start()) {
      String url = server.freshDatabaseUrl();
      Pool pool = PgDatabase.pool(vertx, url, 1);
      try {
        await(pool.query("CREATE TABLE kept (v INT)").execute());
        await(pool.query("INSERT INTO kept VALUES (42)").execute());
        server.stop();
        awaitFailure(PgDatabase.ping(pool));
        server.restart();
        assertEquals(42, await(pool.query("SELECT v FROM kept").execute()).iterator().next().getInteger(0));
        assertTrue(url.contains(":" + server.port() + "/"), url);
      } finally {
        await(pool.close());
      }
    }
  }
}
