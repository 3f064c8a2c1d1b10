package dev.vertxchat.store;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.MessageStore.NewMessage;
import dev.vertxchat.store.MessageStore.Stored;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static dev.vertxchat.support.TestServer.await;
import static dev.vertxchat.store.JournalRecordTest.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The journal with a real H2 file and no server: replay at open, the copy into the table and when
 * segments go, backpressure, close, and appends from several event loops.
 */
@ExtendWith(VertxExtension.class)
class MessageJournalTest {
  /** Copies into the table only when asked (or at close): the tests decide when a round runs. */
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


  /** The failure of a future that must fail. */
  private static Throwable failure(Future<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static void assertUnavailable(Future<?> future) {
    ChatException e = assertInstanceOf(ChatException.class, failure(future));
    assertEquals(ErrorCodes.UNAVAILABLE, e.code());
  }

  private MessageJournal open(MessageJournal.Options options) {
    return await(MessageJournal.open(vertx, dataDir.toString(), options));
  }

  private static List<NewMessage> messages(String... texts) {
    return Stream.of(texts).map(t -> new NewMessage("general", ANN, t)).toList();
  }

  private static List<Long> ids(List<Stored> stored) {
    return stored.stream().map(s -> s.envelope().id()).toList();
  }

  private Path journalDir() {
    return dataDir.resolve("journal");
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(journalDir())) {
      return files.sorted().toList();
    }
  }

  /** The valid records of every segment file, in file order. */
  private List<String> journaled() throws IOException {
    List<Envelope> records = new ArrayList<>();
    for (Path segment : segmentFiles()) {
      JournalSegments.readValidPrefix(segment, records);
    }
    return records.stream().map(Envelope::text).toList();
  }

  /** id → text of every row of the table, by id. */
  private Map<Long, String> table() throws SQLException {
    Map<Long, String> rows = new LinkedHashMap<>();
    try (Connection conn = Database.connect(dataDir.toString()); Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT id, text FROM messages ORDER BY id")) {
      while (rs.next()) {
        rows.put(rs.getLong(1), rs.getString(2));
      }
    }
    return rows;
  }

  private void sql(String statement) throws SQLException {
    try (Connection conn = Database.connect(dataDir.toString()); Statement st = conn.createStatement()) {
      st.execute(statement);
    }
  }

  private static Envelope message(long id, String text) {
    return Envelope.chat(id, "general", ANN, text, 1000 + id);
  }

  @Test
  void replayInsertsOnlyWhatTheTableMissesAndIdsContinueAfterTheHighest() throws Exception {
    try (Connection conn = Database.connect(dataDir.toString())) {
      H2MessageStore.insert(conn, List.of(message(1, "table 1"), message(2, "table 2"), message(3, "table 3")));
    }
    Files.createDirectories(journalDir());
    // what a crash leaves: records already copied (2, 3) and records that were not (4, 5, 6), the last segment torn
    String torn = record(message(7, "never acknowledged").toJson().encode());
    Files.writeString(journalDir().resolve("segment-000000000004.log"), record(message(2, "journal 2").toJson().encode())
        + record(message(3, "journal 3").toJson().encode()) + record(message(4, "journal 4").toJson().encode()),
        StandardCharsets.UTF_8);
    Files.writeString(journalDir().resolve("segment-000000000005.log"), record(message(5, "journal 5").toJson().encode())
        + record(message(6, "journal 6").toJson().encode()) + torn.substring(0, torn.length() - 5), StandardCharsets.UTF_8);

    MessageJournal journal = open(LAZY);
    assertEquals(Map.of(1L, "table 1", 2L, "table 2", 3L, "table 3", 4L, "journal 4", 5L, "journal 5", 6L, "journal 6"),
        table(), "rows the table had are left as they are; the others are inserted");
    assertEquals(List.of(journalDir().resolve("segment-000000000006.log")), segmentFiles(),
        "the replayed segments are deleted; the next one is numbered after them");
    assertEquals(List.of(7L, 8L), ids(await(journal.append(messages("next", "after"), 2000))));
    await(journal.close());
    assertEquals("after", table().get(8L));
  }

  @Test
  void replayOfAJournalTheTableAlreadyHasInsertsNothingAndIdsContinueAfterTheTable() throws Exception {
    try (Connection conn = Database.connect(dataDir.toString())) {
      H2MessageStore.insert(conn, List.of(message(1, "table 1"), message(9, "table 9")));
    }
    Files.createDirectories(journalDir());
    Files.writeString(journalDir().resolve("segment-000000000001.log"), record(message(1, "journal 1").toJson().encode()),
        StandardCharsets.UTF_8);

    MessageJournal journal = open(LAZY);
    assertEquals(Map.of(1L, "table 1", 9L, "table 9"), table());
    assertEquals(List.of(10L), ids(await(journal.append(messages("ten"), 2000))));
    await(journal.close());
  }

