package dev.vertxchat.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * One fan-out frame, encoded once for all the sockets it goes to: the text, and (on first use) its
 * UTF-8 bytes in a buffer that raw WebSocket connections share without copying.
 */
final class SharedFrame {
  final String text;
  private ByteBuf utf8;

  SharedFrame(String text) {
    this.text = text;
  }

  /** A new reference to the shared bytes; whoever gets it releases it (Netty does, once written). */
  ByteBuf utf8() {
    if (utf8 == null) {
      utf8 = ByteBufUtil.writeUtf8(PooledByteBufAllocator.DEFAULT, text);
    }
    return utf8.retainedDuplicate();
  }

  /** Drops this frame's own reference once every socket has been given its copy. */
  void release() {
    if (utf8 != null) {
      utf8.release();
      utf8 = null;
    }
  }
}
