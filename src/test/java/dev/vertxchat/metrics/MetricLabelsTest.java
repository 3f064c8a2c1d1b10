package dev.vertxchat.metrics;

import dev.vertxchat.support.Certificates;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.RawSocket;
import dev.vertxchat.support.Scrape;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntConsumer;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The HTTP labels of {@code /metrics} stay a bounded set whatever a client sends to the public port: a
 * method that is not a standard one is labelled {@code other} (over HTTP/1.1 and over HTTP/2), and a path
 * no route serves names no route.
 */
class MetricLabelsTest {
  @RegisterExtension
  final ChatService service = new ChatService();
  @TempDir
  Path tmp;

  @Test
  void fiftyOddMethodsAddNoSeries() {
    service.start();
    assertNoSeriesAdded(i -> raw("ODD" + i, "/api/rooms"), "50 methods");
  }

  @Test
  void fiftyOddMethodsOverHttp2AddNoSeries() throws IOException {
    Certificates.Pair pair = Certificates.selfSigned(tmp, "metrics", false);
    service.start(new JsonObject().put("http", new JsonObject().put("tls", new JsonObject()
        .put("certFile", pair.cert().toString()).put("keyFile", pair.key().toString()))));
    HttpClient h2 = client(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false).setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2));
    assertEquals(HttpVersion.HTTP_2, request(h2, HttpMethod.GET, "/api/rooms").version());
    assertNoSeriesAdded(i -> request(h2, HttpMethod.valueOf("ODD" + i), "/api/rooms"), "50 methods over HTTP/2");
  }

  @Test
  void fiftyUnroutedPathsAddNoSeries() {
    service.start();
    assertNoSeriesAdded(i -> raw("GET", "/no-such-" + i + "/x" + i), "50 paths");
  }

  /** The standard methods keep their name. */
  @Test
  void standardMethodsAreLabelledByName() {
    service.start();
    raw("DELETE", "/api/rooms");
    raw("PROPFIND", "/api/rooms");
    Scrape s = Scrape.of(service.vertx(), service.adminPort());
    Set<String> methods = new TreeSet<>();
    s.series().forEach(series -> {
      String method = series.labels().get("method");
      if (method != null) {
        methods.add(method);
      }
    });
    assertTrue(methods.containsAll(Set.of("DELETE", "GET", "other")), methods.toString());
    assertTrue(MetricsBackend.METHODS.containsAll(methods.stream().filter(m -> !m.equals("other")).toList()), methods.toString());
  }

  /**
   * One request of each kind first (every label value it brings exists from then on, as do a scrape's),
   * then 49 more: the scrape after them has the same series as the one before.
   */
  private void assertNoSeriesAdded(IntConsumer send, String what) {
    send.accept(0);
    Scrape.of(service.vertx(), service.adminPort());
    Scrape before = Scrape.of(service.vertx(), service.adminPort());
    for (int i = 1; i < 50; i++) {
      send.accept(i);
    }
    Scrape after = Scrape.of(service.vertx(), service.adminPort());
    Set<String> added = new TreeSet<>();
    after.series().forEach(series -> added.add(series.toString()));
    before.series().forEach(series -> added.remove(series.toString()));
    added.removeIf(series -> series.startsWith("jvm_gc_")); // a collection may come along at any time
    added.removeIf(series -> series.startsWith("vertx_http_client_")); // the test's own client (same Vert.x)
    assertEquals(Set.of(), added, "series added by " + what);
    assertTrue(after.series().stream().noneMatch(s -> s.toString().contains("ODD") || s.toString().contains("no-such")),
        after.text);
    assertTrue(after.series().stream().anyMatch(s -> s.name().startsWith("vertx_http_server_requests")
        && "other".equals(s.labels().get("method")) == what.contains("method")), after.text);
  }

  /** One HTTP/1.1 request on a connection of its own, as a client may write it; returns the status line. */
  private String raw(String method, String path) {
    try (RawSocket socket = RawSocket.open(service.port())) {
      socket.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      String answer = socket.readUntilClosed(10_000);
      assertTrue(answer != null && answer.startsWith("HTTP/1.1 "), method + " " + path + ": " + answer);
      return answer.substring(0, answer.indexOf('\r'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpClient client(HttpClientOptions options) {
    HttpClient client = service.vertx().createHttpClient(options.setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    service.closeAfter(client::close);
    return client;
  }

  private static HttpClientResponse request(HttpClient client, HttpMethod method, String path) {
    return await(client.request(method, path).compose(req -> req.send())
        .compose(res -> res.body().map(body -> res)));
  }
}
