package dev.vertxchat.support;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Self-signed certificates for TLS tests, made by the {@code openssl} command (Java 17 has no public API
 * that makes a certificate, and Netty's self-signed generator needs BouncyCastle or JDK internals the
 * module system closes). A test that needs one is skipped where {@code openssl} is missing.
 */
public final class Certificates {
  /** A PEM certificate and its key. */
  public record Pair(Path cert, Path key) {}

  private Certificates() {}

  /** {@code openssl} can be run. */
  public static boolean opensslAvailable() {
    try {
      return run(List.of("openssl", "version"), null).exitCode == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A self-signed RSA certificate for {@code CN=<commonName>} (subjectAltName 127.0.0.1 and localhost),
   * valid two days, written to {@code <dir>/<commonName>-cert.pem} and {@code -key.pem}; the key in
   * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) when {@code pkcs1}, else PKCS#8.
   */
  public static Pair selfSigned(Path dir, String commonName, boolean pkcs1) throws IOException {
    Tools.require(opensslAvailable(), "openssl is not installed (apt-get install -y openssl)");
    Path cert = dir.resolve(commonName + "-cert.pem");
    Path key = dir.resolve(commonName + "-key.pem");
    Result made = run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=" + commonName, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key.toString(), "-out", cert.toString()), null);
    assertEquals(0, made.exitCode, made.output);
    if (pkcs1) {
      Result converted = run(List.of("openssl", "rsa", "-in", key.toString(), "-traditional", "-out", key.toString()), null);
      assertEquals(0, converted.exitCode, converted.output);
      assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    }
    return new Pair(cert, key);
  }

  /** What a command printed (stdout and stderr) and how it ended. */
  public record Result(int exitCode, String output) {}

  /** Runs a command (30 s at most) with {@code input} on its stdin (none when null). */
  public static Result run(List<String> command, String input) throws IOException {
    Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    try {
      if (input != null) {
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command + " did not end within 30 s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }

  /** The certificate a new TLS connection to {@code port} is served. */
  public static X509Certificate peerCertificate(int port) throws Exception {
    try (SSLSocket socket = handshake(port)) {
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /** A TLS connection to the service that trusts any certificate, handshake done. */
  public static SSLSocket handshake(int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) { }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }
}
