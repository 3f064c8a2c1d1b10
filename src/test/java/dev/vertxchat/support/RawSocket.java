package dev.vertxchat.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A plain TCP client for attacks no well-behaved client library makes: half-sent headers, silence,
 * WebSocket frames written by hand without ever reading. Loopback only; every loop is bounded.
 */
public final class RawSocket implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  private RawSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  public static RawSocket open(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new RawSocket(s);
  }

  public void send(String ascii) throws IOException {
    out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads what the server sends until it closes or {@code timeoutMs} pass; null when still open. */
  public String readUntilClosed(long timeoutMs) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.currentTimeMillis() + timeoutMs;
    byte[] buf = new byte[8192];
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) left);
      try {
        int n = in.read(buf);
        if (n < 0) {
          return got.toString(StandardCharsets.ISO_8859_1);
        }
        got.write(buf, 0, n);
      } catch (SocketTimeoutException e) {
        return null;
      } catch (IOException reset) {
        return got.toString(StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** Performs a WebSocket handshake on {@code uri}; returns the response head (status line and headers). */
  public String upgrade(String uri) throws IOException {
    return upgrade(uri, "");
  }

  /** The same, with extra header lines (each ending in CRLF), e.g. a WebSocket extension offer. */
  public String upgrade(String uri, String extraHeaders) throws IOException {
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    send("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n");
    socket.setSoTimeout(10_000);
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Writes masked WebSocket ping frames (125-byte payloads) and never reads, until the server closes
   * the connection, {@code maxBytes} are written or {@code maxMillis} pass.
   *
   * @return the number of bytes written before the connection failed or a bound was reached
   */
  public long pingFlood(long maxBytes, long maxMillis) {
    byte[] frame = new byte[2 + 4 + 125];
    frame[0] = (byte) 0x89; // FIN + ping
    frame[1] = (byte) (0x80 | 125); // masked, 125 bytes
    // mask 0 leaves the payload as it is
    byte[] batch = new byte[frame.length * 64];
    for (int i = 0; i < 64; i++) {
      System.arraycopy(frame, 0, batch, i * frame.length, frame.length);
    }
    long written = 0;
    long deadline = System.currentTimeMillis() + maxMillis;
    try {
      while (written < maxBytes && System.currentTimeMillis() < deadline) {
        out.write(batch);
        written += batch.length;
      }
      out.flush();
    } catch (IOException closedByServer) {
      return written;
    }
    return written;
  }

  /** Writes one masked (mask 0) WebSocket frame with the given first byte (FIN, RSV bits, opcode). */
  public void frame(int firstByte, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(firstByte);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xff);
    } else {
      f.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
      }
    }
    f.write(new byte[4]); // mask 0: the payload goes as it is
    f.write(payload);
    out.write(f.toByteArray());
    out.flush();
  }

  /** Reads until the server closes and returns the status code of the first close frame it sent, or -1. */
  public int closeStatus(long timeoutMs) throws IOException {
    String got = readUntilClosed(timeoutMs);
    if (got == null) {
      throw new AssertionError("the server did not close the connection within " + timeoutMs + " ms");
    }
    byte[] b = got.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i + 3 < b.length; i++) {
      if ((b[i] & 0xff) == 0x88 && (b[i + 1] & 0x7f) >= 2 && (b[i + 1] & 0x7f) < 126) {
        return ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
      }
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
