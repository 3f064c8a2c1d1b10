package dev.vertxchat.bridge;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.Database;
import dev.vertxchat.store.H2MessageStore;
import dev.vertxchat.store.JournaledMessageStore;
import dev.vertxchat.store.MessageJournal;
import dev.vertxchat.store.MessageStore;
import dev.vertxchat.store.MessageStore.NewMessage;
import dev.vertxchat.store.MessageStore.Stored;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RoomCatchUp#over} a real message store (the journal and H2): what it reads is what the room was sent,
 * byte for byte, and the head is the room's last id.
 */
class RoomCatchUpTest {
  private static final UserRef ANN = new UserRef("u-1", "ann");
  private static final UserRef GUEST = new UserRef("g-2", "bob");

  @TempDir
  Path dataDir;
  private Vertx vertx;
  private Pool pool;
  private MessageJournal journal;
  private MessageStore store;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, dataDir.toString(), 2);
    await(Database.migrate(pool));
    journal = await(MessageJournal.open(vertx, dataDir.toString(), new MessageJournal.Options(false, 10, 1000, 100_000)));
    store = new JournaledMessageStore(journal, new H2MessageStore(pool));
  }

  @AfterEach
  void close() {
    await(journal.close());
    await(pool.close());
    await(vertx.close());
  }

  @Test
  void readsARoomsMessagesAsTheyWerePublishedAndItsHead() {
    RoomCatchUp catchUp = RoomCatchUp.over(store);
    assertEquals(0L, await(catchUp.head("general")), "an empty room");
    List<Stored> stored = await(store.append(List.of(
        new NewMessage("general", ANN, "one"), new NewMessage("other", ANN, "elsewhere"),
        new NewMessage("general", GUEST, "two \"quoted\" é€😀"), new NewMessage("general", ANN, "three")), 1234));
    List<Stored> general = stored.stream().filter(s -> s.envelope().room().equals("general")).toList();

    List<RoomMessage> all = await(catchUp.after("general", 0, 10));
    assertEquals(general.stream().map(Stored::json).toList(), all.stream().map(RoomMessage::json).toList(),
        "the same JSON text as the room was sent");
    assertEquals(general.stream().map(Stored::envelope).toList(), all.stream().map(RoomMessage::envelope).toList());

    long first = general.get(0).envelope().id();
    assertEquals(general.subList(1, 3).stream().map(Stored::json).toList(),
        await(catchUp.after("general", first, 10)).stream().map(RoomMessage::json).toList());
    assertEquals(List.of(general.get(1).json()),
        await(catchUp.after("general", first, 1)).stream().map(RoomMessage::json).toList(), "at most limit");
    assertEquals(general.get(2).envelope().id(), await(catchUp.head("general")));
    assertEquals(stored.get(1).envelope().id(), await(catchUp.head("other")));

    // a message deleted since is read as its tombstone
    long second = general.get(1).envelope().id();
    await(store.delete("general", second));
    RoomMessage tombstone = await(catchUp.after("general", first, 1)).get(0);
    assertEquals(Envelope.DELETED, tombstone.envelope().type());
    assertEquals(second, tombstone.envelope().id());
    assertEquals(general.get(2).envelope().id(), await(catchUp.head("general")), "a tombstone keeps its id");
  }
}
