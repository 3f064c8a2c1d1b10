package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The journal's segment files, {@code <data.dir>/journal/segment-<12 digits>.log}, numbered in the
 * order they were started. Records are appended to one open segment; an indexing round seals it (later
 * records go to a new one), and a sealed segment is deleted once its records are in the table. Reading
 * a segment keeps its valid prefix: a torn or corrupt record ends it. Files are owner-only.
 * Not thread-safe: the journal thread only.
 */
final class JournalSegments {
  private static final Logger LOG = LoggerFactory.getLogger(JournalSegments.class);
  private static final Pattern NAME = Pattern.compile("segment-(\\d{12})\\.log");

  /** What the directory held at start: the valid records of every segment, oldest first, and those segments. */
  record Found(List<Envelope> records, List<Path> files) {}

  private final Path dir;
  private final List<Path> sealed = new ArrayList<>();
  private FileChannel channel;
  private Path current;
  private long nextSequence;
  private boolean broken;

  JournalSegments(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates the directory (owner-only; group and other permissions on what is there are taken away) and
   * reads what it holds; new segments are numbered after the highest found.
   */
  Found readAll() throws IOException {
    DataFiles.createDirectory(dir);
    DataFiles.restrict(dir);
    DataFiles.restrictFiles(dir, name -> NAME.matcher(name).matches());
    List<Envelope> records = new ArrayList<>();
    List<Path> files = list();
    for (Path segment : files) {
      long valid = readValidPrefix(segment, records);
      long size = Files.size(segment);
      if (valid < size) {
        LOG.warn("Journal segment {}: ignoring {} bytes of an incomplete or corrupt record at offset {}"
            + " (a write cut short by a crash; it was never acknowledged)", segment.getFileName(), size - valid, valid);
      }
      nextSequence = Math.max(nextSequence, sequence(segment) + 1);
    }
    return new Found(records, files);
  }

  /** Adds the records of one segment's valid prefix to {@code into}; returns the prefix's length in bytes. */
  static long readValidPrefix(Path segment, List<Envelope> into) throws IOException {
    long valid = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(segment), 1 << 16)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream(256);
      int b;
      while ((b = in.read()) >= 0) {
        if (b != JournalRecord.END) {
          line.write(b);
          continue;
        }
        Optional<Envelope> e = JournalRecord.decode(line.toByteArray());
        if (e.isEmpty()) {
          return valid;
        }
        into.add(e.get());
        valid += line.size() + 1;
        line.reset();
      }
    }
    return valid; // a last record without its newline was never completely written
  }

  /** The segment files in the directory, oldest first. */
  List<Path> list() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
    }
  }

  /** Opens a new segment for appends. */
  void start() throws IOException {
    current = dir.resolve(String.format("segment-%012d.log", nextSequence++));
    channel = FileChannel.open(current, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        DataFiles.ownerOnlyFile(dir));
  }

  /** Whether a segment is open for appends (not before start, not after close). */
  boolean isOpen() {
    return channel != null;
  }

  /** Whether a failed write could not be taken back: the open segment must not be appended to. */
  boolean isBroken() {
    return broken;
  }

  /**
   * Appends {@code bytes} to the open segment with one {@code write} (forced to the device with
   * {@code fsync}). When that fails, the partial write is cut off so that later records stay readable;
   * when that fails too, the segment is {@link #isBroken() broken}.
   */
  void write(ByteBuffer bytes, boolean fsync) throws IOException {
    long start = channel.position();
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      if (fsync) {
        channel.force(false);
      }
    } catch (IOException e) {
      try {
        channel.truncate(start);
        channel.position(start);
      } catch (IOException again) {
        broken = true;
        LOG.error("Journal {} is unusable after a failed write; refusing messages until restart", current, again);
      }
      throw e;
    }
  }

  /** Seals the open segment and opens a new one for later appends. */
  void seal() throws IOException {
    if (channel != null) {
      closeChannel();
      sealed.add(current);
      start();
    }
  }

  /** The sealed segments not deleted yet, oldest first. */
  List<Path> sealed() {
    return List.copyOf(sealed);
  }

  /** Deletes segments whose records are all in the table. */
  void delete(List<Path> segments) throws IOException {
    for (Path segment : segments) {
      Files.deleteIfExists(segment);
      sealed.remove(segment);
    }
  }

  /**
   * Closes the open segment, and deletes it when {@code empty} (everything is in the table); the sealed
   * segments stay for the replay at the next start.
   */
  void close(boolean empty) throws IOException {
    closeChannel();
    if (empty && current != null) {
      Files.deleteIfExists(current);
    }
  }

  private void closeChannel() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private static long sequence(Path segment) {
    Matcher m = NAME.matcher(segment.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : 0;
  }
}
