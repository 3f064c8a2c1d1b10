package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.Certificates;
import dev.vertxchat.support.ChatService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/** HTTPS and wss:// on the service's own port: the bridge, REST, HTTP/2 by ALPN, HSTS, protocols, guards, reload. */
class TlsTest {
  @RegisterExtension
  final ChatService service = new ChatService();
  @TempDir
  Path tmp;
  private Certificates.Pair first;
  private Path certFile;
  private Path keyFile;

  @BeforeEach
  void certificate() throws IOException {
    first = Certificates.selfSigned(tmp, "first", false);
    certFile = tmp.resolve("cert.pem");
    keyFile = tmp.resolve("key.pem");
    Files.copy(first.cert(), certFile);
    Files.copy(first.key(), keyFile);
  }

  private JsonObject tls(JsonObject more) {
    JsonObject tls = new JsonObject().put("certFile", certFile.toString()).put("keyFile", keyFile.toString());
    return new JsonObject().put("http", new JsonObject().put("tls", tls).mergeIn(more, true));
  }

  private WebClient https() {
    WebClient client = WebClient.create(service.vertx(), new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    service.closeAfter(client::close);
    return client;
  }

  private JsonObject guest(WebClient client, String name) {
    HttpResponse<Buffer> res = await(client.post("/api/auth/guest").sendJsonObject(new JsonObject().put("name", name)));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private BridgeClient connect(String token, Transport transport) {
    return service.closeAfter(BridgeClient.connectTls(service.vertx(), service.port(), token, transport));
  }

  @ParameterizedTest(name = "webSocketFastPath={0}")
  @ValueSource(booleans = {true, false})
  void theBridgeWorksOverWssAndSockJsOverHttpsAndRestOverHttps(boolean fastPath) {
    service.start(tls(new JsonObject().put("webSocketFastPath", fastPath)));
    WebClient client = https();
    JsonObject sender = guest(client, "sender");
    List<Transport> transports = List.of(Transport.RAW, Transport.SOCKJS_WEBSOCKET, Transport.XHR_STREAMING);
    BridgeClient[] receivers = new BridgeClient[transports.size()];
    for (int i = 0; i < receivers.length; i++) {
      JsonObject session = guest(client, "reader" + i);
      receivers[i] = connect(session.getString("token"), transports.get(i));
      receivers[i].join("general", session.getJsonObject("user").getString("id"));
    }
    BridgeClient raw = connect(sender.getString("token"), Transport.RAW);
    raw.join("general", sender.getJsonObject("user").getString("id"));
    JsonObject reply = raw.request("chat.send", new JsonObject().put("room", "general").put("text", "over tls"));
    assertEquals("message", reply.getString("type"), reply.encode());
    for (int i = 0; i < receivers.length; i++) {
      JsonObject got = body(receivers[i].awaitFrame(f -> "over tls".equals(body(f).getString("text"))));
      assertEquals(sender.getJsonObject("user").getString("id"), got.getJsonObject("user").getString("id"), transports.get(i).name());
    }
    HttpResponse<Buffer> history = await(client.get("/api/rooms/general/messages")
        .putHeader("Authorization", "Bearer " + sender.getString("token")).send());
    assertEquals(200, history.statusCode(), history.bodyAsString());
    assertTrue(history.bodyAsString().contains("over tls"), history.bodyAsString());
  }

  @Test
  void restAndPagesSpeakHttp2ByAlpnWithHsts() {
    service.start(tls(new JsonObject()));
    HttpClient h2 = service.vertx().createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2).setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    service.closeAfter(h2::close);
    for (String path : List.of("/api/rooms", "/", "/health/ready")) {
      HttpClientResponse res = await(h2.request(HttpMethod.GET, path).compose(req -> req.send())
          .compose(r -> r.body().map(b -> r)));
      assertEquals(HttpVersion.HTTP_2, res.version(), path);
      assertEquals(path.equals("/api/rooms") ? 401 : 200, res.statusCode(), path);
      assertEquals("max-age=31536000", res.getHeader("Strict-Transport-Security"), path);
    }
    // SockJS's XHR transports over HTTP/2, as a browser sends its XHRs on the page's h2 connection
    WebClient client = https();
    JsonObject sender = guest(client, "sender");
    BridgeClient raw = connect(sender.getString("token"), Transport.RAW);
    raw.join("general", sender.getJsonObject("user").getString("id"));
    for (Transport t : List.of(Transport.XHR_STREAMING, Transport.XHR_POLLING)) {
      JsonObject reader = guest(client, "h2-" + t.ordinal());
      BridgeClient xhr = service.closeAfter(BridgeClient.connectHttp2(service.vertx(), service.port(), reader.getString("token"), t));
      xhr.join("general", reader.getJsonObject("user").getString("id"));
      JsonObject reply = raw.request("chat.send", new JsonObject().put("room", "general").put("text", "h2 " + t));
      assertEquals("message", reply.getString("type"), reply.encode());
      xhr.awaitFrame(f -> ("h2 " + t).equals(body(f).getString("text")));
      JsonObject own = xhr.request("chat.send", new JsonObject().put("room", "general").put("text", "from " + t));
      assertEquals("message", own.getString("type"), own.encode());
    }

    HttpResponse<Buffer> http11 = await(client.get("/").send());
    assertEquals(HttpVersion.HTTP_1_1, http11.version());
    assertEquals("max-age=31536000", http11.getHeader("Strict-Transport-Security"));
  }

  @Test
  void noHstsWithoutTls() {
    HttpResponse<Buffer> plain = service.http().get("/", null);
    assertEquals(200, plain.statusCode());
    assertNull(plain.getHeader("Strict-Transport-Security"));
  }

  @Test
  void hstsZeroSendsNoHeader() {
    service.start(tls(new JsonObject().put("tls", new JsonObject().put("hstsMaxAgeSeconds", 0))));
    HttpResponse<Buffer> res = await(https().get("/").send());
    assertEquals(200, res.statusCode());
    assertNull(res.getHeader("Strict-Transport-Security"));
  }

  @Test
  void tls12And13AreServedAndTls11IsRefused() throws IOException {
    service.start(tls(new JsonObject().put("tls", new JsonObject().put("hstsMaxAgeSeconds", 60))));
    String target = "127.0.0.1:" + service.port();
    for (String version : List.of("-tls1_2", "-tls1_3")) {
      Certificates.Result ok = Certificates.run(List.of("openssl", "s_client", "-connect", target, version), "Q\n");
      assertTrue(ok.output().contains("BEGIN CERTIFICATE") && ok.output().contains("CN = first"), version + ": " + ok.output());
    }
    Certificates.Result old = Certificates.run(List.of("openssl", "s_client", "-connect", target, "-tls1_1",
        "-cipher", "DEFAULT@SECLEVEL=0"), "Q\n");
    assertNotEquals(0, old.exitCode(), old.output());
    assertFalse(old.output().contains("BEGIN CERTIFICATE"), "a TLS 1.1 handshake completed: " + old.output());
    assertFalse(old.output().contains("no protocols available"),
        "this openssl cannot offer TLS 1.1, the test proves nothing: " + old.output());
  }

  @Test
  void theCipherSuitesAreNamesTheJdkKnows() throws Exception {
    Set<String> supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    for (String suite : Tls.CIPHER_SUITES) {
      assertTrue(supported.contains(suite), suite + " is not a cipher suite of this JDK");
    }
  }

  @Test
  void onlyForwardSecretAeadSuitesAreNegotiatedAlsoAfterAReload() throws Exception {
    service.start(tls(new JsonObject().put("tls", new JsonObject().put("reloadCheckMs", 200))));
    assertOnlyForwardSecretAead("first");
    Certificates.Pair second = Certificates.selfSigned(tmp, "second", false);
    installAndAwait(second, "CN=second");
    assertOnlyForwardSecretAead("second"); // the reload's options carry the suites too
  }

  /** Legacy TLS 1.2 suites (RSA key exchange, CBC) fail the handshake; ECDHE with AES-GCM and TLS 1.3 succeed. */
  private void assertOnlyForwardSecretAead(String commonName) throws IOException {
    String target = "127.0.0.1:" + service.port();
    for (String legacy : List.of("AES128-SHA", "AES256-SHA", "AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA")) {
      Certificates.Result refused = Certificates.run(List.of("openssl", "s_client", "-connect", target, "-tls1_2",
          "-cipher", legacy + ":@SECLEVEL=0"), "Q\n");
      assertFalse(refused.output().contains("no cipher match"), "this openssl cannot offer " + legacy + ": " + refused.output());
      assertNotEquals(0, refused.exitCode(), legacy + ": " + refused.output());
      assertFalse(refused.output().contains("BEGIN CERTIFICATE"), legacy + " was negotiated: " + refused.output());
    }
    Certificates.Result gcm = Certificates.run(List.of("openssl", "s_client", "-connect", target, "-tls1_2",
        "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"), "Q\n");
    assertTrue(gcm.output().contains("CN = " + commonName) && gcm.output().contains("ECDHE-RSA-AES128-GCM-SHA256"),
        gcm.output());
    Certificates.Result tls13 = Certificates.run(List.of("openssl", "s_client", "-connect", target, "-tls1_3"), "Q\n");
    assertTrue(tls13.output().contains("CN = " + commonName) && tls13.output().contains("TLSv1.3"), tls13.output());
  }

  @Test
  void theConnectionGuardsHoldOverTls() throws Exception {
    service.start(tls(new JsonObject().put("headerTimeoutMs", 1000).put("maxConnectionsPerAddress", 2)));
    try (SSLSocket silent = Certificates.handshake(service.port()); SSLSocket second = Certificates.handshake(service.port());
         SSLSocket third = Certificates.handshake(service.port())) {
      // over the per-address cap: the third connection's first request is refused with 4006
      String refused = exchange(third, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
      assertTrue(refused.contains(String.valueOf(ErrorCodes.TOO_MANY_CONNECTIONS)), refused);
      // a TLS connection that sends no request is closed after the header timeout
      silent.setSoTimeout(5000);
      long began = System.nanoTime();
      assertEquals(-1, silent.getInputStream().read(), "silent TLS connection kept open");
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) < 4000);
    }
  }

