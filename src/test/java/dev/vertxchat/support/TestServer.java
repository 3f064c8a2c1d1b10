package dev.vertxchat.support;

import dev.vertxchat.MainVerticle;
import dev.vertxchat.http.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real service, deployed in-process through {@link MainVerticle} exactly as the launcher does,
 * on a free port (http.port 0) with its own data directory. Tests start it through {@link ChatService}
 * (one Vert.x, data directory and client set-up per test); this is the deployment underneath, and the
 * configuration every test starts from.
 */
public final class TestServer {
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

  public final Vertx vertx;
  public final Path dataDir;
  public final int port;
  private final String deploymentId;

  private TestServer(Vertx vertx, Path dataDir, int port, String deploymentId) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.port = port;
    this.deploymentId = deploymentId;
  }

  /**
   * The configuration tests start from: loopback, port 0, the given data directory, a fixed secret, and
   * the admin listener on a free port, per-address sign-in and connection limits high enough for tests that sign in
   * many users from 127.0.0.1 (the tests of those limits set their own), and no drain grace period at a stop (the
   * tests of draining set one).
   */
  public static JsonObject baseConfig(Path dataDir) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("maxConnectionsPerAddress", 100_000))
        .put("data", new JsonObject().put("dir", dataDir.toString()))
        .put("auth", new JsonObject().put("jwt", new JsonObject().put("secret", SECRET)))
        .put("limits", new JsonObject().put("signInsPerMinute", 100_000).put("guestSignInsPerMinute", 100_000))
        .put("shutdown", new JsonObject().put("drainGraceMs", 0))
        .put("admin", new JsonObject().put("port", 0));
  }

  public static TestServer start(Vertx vertx, Path dataDir) {
    return start(vertx, dataDir, new JsonObject());
  }

  /** Starts with {@link #baseConfig} deep-merged with {@code overrides}. */
  public static TestServer start(Vertx vertx, Path dataDir, JsonObject overrides) {
    JsonObject config = baseConfig(dataDir).mergeIn(overrides, true);
    String id = await(deploy(vertx, config));
    Integer port = vertx.sharedData().<String, Integer>getLocalMap(HttpVerticle.SERVER_INFO).get(HttpVerticle.ACTUAL_PORT);
    return new TestServer(vertx, dataDir, port, id);
  }

  public static Future<String> deploy(Vertx vertx, JsonObject config) {
    return vertx.deployVerticle(new MainVerticle(), new DeploymentOptions().setConfig(config));
  }

  public void stop() {
    await(vertx.undeploy(deploymentId));
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out after 20 s", e);
    }
  }
}
