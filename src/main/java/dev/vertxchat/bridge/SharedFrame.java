package dev.vertxchat.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * One bridge frame, encoded once for all the sockets it goes to: the text, its SockJS message frame
 * ({@code a["..."]}), and (on first use) the complete WebSocket text frame, header included, for each
 * of the two framings, which WebSocket connections share without copying. A server's frames are never
 * masked, so the same bytes are a valid frame on every connection.
 *
 * <p>The fragmentation rule, for every frame the server writes on a WebSocket: a message whose UTF-8
 * payload is over 64 KiB ({@value #MAX_FRAGMENT} bytes) is split into fragments of at most 64 KiB (a
 * text frame and continuation frames), the frame size that WebSocket clients accept by default.
 */
final class SharedFrame {
  private static final int FIN = 0x80;
  private static final int TEXT = 0x1;
  private static final int CONTINUATION = 0x0;
  static final int MAX_FRAGMENT = 65536;
  final String text;
  private String quoted;
  private String sockJsText;
  private ByteBuf raw;
  private ByteBuf sockJs;

  SharedFrame(String text) {
    this.text = text;
  }

  /** The frame as a JSON string, the element of a SockJS message frame. */
  String quoted() {
    if (quoted == null) {
      quoted = SockJs.quote(text);
    }
    return quoted;
  }

  /** The SockJS message frame carrying this frame. */
  String sockJsText() {
    if (sockJsText == null) {
      sockJsText = "a[" + quoted() + "]";
    }
    return sockJsText;
  }

  /**
   * A new reference to the shared WebSocket frame bytes, of the bridge frame itself or of its SockJS
   * message frame; whoever gets it releases it (Netty does, once written).
   */
  ByteBuf webSocketFrame(boolean sockJsFraming) {
    if (sockJsFraming) {
      if (sockJs == null) {
        sockJs = encode(sockJsText());
      }
      return sockJs.retainedDuplicate();
    }
    if (raw == null) {
      raw = encode(text);
    }
    return raw.retainedDuplicate();
  }

  /** The complete WebSocket frame(s) of one text message, fragmented by the rule above. */
  static ByteBuf encode(String text) {
    int length = ByteBufUtil.utf8Bytes(text);
    int fragments = Math.max(1, (length + MAX_FRAGMENT - 1) / MAX_FRAGMENT);
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(length + 10 * fragments);
    if (fragments == 1) {
      header(buf, FIN | TEXT, length);
      ByteBufUtil.reserveAndWriteUtf8(buf, text, length);
    } else {
      // like Vert.x's own writeTextMessage: fragments of at most 64 KiB, the size clients accept by default
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      for (int offset = 0; offset < bytes.length; offset += MAX_FRAGMENT) {
        int n = Math.min(MAX_FRAGMENT, bytes.length - offset);
        header(buf, (offset + n == bytes.length ? FIN : 0) | (offset == 0 ? TEXT : CONTINUATION), n);
        buf.writeBytes(bytes, offset, n);
      }
    }
    return buf;
  }

  private static void header(ByteBuf buf, int first, int length) {
    buf.writeByte(first);
    if (length <= 125) {
      buf.writeByte(length);
    } else if (length <= 0xFFFF) {
      buf.writeByte(126).writeShort(length);
    } else {
      buf.writeByte(127).writeLong(length);
    }
  }

  /** Drops this frame's own reference once every socket has been given its copy. */
  void release() {
    if (raw != null) {
      raw.release();
      raw = null;
    }
    if (sockJs != null) {
      sockJs.release();
      sockJs = null;
    }
  }
}