  @Test
  void aChangedCertificateIsServedToNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
    service.start(tls(new JsonObject().put("tls", new JsonObject().put("reloadCheckMs", 200))));
    assertEquals("CN=first", Certificates.peerCertificate(service.port()).getSubjectX500Principal().getName());
    WebClient client = https();
    JsonObject alice = guest(client, "alice");
    BridgeClient open = connect(alice.getString("token"), Transport.RAW);
    open.join("general", alice.getJsonObject("user").getString("id"));

    // a bad file: logged, the old certificate stays
    Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    Certificates.Pair second = Certificates.selfSigned(tmp, "second", true); // PKCS#1 this time
    Thread.sleep(600); // several checks see the bad pair (there is no event to wait for when nothing changes)
    assertEquals("CN=first", Certificates.peerCertificate(service.port()).getSubjectX500Principal().getName(), "a bad key was taken");

    // the new pair, the key last (as a deployment tool writes them)
    installAndAwait(second, "CN=second");

    assertFalse(open.isClosed(), "the open connection was closed by the reload");
    JsonObject reply = open.request("chat.send", new JsonObject().put("room", "general").put("text", "still here"));
    assertEquals("message", reply.getString("type"), reply.encode());
    open.awaitFrame(f -> "still here".equals(body(f).getString("text")));
    JsonObject bob = guest(client, "bob");
    BridgeClient fresh = connect(bob.getString("token"), Transport.SOCKJS_WEBSOCKET);
    fresh.join("general", bob.getJsonObject("user").getString("id"));
  }

  @Test
  void halfATlsPairOrAnUnusableFileStopsStartUp() throws IOException {
    Throwable onlyCert = service.refusedStart(new JsonObject().put("http", new JsonObject().put("tls",
        new JsonObject().put("certFile", certFile.toString()))));
    assertInstanceOf(ConfigException.class, onlyCert);
    assertTrue(onlyCert.getMessage().contains("http.tls.keyFile"), onlyCert.getMessage());

    Certificates.Pair other = Certificates.selfSigned(tmp, "other", false);
    Throwable wrongKey = service.refusedStart(new JsonObject().put("http", new JsonObject().put("tls",
        new JsonObject().put("certFile", certFile.toString()).put("keyFile", other.key().toString()))));
    assertInstanceOf(ConfigException.class, wrongKey);
    assertTrue(wrongKey.getMessage().contains("http.tls.keyFile") && wrongKey.getMessage().contains("not the key"),
        wrongKey.getMessage());

    Throwable missing = service.refusedStart(new JsonObject().put("http", new JsonObject().put("tls",
        new JsonObject().put("certFile", tmp.resolve("missing.pem").toString()).put("keyFile", keyFile.toString()))));
    assertTrue(missing.getMessage().contains("http.tls.certFile"), missing.getMessage());
  }

  /** Sends {@code request} and reads until the server closes the connection. */
  private static String exchange(SSLSocket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Writes the pair over the served files (the key last, as a deployment tool does) and waits up to 10 s until new connections get {@code subject}. */
  private void installAndAwait(Certificates.Pair pair, String subject) throws Exception {
    Files.copy(pair.cert(), certFile, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(pair.key(), keyFile, StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String served;
    do {
      Thread.sleep(100);
      served = Certificates.peerCertificate(service.port()).getSubjectX500Principal().getName();
    } while (!served.equals(subject) && System.nanoTime() < deadline);
    assertEquals(subject, served, "the new certificate is not served");
  }
}
