package dev.vertxchat.chat;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The message journal ({@code data/journal}): messages are acknowledged once journaled, history reads
 * see them even before they are copied into the database, and a journal left by a crash is replayed at
 * start, up to a torn last record.
 */
@ExtendWith(VertxExtension.class)
class JournalTest {
  @TempDir
  Path dataDir;

  private static JsonObject config(JsonObject store) {
    return new JsonObject()
        .put("limits", new JsonObject().put("messagesPerSecond", 10_000).put("messageBurst", 10_000))
        .put("store", store);
  }

  /** Copies into the database only when forced: every 60 s or at 100,000 waiting. */
  private static final JsonObject LAZY = new JsonObject().put("indexIntervalMs", 60_000).put("indexBatchMaxSize", 100_000);

  private static List<String> texts(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("messages").forEach(m -> out.add(((JsonObject) m).getString("text")));
    return out;
  }

  private static String record(long id, String room, String text, long ts) {
    String json = new JsonObject().put("id", id).put("room", room).put("type", "chat")
        .put("user", new JsonObject().put("id", "g-crashed").put("name", "crashed")).put("text", text).put("ts", ts).encode();
    CRC32 crc = new CRC32();
    crc.update(json.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x\t%s\n", crc.getValue(), json);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("journal"))) {
      return files.sorted().toList();
    }
  }

  @Test
  void historySeesAcknowledgedMessagesBeforeTheyAreCopied(Vertx vertx) throws IOException {
    TestServer server = TestServer.start(vertx, dataDir, config(LAZY));
    try {
      Http http = new Http(vertx, server.port);
      String token = http.guestToken("reader");
      for (int i = 0; i < 5; i++) {
        assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "j" + i)).statusCode());
      }
      String journal = Files.readString(segments().get(segments().size() - 1));
      assertEquals(5, journal.lines().count(), "acknowledged messages are in the journal: " + journal);
      JsonObject page = http.get("/api/rooms/general/messages", token).bodyAsJsonObject();
      assertEquals(List.of("j0", "j1", "j2", "j3", "j4"), texts(page));
    } finally {
      server.stop();
    }
  }

  @Test
  void aJournalLeftByACrashIsReplayedUpToItsTornTail(Vertx vertx) throws IOException {
    TestServer first = TestServer.start(vertx, dataDir);
    Http http = new Http(vertx, first.port);
    String token = http.guestToken("before");
    long stored = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "stored")).bodyAsJsonObject().getLong("id");
    first.stop();
    assertEquals(List.of(), segments(), "an orderly stop copies everything and leaves no journal");

    // what a crash right after two acknowledged messages (and during a third write) leaves behind
    long ts = System.currentTimeMillis();
    String torn = record(stored + 3, "general", "never acknowledged", ts);
    Files.writeString(dataDir.resolve("journal/segment-000000000007.log"),
        record(stored + 1, "general", "after crash 1", ts) + record(stored + 2, "general", "after crash 2", ts)
            + torn.substring(0, torn.length() / 2), StandardCharsets.UTF_8);

    TestServer second = TestServer.start(vertx, dataDir);
    try {
      Http again = new Http(vertx, second.port);
      JsonObject page = again.get("/api/rooms/general/messages", token).bodyAsJsonObject();
      assertEquals(List.of("stored", "after crash 1", "after crash 2"), texts(page));
      assertEquals("g-crashed", page.getJsonArray("messages").getJsonObject(2).getJsonObject("user").getString("id"));
      long next = again.post("/api/rooms/general/messages", token, new JsonObject().put("text", "next")).bodyAsJsonObject().getLong("id");
      assertEquals(stored + 3, next, "ids continue after the replayed messages");
      assertTrue(segments().stream().noneMatch(p -> p.getFileName().toString().equals("segment-000000000007.log")),
          "the replayed segment is deleted once copied: " + segments());
    } finally {
      second.stop();
    }
  }

  @Test
  void aCorruptRecordEndsTheReplayOfItsSegment(Vertx vertx) throws IOException {
    TestServer.start(vertx, dataDir).stop();
    long ts = System.currentTimeMillis();
    String bad = record(2, "general", "flipped", ts).replace("flipped", "flopped");
    Files.writeString(dataDir.resolve("journal/segment-000000000001.log"),
        record(1, "general", "good", ts) + bad + record(3, "general", "behind the bad one", ts), StandardCharsets.UTF_8);

    TestServer server = TestServer.start(vertx, dataDir);
    try {
      Http http = new Http(vertx, server.port);
      String token = http.guestToken("checker");
      assertEquals(List.of("good"), texts(http.get("/api/rooms/general/messages", token).bodyAsJsonObject()));
    } finally {
      server.stop();
    }
  }

  @Test
  void aBacklogBeyondMaxUnindexedIsRefusedUntilItIsCopied(Vertx vertx) {
    TestServer server = TestServer.start(vertx, dataDir, config(LAZY.copy().put("maxUnindexed", 1000)));
    try {
      Http http = new Http(vertx, server.port);
      String token = http.guestToken("flood");
      for (int i = 0; i < 1000; i++) {
        assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "f" + i)).statusCode());
      }
      var refused = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "one too many"));
      assertEquals(503, refused.statusCode(), refused.bodyAsString());
      assertEquals(ErrorCodes.UNAVAILABLE, Http.errorCode(refused));

      // a history read copies the backlog into the database; sending works again and nothing was lost
      JsonObject page = http.get("/api/rooms/general/messages?limit=2", token).bodyAsJsonObject();
      assertEquals(List.of("f998", "f999"), texts(page));
      assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "again")).statusCode());
    } finally {
      server.stop();
    }
  }
}
