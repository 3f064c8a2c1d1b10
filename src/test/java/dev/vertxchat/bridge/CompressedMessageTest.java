package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.RawSocket;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * permessage-deflate (which browsers offer) cannot be used to make the server inflate more than the
 * largest message allowed: a small compressed frame that inflates past {@code limits.maxFrameBytes}
 * closes the connection with 1009, on the raw endpoint and on SockJS's WebSocket transport.
 */
class CompressedMessageTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  /** 20 MB of zeros, deflated without zlib header and without the final empty block's tail (RFC 7692). */
  static byte[] bomb() {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[1 << 20];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    for (int i = 0; i < 20; i++) {
      deflater.setInput(zeros);
      while (!deflater.needsInput()) {
        out.write(buf, 0, deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
      }
    }
    int n;
    while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buf, 0, n);
    }
    deflater.end();
    byte[] all = out.toByteArray();
    byte[] trimmed = new byte[all.length - 4]; // drop 00 00 ff ff
    System.arraycopy(all, 0, trimmed, 0, trimmed.length);
    return trimmed;
  }

  @ParameterizedTest(name = "sockJs={0}")
  @ValueSource(booleans = {false, true})
  void aMessageThatInflatesPastTheLimitCloses1009(boolean sockJs, Http http) throws Exception {
    String token = http.guestToken("deflater");
    byte[] bomb = bomb();
    assertTrue(bomb.length < 65_536, "the bomb fits in one frame: " + bomb.length);
    String uri = (sockJs ? "/eventbus/000/deflate/websocket" : "/eventbus/websocket") + "?token=" + token;
    for (int round = 0; round < 3; round++) {
      try (RawSocket socket = RawSocket.open(service.port())) {
        String head = socket.upgrade(uri, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        assertTrue(head.startsWith("HTTP/1.1 101") && head.toLowerCase().contains("permessage-deflate"), head);
        socket.frame(0xC1, bomb); // FIN, RSV1 (compressed), text
        assertEquals(CloseCodes.TOO_BIG, socket.closeStatus(10_000));
      }
    }
    assertEquals(200, http.get("/health", null).statusCode());
  }
}
