package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * One record of the message journal, in the format existing data directories hold (it must not
 * change): 8 lower-case hex digits of the CRC-32 of the JSON, a tab, the chat envelope's JSON in UTF-8,
 * {@code \n}. A record that is torn (a write cut short by a crash), fails its CRC or is not a complete
 * chat envelope decodes to nothing.
 */
final class JournalRecord {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int CRC_DIGITS = 8;
  private static final byte SEPARATOR = '\t';
  static final byte END = '\n';

  private JournalRecord() {}

  /**
   * The envelope of one record, {@code line} being its bytes without the final {@code \n}; empty when
   * the record is torn or corrupt.
   */
  static Optional<Envelope> decode(byte[] line) {
    if (line.length < CRC_DIGITS + 2 || line[CRC_DIGITS] != SEPARATOR) {
      return Optional.empty();
    }
    int start = CRC_DIGITS + 1;
    try {
      long crc = Long.parseLong(new String(line, 0, CRC_DIGITS, StandardCharsets.US_ASCII), 16);
      CRC32 check = new CRC32();
      check.update(line, start, line.length - start);
      if (check.getValue() != crc) {
        return Optional.empty();
      }
      Envelope e = Envelope.fromJson(new JsonObject(new String(line, start, line.length - start, StandardCharsets.UTF_8)));
      return e.id() == null || e.room() == null || e.user() == null || e.text() == null ? Optional.empty() : Optional.of(e);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The records of one batch, encoded into one buffer for one {@code write}. Reused from batch to batch
   * by its one thread (the journal thread); not thread-safe.
   */
  static final class Batch {
    private static final int INITIAL = 64 * 1024;
    private static final int KEEP_AT_MOST = 1 << 20;

    private final CRC32 crc = new CRC32();
    private Bytes bytes = new Bytes(INITIAL);

    /** Appends the record of {@code e}; returns the envelope's JSON text (what the room is sent). */
    String add(Envelope e) {
      String text = e.toJson().encode();
      byte[] json = text.getBytes(StandardCharsets.UTF_8);
      crc.reset();
      crc.update(json);
      long value = crc.getValue();
      for (int shift = (CRC_DIGITS - 1) * 4; shift >= 0; shift -= 4) {
        bytes.write(HEX[(int) (value >>> shift) & 0xF]);
      }
      bytes.write(SEPARATOR);
      bytes.write(json, 0, json.length);
      bytes.write(END);
      return text;
    }

    /** The records added since the last {@link #clear()}, without a copy. */
    ByteBuffer view() {
      return bytes.view();
    }

    /** Empties the batch; a buffer grown by one huge batch is not kept. */
    void clear() {
      if (bytes.capacity() > KEEP_AT_MOST) {
        bytes = new Bytes(INITIAL);
      } else {
        bytes.reset();
      }
    }
  }

  /** A byte buffer whose content can be written to a channel without a copy. */
  private static final class Bytes extends ByteArrayOutputStream {
    Bytes(int size) {
      super(size);
    }

    ByteBuffer view() {
      return ByteBuffer.wrap(buf, 0, count);
    }

    int capacity() {
      return buf.length;
    }
  }
}
