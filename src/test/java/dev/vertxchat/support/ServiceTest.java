package dev.vertxchat.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * A test of the real service: before each test it is started on port 0 with its own data directory
 * ({@link TestServer}, with {@link #overrides()} merged into the test configuration), and stopped after.
 * Subclasses' own {@code @BeforeEach} methods run after the start, their {@code @AfterEach} before the stop.
 */
@ExtendWith(VertxExtension.class)
public abstract class ServiceTest {
  @TempDir
  protected Path dataDir;
  protected Vertx vertx;
  protected TestServer server;
  protected Http http;

  /** Configuration merged over {@link TestServer#baseConfig}; none by default. */
  protected JsonObject overrides() {
    return new JsonObject();
  }

  @BeforeEach
  void startService(Vertx vertx) {
    this.vertx = vertx;
    server = TestServer.start(vertx, dataDir, overrides());
    http = new Http(vertx, server.port);
  }

  @AfterEach
  void stopService() {
    http.close();
    if (server != null) {
      server.stop();
    }
  }
}
