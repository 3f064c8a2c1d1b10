package dev.vertxchat.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.LogLines;
import dev.vertxchat.support.Nginx;
import dev.vertxchat.support.NodeChatClient;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The service behind a real nginx started from the shipped conf/nginx.conf ({@link Nginx}): the sample
 * loads, every transport works through it, the Origin check sees the proxy's host and port, a trusted
 * proxy's X-Forwarded-For is the client address, a SockJS session's requests all reach the node that
 * holds it when two independent nodes share the upstream, and the official client (in Node) works through it.
 */
class NginxProxyTest {
  private static final JsonObject CONFIG = new JsonObject()
      .put("limits", new JsonObject().put("messagesPerSecond", 10000).put("messageBurst", 10000));

  @RegisterExtension
  final ChatService service = new ChatService(CONFIG);
  @RegisterExtension
  final ChatService other = new ChatService(CONFIG);

  private Nginx nginx(List<Integer> nodePorts) {
    return service.closeAfter(Nginx.start(nodePorts));
  }

  @Test
  void theShippedSampleLoads() throws Exception {
    Nginx.require();
    // as shipped, it names /run and /var/log/nginx: only root may open them
    assumeTrue("root".equals(System.getProperty("user.name")), "nginx -t on the sample as shipped needs root");
    Nginx.Result result = Nginx.check(Nginx.SAMPLE);
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("test is successful"), result.output());
  }

  @Test
  void theRewriteFailsLoudlyWhenTheSampleLacksALineItRewrites() throws Exception {
    String sample = Files.readString(Nginx.SAMPLE);
    java.nio.file.Path dir = java.nio.file.Path.of("/tmp/nginx-test");
    String conf = Nginx.rewrite(sample, 18000, List.of(18081, 18082), dir);
    assertTrue(conf.contains("listen 127.0.0.1:18000;"), conf);
    assertTrue(conf.contains("server 127.0.0.1:18081 max_fails=1 fail_timeout=5s;"), conf);
    assertTrue(conf.contains("server 127.0.0.1:18082 max_fails=1 fail_timeout=5s;"), conf);
    assertFalse(conf.contains("server 127.0.0.1:8083"), conf);
    assertTrue(conf.contains("pid /tmp/nginx-test/nginx.pid;"), conf);
    assertTrue(conf.contains("access_log /tmp/nginx-test/access.log chat;"), conf);
    assertTrue(conf.contains("proxy_temp_path /tmp/nginx-test/temp/proxy;"), conf);

    for (String line : List.of("listen 8000;", "server 127.0.0.1:", "pid /run", "error_log /var", "access_log /var",
        "http {")) {
      String drifted = sample.replace(line, "# " + line);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Nginx.rewrite(drifted, 1, List.of(2), dir), line);
      assertTrue(e.getMessage().contains("conf/nginx.conf"), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aClientSignsInJoinsAndGetsItsOwnMessageThroughNginx(Transport transport) {
    Nginx nginx = nginx(List.of(service.port()));
    Http viaProxy = service.closeAfter(new HttpAutoClose(service, nginx.port())).http;
    JsonObject alice = viaProxy.guest("alice");
    BridgeClient client = service.closeAfter(BridgeClient.connect(service.vertx(), nginx.port(), alice.getString("token"), transport));
    client.join("general", alice.getJsonObject("user").getString("id"));
    for (int i = 0; i < 5; i++) {
      JsonObject reply = client.request("chat.send", new JsonObject().put("room", "general").put("text", "via nginx " + i));
      assertEquals("message", reply.getString("type"), reply.encode());
      long id = BridgeClient.body(reply).getLong("id");
      client.awaitFrame(f -> "chat".equals(BridgeClient.bodyType(f)) && BridgeClient.body(f).getLong("id") == id);
    }
    assertEquals(5, client.chats("general").size(), "each message once");
    client.close(); // nginx writes a WebSocket's access line when it ends
    List<String> log = awaitAccessLine(nginx, transport == Transport.RAW ? "/eventbus/websocket" : "/eventbus/123/REDACTED/");
    assertTrue(log.stream().noneMatch(l -> l.contains("token") || l.contains(alice.getString("token"))), "no token in nginx's access log");
  }

  /** nginx's access log once a line contains {@code text} (10 s at most). */
  private static List<String> awaitAccessLine(Nginx nginx, String text) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      List<String> log = nginx.accessLog();
      if (log.stream().anyMatch(l -> l.contains(text))) {
        return log;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no access line with " + text + ": " + log);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void theOriginCheckSeesTheProxysHostAndPort() {
    Nginx nginx = nginx(List.of(service.port()));
    String token = service.http().guestToken("origin");
    assertTrue(upgrade(nginx, token, nginx.base()).succeeded(), "the page's origin is the proxy's");
    for (String foreign : List.of("http://evil.example", "http://127.0.0.1:" + service.port(), "http://127.0.0.1")) {
      AsyncResult<BridgeClient> refused = upgrade(nginx, token, foreign);
      assertTrue(refused.failed(), foreign);
      UpgradeRejectedException e = assertInstanceOf(UpgradeRejectedException.class, refused.cause());
      assertEquals(403, e.getStatus(), foreign);
      assertEquals(ErrorCodes.ORIGIN_NOT_ALLOWED, e.getBody().toJsonObject().getJsonObject("error").getInteger("code"));
    }
  }

  private AsyncResult<BridgeClient> upgrade(Nginx nginx, String token, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setURI("/eventbus/websocket?token=" + token)
        .setTimeout(10_000).putHeader("Origin", origin);
    AsyncResult<BridgeClient> ar = await(BridgeClient.tryConnect(service.vertx(), nginx.port(), options)
        .transform(Future::succeededFuture));
    if (ar.succeeded()) {
      service.closeAfter(ar.result());
    }
    return ar;
  }

  @Test
  void aTrustedProxysForwardedAddressIsTheClientAddress() throws Exception {
    service.start(new JsonObject().put("http", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1"))));
    other.start();
    assertEquals("127.0.0.2", clientSeenThrough(service), "the address nginx saw, from X-Forwarded-For");
    assertEquals("127.0.0.1", clientSeenThrough(other), "without http.trustedProxies: nginx's own address");
  }

  /** The client address the node's access line gives to a request made from 127.0.0.2 through nginx. */
  private String clientSeenThrough(ChatService node) throws Exception {
    Nginx nginx = nginx(List.of(node.port()));
    HttpClient client = node.vertx().createHttpClient(new HttpClientOptions().setLocalAddress("127.0.0.2"));
    try (LogLines access = new LogLines("dev.vertxchat.http.access", Level.INFO)) {
      String mark = "/health/live?mark=" + node.port();
      int status = await(client.request(HttpMethod.GET, nginx.port(), "127.0.0.1", mark)
          .compose(req -> req.send()).compose(res -> res.body().map(b -> res.statusCode())));
      assertEquals(200, status);
      ILoggingEvent line = access.await(e -> e.getFormattedMessage().contains(mark), mark);
      return String.valueOf(LogLines.value(line, "client"));
    } finally {
      await(client.close());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"XHR_STREAMING", "XHR_POLLING"})
  void aSockJsSessionStaysOnOneOfTwoNodes(Transport transport) {
    // two independent nodes: a request that reached the other node would find no session there
    Nginx nginx = nginx(List.of(service.port(), other.port()));
    Http viaProxy = service.closeAfter(new HttpAutoClose(service, nginx.port())).http;
    for (int session = 0; session < 4; session++) {
      JsonObject user = viaProxy.guest("sticky" + session);
      BridgeClient client = service.closeAfter(BridgeClient.connect(service.vertx(), nginx.port(), user.getString("token"), transport));
      client.join("general", user.getJsonObject("user").getString("id"));
      for (int i = 0; i < 15; i++) {
        JsonObject reply = client.request("chat.send", new JsonObject().put("room", "general").put("text", "poll " + i));
        assertEquals("message", reply.getString("type"), reply.encode());
      }
      client.awaitFrames(15, f -> "chat".equals(BridgeClient.bodyType(f))
          && user.getJsonObject("user").getString("id").equals(BridgeClient.body(f).getJsonObject("user").getString("id")));
      assertFalse(client.isClosed(), "session " + session + " closed");
    }
    Set<String> upstreams = nginx.accessLog().stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).collect(Collectors.toSet());
    assertTrue(upstreams.containsAll(Set.of("127.0.0.1:" + service.port(), "127.0.0.1:" + other.port())),
        "both nodes served requests: " + upstreams);
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"SOCKJS_WEBSOCKET", "XHR_POLLING"})
  void theOfficialClientWorksThroughNginx(Transport transport) {
    NodeChatClient.require();
    Nginx nginx = nginx(List.of(service.port()));
    String token = service.http().guestToken("official");
    String name = transport == Transport.XHR_POLLING ? "xhr-polling" : "websocket";
    try (NodeChatClient client = NodeChatClient.start(NodeChatClient.options(nginx.base(), token, name, "general", 10, 50))) {
      NodeChatClient.Result result = client.await(60_000);
      assertEquals(10, result.acked().size(), client.log());
      assertEquals(0, result.outages(), client.log());
      assertEquals(result.acked(), result.received(), "its own messages, each once, in order");
    }
  }

  /** An {@link Http} client on another port (nginx's), closed after the test. */
  private record HttpAutoClose(Http http) implements AutoCloseable {
    HttpAutoClose(ChatService node, int port) {
      this(new Http(node.vertx(), port));
    }

    @Override
    public void close() {
      http.close();
    }
  }
}
