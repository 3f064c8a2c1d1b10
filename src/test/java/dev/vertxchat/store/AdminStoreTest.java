package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.MessageStore.NewMessage;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's side of the admin API with a real H2 file: a message deleted while still only in the
 * journal (tombstone in the table, text gone from the journal, still deleted after the journal is
 * reopened and replayed). What every store does (bans, settings, tombstones, a deleted room's ids) is
 * in {@link StoreContractTest}.
 */
@ExtendWith(VertxExtension.class)
class AdminStoreTest {
  /** Copies into the table only when asked: a message stays in the journal only. */
  private static final MessageJournal.Options LAZY = new MessageJournal.Options(false, 3_600_000, 1_000_000, 1_000_000);
  private static final UserRef ANN = new UserRef("u-1", "ann");

  @TempDir
  Path dataDir;
  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void database(Vertx vertx) {
    this.vertx = vertx;
    pool = Database.pool(vertx, dataDir.toString(), 2);
    await(Database.migrate(pool));
  }

  @AfterEach
  void closePool() {
    await(pool.close());
  }

  @Test
  void aMessageDeletedWhileOnlyInTheJournalStaysDeletedAfterAReplay() throws Exception {
    MessageJournal journal = await(MessageJournal.open(vertx, dataDir.toString(), LAZY));
    JournaledMessageStore store = new JournaledMessageStore(journal, new H2MessageStore(pool));
    List<MessageStore.Stored> stored = await(store.append(List.of(new NewMessage("general", ANN, "keep"),
        new NewMessage("general", ANN, "secret text")), 100));
    long keep = stored.get(0).envelope().id();
    long gone = stored.get(1).envelope().id();
    assertTrue(journalText().contains("secret text"), "still only in the journal");

    assertFalse(await(store.delete("other-room", gone)));
    assertTrue(await(store.delete("general", gone)));
    assertFalse(await(store.delete("general", gone + 100)));
    assertFalse(journalText().contains("secret text"));
    assertPage(store, keep, gone);

    await(journal.close());
    journal = await(MessageJournal.open(vertx, dataDir.toString(), LAZY));
    store = new JournaledMessageStore(journal, new H2MessageStore(pool));
    assertPage(store, keep, gone);
    await(journal.close());
  }

  private static void assertPage(JournaledMessageStore store, long keep, long gone) {
    List<Envelope> page = await(store.page("general", null, null, 10));
    assertEquals(2, page.size(), page.toString());
    assertEquals(Envelope.chat(keep, "general", ANN, "keep", 100), page.get(0));
    assertEquals(new Envelope(gone, "general", Envelope.DELETED, null, null, 100), page.get(1));
    assertEquals("{\"id\":" + gone + ",\"room\":\"general\",\"type\":\"deleted\",\"ts\":100}", page.get(1).toJson().encode());
  }

  private String journalText() throws Exception {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.list(dataDir.resolve("journal"))) {
      for (Path file : files.toList()) {
        out.append(Files.readString(file, StandardCharsets.ISO_8859_1));
      }
    }
    return out.toString();
  }
}
