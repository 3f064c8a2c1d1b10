package dev.vertxchat.bridge;

import io.netty.buffer.ByteBuf;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One bridge frame encoded once for every socket (no server): its text, its JSON-quoted form, its SockJS
 * message frame, and its WebSocket frame bytes as a client reads them, split into fragments of at most
 * 64 KiB at exactly the boundaries of the rule.
 */
class SharedFrameTest {
  /** One WebSocket frame as a client parses it. */
  record Frame(boolean fin, int opcode, boolean masked, int lengthBytes, byte[] payload) {}

  /** Parses every frame in the buffer (without consuming it), checking each header is well-formed. */
  static List<Frame> parse(ByteBuf buf) {
    List<Frame> frames = new ArrayList<>();
    int i = buf.readerIndex();
    while (i < buf.writerIndex()) {
      int first = buf.getUnsignedByte(i);
      int second = buf.getUnsignedByte(i + 1);
      assertEquals(0, first & 0x70, "no extension bits");
      int len7 = second & 0x7F;
      long length;
      int lengthBytes;
      if (len7 <= 125) {
        length = len7;
        lengthBytes = 0;
      } else if (len7 == 126) {
        length = buf.getUnsignedShort(i + 2);
        lengthBytes = 2;
        assertTrue(length > 125, "16-bit length only above 125: " + length);
      } else {
        length = buf.getLong(i + 2);
        lengthBytes = 8;
        assertTrue(length > 0xFFFF, "64-bit length only above 65535: " + length);
      }
      int start = i + 2 + lengthBytes;
      byte[] payload = new byte[(int) length];
      buf.getBytes(start, payload);
      frames.add(new Frame((first & 0x80) != 0, first & 0x0F, (second & 0x80) != 0, lengthBytes, payload));
      i = start + (int) length;
    }
    assertEquals(buf.writerIndex(), i, "the frames end where the buffer does");
    return frames;
  }

  /** The message a client reassembles: a text frame, continuations, the last with FIN; never masked. */
  static String message(List<Frame> frames) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int n = 0; n < frames.size(); n++) {
      Frame f = frames.get(n);
      assertEquals(n == 0 ? 0x1 : 0x0, f.opcode(), "frame " + n + ": text first, continuations after");
      assertEquals(n == frames.size() - 1, f.fin(), "frame " + n + ": FIN on the last fragment only");
      assertFalse(f.masked(), "a server's frames are never masked");
      bytes.writeBytes(f.payload());
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** A bridge message frame as the fan-out sends one. */
  private static String frameText(String text) {
    return new JsonObject().put("type", "rec").put("address", "chat.room.general")
        .put("body", new JsonObject().put("type", "chat").put("text", text)).encode();
  }

  @Test
  void theTextTheQuotedFormAndTheSockJsFrameAreTheSameMessage() {
    String text = frameText("say \"hi\" \\ and\nnew line, é€😀, \u2028 and a \u0007 bell");
    SharedFrame frame = new SharedFrame(text);
    assertEquals(text, frame.text);
    String quoted = frame.quoted();
    assertTrue(quoted.startsWith("\"") && quoted.endsWith("\""), quoted);
    assertEquals(text, new JsonArray("[" + quoted + "]").getString(0), "the quoted form is a JSON string of the text");
    assertSame(quoted, frame.quoted(), "quoted once");
    String sockJs = frame.sockJsText();
    assertEquals("a[" + quoted + "]", sockJs);
    assertEquals(List.of(text), SockJs.decode(sockJs.substring(1)), "a SockJS client reads the same text");
    assertSame(sockJs, frame.sockJsText(), "built once");
  }

  @Test
  void bothWebSocketFramingsCarryTheirMessageAndAreSharedNotReEncoded() {
    String text = frameText("hello");
    SharedFrame frame = new SharedFrame(text);
    ByteBuf raw1 = frame.webSocketFrame(false);
    ByteBuf raw2 = frame.webSocketFrame(false);
    ByteBuf sockJs = frame.webSocketFrame(true);
    try {
      assertEquals(text, message(parse(raw1)));
      assertEquals(frame.sockJsText(), message(parse(sockJs)));
      assertEquals(raw1, raw2, "every socket gets the same bytes");
      assertSame(raw1.unwrap(), raw2.unwrap(), "views of one encoding, not a second one");
      assertEquals(0, raw2.readerIndex(), "each view reads from the start");
      raw1.skipBytes(3);
      assertEquals(0, raw2.readerIndex(), "and has its own reader index");
    } finally {
      raw1.release();
      raw2.release();
      sockJs.release();
    }
  }

  @Test
  void eachSocketsReferenceOutlivesTheFramesOwnAndTheLastReleaseFreesTheBytes() {
    SharedFrame frame = new SharedFrame(frameText("shared"));
    ByteBuf given = frame.webSocketFrame(false);
    ByteBuf shared = given.unwrap();
    frame.release();
    assertEquals(1, given.refCnt(), "still held by the socket it was given to");
    assertEquals(frameText("shared"), message(parse(given)));
    given.release();
    assertEquals(0, shared.refCnt(), "released by the last holder");
    frame.release(); // releasing twice is harmless
  }

  /**
   * UTF-8 payload sizes around every boundary of the rule: the 7-bit length (up to 125), the 16-bit
   * length (up to 65,535), the largest single frame (65,536 bytes, a 64-bit length) and the fragments
   * after it. Every fragment holds at most 64 KiB, all but the last exactly that.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 65_535, 65_536, 65_537, 131_072, 131_073, 200_000})
  void payloadsAreFramedAndFragmentedAtTheRulesBoundaries(int size) {
    String text = "x".repeat(size);
    ByteBuf buf = SharedFrame.encode(text);
    try {
      List<Frame> frames = parse(buf);
      assertEquals(text, message(frames));
      int expectedFragments = Math.max(1, (size + SharedFrame.MAX_FRAGMENT - 1) / SharedFrame.MAX_FRAGMENT);
      assertEquals(expectedFragments, frames.size(), "fragments of " + size + " bytes");
      for (int n = 0; n < frames.size(); n++) {
        int length = frames.get(n).payload().length;
        assertTrue(length <= 65_536, "fragment " + n + " holds " + length + " bytes");
        if (n < frames.size() - 1) {
          assertEquals(65_536, length, "every fragment but the last is full");
        }
        assertEquals(length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8, frames.get(n).lengthBytes(), "the shortest length encoding");
      }
    } finally {
      buf.release();
    }
  }

  /** The size counts UTF-8 bytes, not characters; a character may be split between fragments (clients reassemble first). */
  @Test
  void multiByteTextIsMeasuredInBytesAndSplitAnywhere() {
    String text = "€".repeat(30_000) + "😀".repeat(3); // 90,000 + 12 bytes: a 3-byte character crosses the 65,536 boundary
    assertEquals(90_012, text.getBytes(StandardCharsets.UTF_8).length);
    ByteBuf buf = SharedFrame.encode(text);
    try {
      List<Frame> frames = parse(buf);
      assertEquals(2, frames.size());
      assertEquals(65_536, frames.get(0).payload().length);
      assertEquals(90_012 - 65_536, frames.get(1).payload().length);
      assertEquals(text, message(frames));
    } finally {
      buf.release();
    }
    ByteBuf small = SharedFrame.encode("é€😀");
    try {
      List<Frame> one = parse(small);
      assertEquals(1, one.size());
      assertEquals(9, one.get(0).payload().length, "2 + 3 + 4 bytes");
      assertEquals("é€😀", message(one));
    } finally {
      small.release();
    }
  }
}