  @Test
  void segmentsAreDeletedOnlyAfterTheirRecordsAreInTheTable() throws Exception {
    MessageJournal journal = open(LAZY);
    assertEquals(List.of(1L, 2L, 3L), ids(await(journal.append(messages("a", "poison", "c"), 1))));
    sql("ALTER TABLE messages ADD CONSTRAINT no_poison CHECK (text <> 'poison')");

    failure(journal.index());
    assertEquals(Map.of(), table(), "the copy failed as a whole");
    assertEquals(List.of("a", "poison", "c"), journaled(), "the records stay in the journal");
    assertEquals(3, journal.unindexed(), "and wait for the next copy");

    assertEquals(List.of(4L), ids(await(journal.append(messages("d"), 2))));
    assertEquals(List.of("a", "poison", "c", "d"), journaled());

    sql("ALTER TABLE messages DROP CONSTRAINT no_poison");
    await(journal.index());
    assertEquals(Map.of(1L, "a", 2L, "poison", 3L, "c", 4L, "d"), table());
    assertEquals(List.of(), journaled(), "copied: the sealed segments are gone");
    assertEquals(1, segmentFiles().size(), "only the open segment stays: " + segmentFiles());
    assertEquals(0, journal.unindexed());
    await(journal.caughtUp());
    await(journal.close());
    assertEquals(List.of(), segmentFiles());
  }

  @Test
  void aCopyThatFindsSomeOfItsRowsAlreadyThereMergesThem() throws Exception {
    MessageJournal journal = open(LAZY);
    await(journal.append(messages("a", "b", "c"), 1));
    // what a commit that succeeded but reported a failure (a lost connection) leaves for the retry
    try (Connection conn = Database.connect(dataDir.toString())) {
      H2MessageStore.insert(conn, List.of(message(2, "b")));
    }
    await(journal.index());
    assertEquals(Map.of(1L, "a", 2L, "b", 3L, "c"), table());
    assertEquals(List.of(), journaled());
    await(journal.close());
  }

  @Test
  void aJournalThatCouldNotBeCopiedAtCloseIsReplayedAtTheNextOpen() throws Exception {
    MessageJournal journal = open(LAZY);
    await(journal.append(messages("kept 1", "kept 2"), 1));
    sql("ALTER TABLE messages ADD CONSTRAINT nothing CHECK (text = '')");
    await(journal.close());
    assertEquals(Map.of(), table());
    assertEquals(List.of("kept 1", "kept 2"), journaled());

    sql("ALTER TABLE messages DROP CONSTRAINT nothing");
    MessageJournal again = open(LAZY);
    assertEquals(Map.of(1L, "kept 1", 2L, "kept 2"), table());
    assertEquals(List.of(3L), ids(await(again.append(messages("new"), 2))));
    await(again.close());
  }

  @Test
  void repliesAndMentionsAppendedThroughTheJournalComeBackFromPagesAfterTheCopyAndAfterAReplay() throws Exception {
    MessageJournal journal = open(LAZY);
    MessageStore store = new JournaledMessageStore(journal, new H2MessageStore(pool));
    long original = await(journal.append(messages("The Original"), 1)).get(0).envelope().id();
    JsonObject quote = new JsonObject().put("id", original).put("user", ANN.toJson()).put("text", "The Original");
    JsonObject more = new JsonObject().put("replyTo", quote).put("mentions", new JsonArray().add("u-2"));
    Stored reply = await(journal.append(List.of(new NewMessage("general", ANN, "re @bob", more)), 2)).get(0);
    assertEquals(quote, reply.envelope().more().getJsonObject("replyTo"), "the envelope published carries them");

    List<Envelope> page = await(store.page("general", null, null, 10));
    assertEquals(1L, page.get(0).more().getLong("replies"));
    assertEquals(quote, page.get(1).more().getJsonObject("replyTo"));
    assertEquals(List.of("u-2"), page.get(1).mentions());
    assertEquals(List.of(original), await(store.search("u-1", "general", List.of("original"), null, 10)).messages()
        .stream().map(Envelope::id).toList(), "the copy wrote the search text");

    // not copied at close: replayed from the journal's records at the next open
    sql("ALTER TABLE messages ADD CONSTRAINT nothing CHECK (text <> 'held back')");
    long held = await(journal.append(List.of(new NewMessage("general", ANN, "held back", more)), 3)).get(0).envelope().id();
    await(journal.close());
    sql("ALTER TABLE messages DROP CONSTRAINT nothing");
    MessageJournal again = open(LAZY);
    Envelope replayed = await(new JournaledMessageStore(again, new H2MessageStore(pool)).get("general", held));
    assertEquals(quote, replayed.more().getJsonObject("replyTo"));
    assertEquals(List.of("u-2"), replayed.mentions());
    await(again.close());
  }

