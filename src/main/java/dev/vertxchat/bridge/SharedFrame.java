package dev.vertxchat.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * One fan-out frame, encoded once for all the sockets it goes to: the text, and (on first use) the
 * complete WebSocket text frame, header included, that raw WebSocket connections share without copying.
 * A server's frames are never masked, so the same bytes are a valid frame on every connection. Payloads
 * over 64 KiB are split into continuation frames, as Vert.x does.
 */
final class SharedFrame {
  private static final int FIN = 0x80;
  private static final int TEXT = 0x1;
  private static final int CONTINUATION = 0x0;
  private static final int MAX_FRAGMENT = 65536;
  final String text;
  private ByteBuf wire;

  SharedFrame(String text) {
    this.text = text;
  }

  /** A new reference to the shared frame bytes; whoever gets it releases it (Netty does, once written). */
  ByteBuf webSocketFrame() {
    if (wire == null) {
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
      wire = buf;
    }
    return wire.retainedDuplicate();
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
    if (wire != null) {
      wire.release();
      wire = null;
    }
  }
}
