package dev.vertxchat.http;

import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * TLS on the service's own port ({@code http.tls.certFile} and {@code http.tls.keyFile}): the
 * certificate and key, read once per service and checked (the chain parses, the key is usable and
 * belongs to the first certificate), the HTTP servers' TLS settings (TLS 1.2 and 1.3, forward-secret
 * AEAD cipher suites only, ALPN {@code h2} and {@code http/1.1}), and reloading without a restart: every
 * {@code http.tls.reloadCheckMs} the files' modification time and size are compared, and on a change
 * (or {@link #reload()}, on SIGHUP) the new pair is checked and given to every registered server with
 * {@link HttpServer#updateSSLOptions}. Open connections keep the certificate they began with. A pair
 * that fails the checks is logged and the old one stays. File reads and checks run on a worker thread.
 */
public final class Tls {
  private static final Logger LOG = LoggerFactory.getLogger(Tls.class);
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  /**
   * The cipher suites offered, by the JDK's names: TLS 1.3's own three, and for TLS 1.2 only ECDHE
   * (forward secrecy) with an AEAD cipher (AES-GCM, ChaCha20-Poly1305), for RSA and ECDSA certificates.
   * None is on RFC 7540's HTTP/2 blocklist (appendix A), which holds every TLS 1.2 suite without
   * ephemeral key exchange or with a CBC/stream cipher. In this order of preference; set at start and
   * at every reload.
   */
  static final List<String> CIPHER_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** A checked certificate and key, as the servers get them. */
  record Material(Buffer cert, Buffer key, X509Certificate leaf, Stamp stamp) {
    String describe() {
      return "subject " + leaf.getSubjectX500Principal().getName() + ", expires " + leaf.getNotAfter().toInstant();
    }
  }

  /** What the files looked like: a change of either means "read them again". */
  record Stamp(long certModified, long certSize, long keyModified, long keySize) {}

  private final Vertx vertx;
  private final ChatConfig config;
  private final Set<HttpServer> servers = ConcurrentHashMap.newKeySet();
  private volatile Material current;
  /** The stamp of files that failed the checks: not read again until they change. */
  private volatile Stamp rejected;
  private Future<Boolean> reloading = Future.succeededFuture(false); // guarded by this
  private long timer = -1;

  private Tls(Vertx vertx, ChatConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /**
   * Reads and checks the configured pair (failing with a {@link ConfigException} naming the key), logs
   * its subject and expiry, and starts watching the files; null without TLS.
   */
  public static Future<Tls> open(Vertx vertx, ChatConfig config) {
    if (!config.tls()) {
      return Future.succeededFuture();
    }
    Tls tls = new Tls(vertx, config);
    return vertx.executeBlocking(tls::read, false).map(material -> {
      tls.current = material;
      LOG.info("TLS on the HTTP port: certificate {} ({})", material.describe(), config.tlsCertFile());
      if (config.tlsReloadCheckMs() > 0) {
        tls.timer = vertx.setPeriodic(config.tlsReloadCheckMs(), id -> tls.reloadIfChanged());
      }
      return tls;
    });
  }

  /** Sets TLS, the protocols, ALPN and the current certificate on a server's options. */
  HttpServerOptions configure(HttpServerOptions options) {
    Material m = current;
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options.setSsl(true)
        .setKeyCertOptions(keyCert(m))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setSslHandshakeTimeout(config.headerTimeoutMs())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /** A listening server gets every later certificate; the one it was made with may already be old. */
  void register(HttpServer server) {
    servers.add(server);
    server.updateSSLOptions(sslOptions(current));
  }

  void unregister(HttpServer server) {
    servers.remove(server);
  }

  /** The certificate being served. */
  public X509Certificate certificate() {
    return current.leaf();
  }

  /**
   * Reads the files again now (SIGHUP) and, when they hold another valid pair, serves it; completes
   * with whether the certificate changed. A bad pair is logged and the old one kept (the future still
   * succeeds, with false).
   */
  public Future<Boolean> reload() {
    return chain(true);
  }

  private void reloadIfChanged() {
    chain(false);
  }

  private synchronized Future<Boolean> chain(boolean always) {
    reloading = reloading.transform(ar -> attempt(always));
    return reloading;
  }

  private Future<Boolean> attempt(boolean always) {
    Material old = current;
    return vertx.executeBlocking(() -> {
      Stamp stamp = stamp();
      if (!always && (stamp.equals(old.stamp()) || stamp.equals(rejected))) {
        return null;
      }
      try {
        Material read = read();
        rejected = null;
        return read;
      } catch (ConfigException e) {
        rejected = stamp;
        throw e;
      }
    }, false).compose(read -> {
      if (read == null) {
        return Future.succeededFuture(false);
      }
      if (read.cert().equals(old.cert()) && read.key().equals(old.key())) {
        current = read; // same pair, new stamp (touched or rewritten unchanged)
        return Future.succeededFuture(false);
      }
      return apply(read).map(true);
    }).recover(err -> {
      String why = err instanceof ConfigException c ? c.key() + ": " + c.problem() : String.valueOf(err);
      LOG.error("TLS certificate not reloaded, still serving {}: {}", old.describe(), why);
      return Future.succeededFuture(false);
    });
  }

  private Future<Void> apply(Material read) {
    ServerSSLOptions options = sslOptions(read);
    List<Future<Boolean>> updates = new ArrayList<>();
    for (HttpServer server : servers) {
      updates.add(server.updateSSLOptions(options));
    }
    return Future.all(updates).map(v -> {
      current = read;
      LOG.info("TLS certificate reloaded: {}", read.describe());
      return null;
    });
  }

  /** Stops watching the files. */
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private ServerSSLOptions sslOptions(Material m) {
    ServerSSLOptions options = new ServerSSLOptions();
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return options.setKeyCertOptions(keyCert(m))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(true)
        .setSslHandshakeTimeout(config.headerTimeoutMs())
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  private static PemKeyCertOptions keyCert(Material m) {
    return new PemKeyCertOptions().setCertValue(m.cert()).setKeyValue(m.key());
  }

  private Stamp stamp() throws IOException {
    BasicFileAttributes cert = Files.readAttributes(Path.of(config.tlsCertFile()), BasicFileAttributes.class);
    BasicFileAttributes key = Files.readAttributes(Path.of(config.tlsKeyFile()), BasicFileAttributes.class);
    return new Stamp(cert.lastModifiedTime().toMillis(), cert.size(), key.lastModifiedTime().toMillis(), key.size());
  }

  /** Reads and checks the pair; blocking. */
  private Material read() {
    Stamp stamp;
    byte[] certBytes;
    byte[] keyBytes;
    try {
      // the stamp first: a file changed while it is read is read again at the next check
      stamp = stamp();
      certBytes = Files.readAllBytes(Path.of(config.tlsCertFile()));
    } catch (IOException e) {
      throw new ConfigException(ConfigKeys.HTTP_TLS_CERT_FILE, "cannot read " + config.tlsCertFile() + ": " + e);
    }
    try {
      keyBytes = Files.readAllBytes(Path.of(config.tlsKeyFile()));
    } catch (IOException e) {
      throw new ConfigException(ConfigKeys.HTTP_TLS_KEY_FILE, "cannot read " + config.tlsKeyFile() + ": " + e);
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(certBytes));
      certs.forEach(c -> chain.add((X509Certificate) c));
    } catch (Exception e) {
      throw new ConfigException(ConfigKeys.HTTP_TLS_CERT_FILE, config.tlsCertFile() + " is not a PEM certificate (chain): " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw new ConfigException(ConfigKeys.HTTP_TLS_CERT_FILE, "no certificate in " + config.tlsCertFile());
    }
    Buffer cert = Buffer.buffer(certBytes);
    Buffer key = Buffer.buffer(keyBytes);
    checkKey(new PemKeyCertOptions().setCertValue(cert).setKeyValue(key), chain.get(0));
    return new Material(cert, key, chain.get(0), stamp);
  }

  /** The key parses (PKCS#8 or PKCS#1) and signs what the certificate's public key verifies. */
  private void checkKey(PemKeyCertOptions options, X509Certificate leaf) {
    PrivateKey privateKey = null;
    try {
      KeyStore store = options.loadKeyStore(vertx);
      String alias = store.aliases().nextElement();
      for (KeyManager km : options.getKeyManagerFactory(vertx).getKeyManagers()) {
        if (km instanceof X509KeyManager x509) {
          privateKey = x509.getPrivateKey(alias);
        }
      }
    } catch (Exception e) {
      throw new ConfigException(ConfigKeys.HTTP_TLS_KEY_FILE, config.tlsKeyFile()
          + " is not a PEM private key (PKCS#8 or PKCS#1) for " + config.tlsCertFile() + ": " + e.getMessage());
    }
    String algorithm = privateKey == null ? null : switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return; // a key type this check does not know: the TLS handshake will tell
    }
    try {
      byte[] probe = "vertx-chat key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new ConfigException(ConfigKeys.HTTP_TLS_KEY_FILE, config.tlsKeyFile() + " is not the key of the certificate in "
            + config.tlsCertFile());
      }
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      throw new ConfigException(ConfigKeys.HTTP_TLS_KEY_FILE, config.tlsKeyFile() + " is not the key of the certificate in "
          + config.tlsCertFile() + ": " + e.getMessage());
    }
  }
}
