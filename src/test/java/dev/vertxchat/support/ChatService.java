package dev.vertxchat.support;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import dev.vertxchat.http.AdminVerticle;
import dev.vertxchat.metrics.MetricsBackend;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.stream.Stream;

import static dev.vertxchat.support.TestServer.await;

/**
 * The one way a test starts the real service: a JUnit 5 extension giving each test its own Vert.x (with metrics, made as the launcher makes it: {@link MetricsBackend}), its
 * own temporary data directory and, once started, the service deployed through {@code MainVerticle} as
 * the launcher deploys it, on port 0, with an {@link Http} client on its port. After the test, whatever
 * the test asked it to close ({@link #closeAfter}, {@link #connect}) is closed, then the service is
 * stopped, the Vert.x closed and the directory deleted.
 *
 * <pre>
 * &#64;RegisterExtension
 * final ChatService service = new ChatService();               // the test configuration
 * final ChatService service = new ChatService(overrides);      // the class's own settings over it
 * ...
 * service.start(overrides);   // one test's settings (before anything else uses the service)
 * service.http().guest("alice");
 * </pre>
 *
 * A test that does not call {@link #start} gets the service started with the class's configuration the
 * first time it asks for {@link #http()}, {@link #port()} or {@link #base()}, or takes an {@link Http}
 * parameter; a test that never asks starts nothing. Test methods may take this test's {@link Vertx} as a
 * parameter too (so a class using this extension does not also register {@code VertxExtension}). Settings are deep-merged over {@link TestServer#baseConfig} (loopback, port 0, the
 * data directory, a fixed secret, high per-address limits).
 */
public final class ChatService implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final JsonObject classOverrides;
  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private Vertx vertx;
  private Path root;
  private Path dataDir;
  private JsonObject overrides;
  private TestServer server;
  private Http http;
  private int lastPort;
  private int refusedStarts;

  public ChatService() {
    this(new JsonObject());
  }

  /** With {@code overrides} applied to every test of the class (a test's {@link #start} adds its own). */
  public ChatService(JsonObject overrides) {
    this.classOverrides = overrides.copy();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    // as the launcher makes it: with Vert.x's metrics unless the class's configuration turns them off
    boolean metrics = classOverrides.getJsonObject("metrics", new JsonObject()).getBoolean("enabled", true);
    vertx = MetricsBackend.builder(new VertxOptions(), metrics).build();
    root = Files.createTempDirectory("vertx-chat-test-");
    dataDir = Files.createDirectory(root.resolve("data"));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      while (!toClose.isEmpty()) {
        try {
          toClose.pop().close();
        } catch (Exception | AssertionError alreadyClosed) {
          // the server may have closed it already (a test that cares how it closes asserts that itself)
        }
      }
      if (server != null) {
        stop();
      }
    } finally {
      await(vertx.close());
      delete(root);
      vertx = null;
      overrides = null;
      lastPort = 0;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Vertx.class || type == Http.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Vertx.class ? vertx() : http();
  }

  /** Starts the service with the class's configuration. */
  public ChatService start() {
    return start(new JsonObject());
  }

  /** Starts the service with {@code overrides} deep-merged over the class's configuration. */
  public ChatService start(JsonObject overrides) {
    if (server != null || this.overrides != null) {
      throw new IllegalStateException("the service was started already in this test: pass its settings to the first start,"
          + " or use restart()");
    }
    this.overrides = classOverrides.copy().mergeIn(overrides, true);
    deploy(this.overrides);
    return this;
  }

  private void deploy(JsonObject config) {
    server = TestServer.start(vertx(), dataDir, config);
    lastPort = server.port;
    http = new Http(vertx, server.port);
  }

  /** Stops the service (as a shutdown does); its data directory stays for {@link #restart}. */
  public void stop() {
    if (server == null) {
      throw new IllegalStateException("the service is not running");
    }
    http.close();
    http = null;
    TestServer stopping = server;
    server = null;
    stopping.stop();
  }

  /**
   * The service as it was, started again: same configuration, same data directory, same port (as a
   * restarted server, so clients can reconnect); stopped first if it is running.
   */
  public ChatService restart() {
    if (overrides == null) {
      throw new IllegalStateException("the service was never started in this test");
    }
    if (server != null) {
      stop();
    }
    deploy(overrides.copy().mergeIn(new JsonObject().put("http", new JsonObject().put("port", lastPort)), true));
    return this;
  }

  /**
   * A start with {@code overrides} (over the class's configuration) that must fail, in a fresh data
   * directory of its own (so it may run beside the running service); returns why it failed.
   */
  public Throwable refusedStart(JsonObject overrides) {
    Path dir = root.resolve("refused-" + ++refusedStarts);
    JsonObject config = TestServer.baseConfig(dir).mergeIn(classOverrides.copy().mergeIn(overrides, true), true);
    AsyncResult<String> result = await(TestServer.deploy(vertx(), config).transform(Future::succeededFuture));
    if (result.succeeded()) {
      await(vertx.undeploy(result.result()));
      throw new AssertionError("the service started with " + overrides.encode());
    }
    return result.cause();
  }

  private TestServer running() {
    if (server == null) {
      if (overrides != null) {
        throw new IllegalStateException("the service was stopped: restart() it first");
      }
      start();
    }
    return server;
  }

  /** This test's Vert.x (the service runs in it; clients may use it too). */
  public Vertx vertx() {
    if (vertx == null) {
      throw new IllegalStateException("only available while a test runs (register ChatService with @RegisterExtension)");
    }
    return vertx;
  }

  /** This test's data directory (empty until the service starts). */
  public Path dataDir() {
    return dataDir;
  }

  /** The port the service listens on (it is started first if it is not yet). */
  public int port() {
    return running().port;
  }

  /** The port of the admin listener (the service is started first if it is not yet); it listens on a free port in tests. */
  public int adminPort() {
    running();
    Integer port = vertx.sharedData().<String, Integer>getLocalMap(AdminVerticle.SERVER_INFO).get(AdminVerticle.ACTUAL_PORT);
    if (port == null) {
      throw new IllegalStateException("the service has no admin listener (admin.port -1)");
    }
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, the origin of the service's pages. */
  public String base() {
    return running().base();
  }

  /** A blocking HTTP client on the service's port, closed when the service stops. */
  public Http http() {
    running();
    return http;
  }

  /** A bridge client over the raw WebSocket endpoint, closed after the test. */
  public BridgeClient connect(String token) {
    return connect(token, BridgeClient.Transport.RAW);
  }

  /** A bridge client over {@code transport}, closed after the test. */
  public BridgeClient connect(String token, BridgeClient.Transport transport) {
    return closeAfter(BridgeClient.connect(vertx(), port(), token, transport));
  }

  /** As {@link #connect(String, BridgeClient.Transport)}, WebSockets with the given client options. */
  public BridgeClient connect(String token, BridgeClient.Transport transport, WebSocketClientOptions options) {
    return closeAfter(BridgeClient.connect(vertx(), port(), token, transport, options));
  }

  /** Closes {@code resource} after the test, before the service stops (the last one given first). */
  public <T extends AutoCloseable> T closeAfter(T resource) {
    toClose.push(resource);
    return resource;
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