  @Test
  void aRecordOfAnOlderVersionIsCopiedWithASearchTextAndNoReplyOrMentions() throws Exception {
    Files.createDirectories(journalDir());
    Files.writeString(journalDir().resolve("segment-000000000001.log"), record(message(1, "Old Record").toJson().encode()),
        StandardCharsets.UTF_8);
    MessageJournal journal = open(LAZY);
    MessageStore store = new JournaledMessageStore(journal, new H2MessageStore(pool));
    assertEquals(message(1, "Old Record"), await(store.get("general", 1)));
    assertEquals(1, await(store.search("u-1", "general", List.of("old rec"), null, 10)).messages().size());
    await(journal.close());
  }

  @Test
  void aBatchBeyondMaxUnindexedIsRefusedAndLeavesNothingWritten() throws Exception {
    MessageJournal journal = open(new MessageJournal.Options(false, 3_600_000, 1_000_000, 3));
    assertEquals(List.of(1L, 2L), ids(await(journal.append(messages("one", "two"), 1))));
    Path segment = segmentFiles().get(0);
    byte[] before = Files.readAllBytes(segment);

    assertUnavailable(journal.append(messages("three", "four"), 2));
    assertArrayEquals(before, Files.readAllBytes(segment), "nothing of the refused batch is written");
    assertEquals(List.of("one", "two"), journaled());
    assertEquals(2, journal.unindexed());

    assertEquals(List.of(3L), ids(await(journal.append(messages("three"), 3))), "a refused batch takes no ids");
    assertUnavailable(journal.append(messages("four"), 4));

    await(journal.index());
    assertEquals(List.of(4L, 5L, 6L), ids(await(journal.append(messages("four", "five", "six"), 5))), "copied: room again");
    await(journal.close());
    assertEquals(Map.of(1L, "one", 2L, "two", 3L, "three", 4L, "four", 5L, "five", 6L, "six"), table());
  }

  @Test
  void closeCopiesEverythingLeavesNoJournalAndRefusesWhatComesAfter() throws Exception {
    MessageJournal journal = open(LAZY);
    await(journal.append(messages("x", "y"), 1));
    Future<Void> closed = journal.close();
    Future<Void> again = journal.close();
    await(closed);
    await(again);
    assertEquals(Map.of(1L, "x", 2L, "y"), table());
    assertEquals(List.of(), segmentFiles());
    assertUnavailable(journal.append(messages("late"), 2));
    assertEquals(List.of(), segmentFiles(), "a refused append opens nothing");
  }

  @Test
  void appendsAndReadsFromSeveralEventLoopsGetUniqueConsecutiveIds() throws Exception {
    MessageJournal journal = open(new MessageJournal.Options(false, 50, 40, 1_000_000));
    int loops = 4;
    int batches = 50;
    List<Context> contexts = new ArrayList<>();
    for (int l = 0; l < loops; l++) {
      await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          contexts.add(context);
          return Future.succeededFuture();
        }
      }));
    }
    assertEquals(loops, contexts.stream().distinct().count());
    List<Future<List<List<Long>>>> perLoop = new ArrayList<>();
    for (Context context : contexts) {
      Promise<List<List<Long>>> done = Promise.promise();
      context.runOnContext(v -> {
        List<Future<List<Long>>> appended = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
          appended.add(journal.append(messages("a" + b, "b" + b, "c" + b), b)
              .map(MessageJournalTest::ids)
              // a read after an acknowledged append sees it in the table
              .compose(ids -> journal.caughtUp().compose(c -> rowsBetween(ids.get(0), ids.get(2))).map(rows -> {
                assertEquals(3, rows, "rows of " + ids + " after caughtUp");
                return ids;
              })));
        }
        Future.all(appended).map(all -> all.<List<Long>>list()).onComplete(done);
      });
      perLoop.add(done.future());
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<List<Long>>> loop : perLoop) {
      for (List<Long> batch : await(loop)) {
        assertEquals(LongStream.range(batch.get(0), batch.get(0) + 3).boxed().toList(), batch, "a batch's ids are consecutive");
        all.addAll(batch);
      }
    }
    all.sort(null);
    assertEquals(LongStream.rangeClosed(1, loops * batches * 3L).boxed().toList(), all, "every id once, none skipped");
    await(journal.close());
    assertEquals(loops * batches * 3, table().size());
    assertEquals(List.of(), segmentFiles());
  }

  private Future<Long> rowsBetween(long first, long last) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT COUNT(*) FROM messages WHERE id BETWEEN ? AND ?")
        .execute(Tuple.of(first, last)).map(rows -> rows.iterator().next().getLong(0)));
  }
}
