package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.store.JournalRecordTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segment files: the valid prefix a torn or corrupt record ends, numbering, sealing and deletion. */
class JournalSegmentsTest {
  @TempDir
  Path tmp;

  private static Envelope message(long id, String text) {
    return Envelope.chat(id, "general", new UserRef("u-1", "ann"), text, 1000 + id);
  }

  private static String recordOf(Envelope e) {
    return record(e.toJson().encode());
  }

  private static List<String> texts(List<Envelope> records) {
    return records.stream().map(Envelope::text).toList();
  }

  private static long length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private Path write(String name, String content) throws IOException {
    Path file = tmp.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void aTornTailEndsTheValidPrefix() throws IOException {
    String first = recordOf(message(1, "one"));
    String second = recordOf(message(2, "twö"));
    String third = recordOf(message(3, "three"));
    Path segment = write("segment-000000000001.log", first + second + third.substring(0, third.length() / 2));

    List<Envelope> records = new ArrayList<>();
    assertEquals(length(first + second), JournalSegments.readValidPrefix(segment, records));
    assertEquals(List.of(message(1, "one"), message(2, "twö")), records);
  }

  @Test
  void aLastRecordWithoutItsNewlineIsNotPartOfThePrefix() throws IOException {
    String first = recordOf(message(1, "one"));
    String second = recordOf(message(2, "two"));
    Path segment = write("segment-000000000001.log", first + second.substring(0, second.length() - 1));

    List<Envelope> records = new ArrayList<>();
    assertEquals(length(first), JournalSegments.readValidPrefix(segment, records));
    assertEquals(List.of("one"), texts(records));
  }

  @Test
  void aCrcMismatchEndsTheValidPrefixEvenWithGoodRecordsBehindIt() throws IOException {
    String good = recordOf(message(1, "good"));
    String flipped = recordOf(message(2, "flipped")).replace("flipped", "flopped");
    Path segment = write("segment-000000000001.log", good + flipped + recordOf(message(3, "behind the bad one")));

    List<Envelope> records = new ArrayList<>();
    assertEquals(length(good), JournalSegments.readValidPrefix(segment, records));
    assertEquals(List.of("good"), texts(records));
  }

  @Test
  void readingAtStartTakesEverySegmentInOrderAndNumbersNewOnesAfterTheHighest() throws IOException {
    Path dir = tmp.resolve("journal");
    Files.createDirectory(dir);
    Files.writeString(dir.resolve("segment-000000000009.log"), recordOf(message(3, "c")) + "torn");
    Files.writeString(dir.resolve("segment-000000000002.log"), recordOf(message(1, "a")) + recordOf(message(2, "b")));
    Files.writeString(dir.resolve("segment-1.log"), recordOf(message(7, "not a segment name")));
    Files.writeString(dir.resolve("notes.txt"), "left here by an operator");

    JournalSegments segments = new JournalSegments(dir);
    JournalSegments.Found found = segments.readAll();
    assertEquals(List.of("a", "b", "c"), texts(found.records()));
    assertEquals(List.of(dir.resolve("segment-000000000002.log"), dir.resolve("segment-000000000009.log")), found.files());

    segments.start();
    assertTrue(Files.exists(dir.resolve("segment-000000000010.log")), "numbered after the highest found");
    segments.close(true);
  }

  @Test
  void aMissingDirectoryIsCreatedOwnerOnly() throws IOException {
    Path dir = tmp.resolve("data").resolve("journal");
    JournalSegments segments = new JournalSegments(dir);
    assertEquals(new JournalSegments.Found(List.of(), List.of()), segments.readAll());
    segments.start();
    Path first = dir.resolve("segment-000000000000.log");
    assertTrue(Files.exists(first));
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
    }
    segments.close(true);
    assertFalse(Files.exists(first));
  }

  @Test
  void sealedSegmentsStayUntilDeletedAndAnUnemptiedOneStaysAtClose() throws IOException {
    Path dir = tmp.resolve("journal");
    JournalSegments segments = new JournalSegments(dir);
    segments.readAll();
    segments.start();
    segments.write(ByteBuffer.wrap(recordOf(message(1, "one")).getBytes(StandardCharsets.UTF_8)), false);
    segments.seal();
    segments.write(ByteBuffer.wrap(recordOf(message(2, "two")).getBytes(StandardCharsets.UTF_8)), true);
    Path sealed = dir.resolve("segment-000000000000.log");
    Path open = dir.resolve("segment-000000000001.log");
    assertEquals(List.of(sealed), segments.sealed());
    assertEquals(List.of(sealed, open), segments.list());

    segments.seal();
    assertEquals(List.of(sealed, open), segments.sealed(), "sealing again adds the next one");
    segments.delete(List.of(sealed));
    assertEquals(List.of(open), segments.sealed());
    assertFalse(Files.exists(sealed));

    segments.close(false);
    assertFalse(segments.isOpen());
    List<Envelope> left = new ArrayList<>();
    JournalSegments.readValidPrefix(open, left);
    assertEquals(List.of("two"), texts(left), "what is not in the table yet stays for the replay");
    assertEquals(List.of(open, dir.resolve("segment-000000000002.log")), segments.list());
  }
}
