package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal's record format: what is written, what reads back, and what a torn or corrupt record reads as. */
class JournalRecordTest {
  private static final Envelope HELLO = Envelope.chat(42, "général", new UserRef("u-1", "Zoë 🐱"),
      "héllo wörld ✓ 日本語 🎉, a tab\there and a\nnewline", 1_700_000_000_123L);

  /** A record as the format defines it, built independently of the code under test. */
  static String record(String json) {
    CRC32 crc = new CRC32();
    crc.update(json.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x\t%s\n", crc.getValue(), json);
  }

  private static byte[] bytes(ByteBuffer view) {
    byte[] out = new byte[view.remaining()];
    view.duplicate().get(out);
    return out;
  }

  private static byte[] line(String record) {
    byte[] all = record.getBytes(StandardCharsets.UTF_8);
    assertEquals('\n', all[all.length - 1]);
    return Arrays.copyOf(all, all.length - 1);
  }

  @Test
  void aRecordIsTheCrcInHexATabTheJsonAndANewline() {
    JournalRecord.Batch batch = new JournalRecord.Batch();
    String json = batch.add(HELLO);
    assertEquals(HELLO.toJson().encode(), json);
    assertArrayEquals(record(json).getBytes(StandardCharsets.UTF_8), bytes(batch.view()));
    long newlines = new String(bytes(batch.view()), StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
    assertEquals(1, newlines, "a newline in the text is escaped in the JSON, the record stays one line");
  }

  @Test
  void aRecordDecodesToTheSameEnvelopeNonAsciiTextIncluded() {
    JournalRecord.Batch batch = new JournalRecord.Batch();
    batch.add(HELLO);
    byte[] written = bytes(batch.view());
    assertEquals(Optional.of(HELLO), JournalRecord.decode(Arrays.copyOf(written, written.length - 1)));
  }

  @Test
  void aBatchHoldsItsRecordsInOrderUntilCleared() {
    JournalRecord.Batch batch = new JournalRecord.Batch();
    Envelope second = Envelope.chat(43, "general", new UserRef("u-2", "bob"), "second", 1);
    String expected = record(batch.add(HELLO)) + record(batch.add(second));
    assertEquals(expected, new String(bytes(batch.view()), StandardCharsets.UTF_8));
    batch.clear();
    assertEquals(0, batch.view().remaining());
    String third = batch.add(second);
    assertEquals(record(third), new String(bytes(batch.view()), StandardCharsets.UTF_8));
  }

  @Test
  void aRecordWrittenByAnEarlierVersionStillDecodes() {
    // the exact text an existing data directory holds (key order of the earlier writer included)
    String json = "{\"id\":7,\"room\":\"general\",\"type\":\"chat\",\"user\":{\"id\":\"g-1\",\"name\":\"ann\"},\"text\":\"hi\",\"ts\":5}";
    assertEquals(Optional.of(Envelope.chat(7, "general", new UserRef("g-1", "ann"), "hi", 5)),
        JournalRecord.decode(line(record(json))));
  }

  @Test
  void everyTornPrefixOfARecordDecodesToNothing() {
    byte[] whole = line(record(HELLO.toJson().encode()));
    for (int length = 0; length < whole.length; length++) {
      assertEquals(Optional.empty(), JournalRecord.decode(Arrays.copyOf(whole, length)), "prefix of " + length + " bytes");
    }
    assertTrue(JournalRecord.decode(whole).isPresent());
  }

  @Test
  void aCrcMismatchDecodesToNothing() {
    String good = record(HELLO.toJson().encode());
    assertEquals(Optional.empty(), JournalRecord.decode(line(good.replace("wörld", "wörlD"))), "a changed byte in the JSON");
    String otherCrc = (good.charAt(0) == '0' ? "1" : "0") + good.substring(1);
    assertEquals(Optional.empty(), JournalRecord.decode(line(otherCrc)), "a changed digit of the CRC");
    assertEquals(Optional.empty(), JournalRecord.decode(line("zzzzzzzz" + good.substring(8))), "a CRC that is not hex");
    assertEquals(Optional.empty(), JournalRecord.decode(line(good.replaceFirst("\t", " "))), "no tab after the CRC");
  }

  @Test
  void aRecordThatIsNotACompleteChatMessageDecodesToNothing() {
    JsonObject complete = HELLO.toJson();
    for (String field : new String[] {"id", "room", "user", "text", "ts"}) {
      JsonObject missing = complete.copy();
      missing.remove(field);
      assertEquals(Optional.empty(), JournalRecord.decode(line(record(missing.encode()))), "without " + field);
    }
    assertEquals(Optional.empty(), JournalRecord.decode(line(record("not json"))));
    assertEquals(Optional.empty(), JournalRecord.decode(line(record("[1,2]"))));
  }
}
