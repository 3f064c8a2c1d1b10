package dev.vertxchat.cluster;

import dev.vertxchat.support.ServiceProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node started with the launcher's {@code -cluster} refuses, with one line and exit code 1, before it joins
 * anything, a configuration that cannot serve a cluster: the embedded store (each node would keep its own
 * history) and a missing token secret (a generated one is per node).
 */
class ClusterRefusalTest {
  @TempDir
  Path tmp;

  @Test
  void theEmbeddedStoreIsRefused() throws Exception {
    String out = refused(new JsonObject().put("auth", new JsonObject().put("jwt",
        new JsonObject().put("secret", "s".repeat(40)))), Map.of());
    assertTrue(out.contains("store.type: must be postgres on a node of a cluster (-cluster)"), out);
  }

  @Test
  void aMissingSecretIsRefused() throws Exception {
    String out = refused(new JsonObject(), Map.of("CHAT_STORE_TYPE", "postgres",
        "CHAT_STORE_POSTGRES_URL", "postgresql://chat:chat@127.0.0.1:1/chat"));
    assertTrue(out.contains("auth.jwt.secret: must be set on every node of a cluster (-cluster)"), out);
    assertTrue(out.contains("CHAT_AUTH_JWT_SECRET"), out);
  }

  private String refused(JsonObject config, Map<String, String> env) throws Exception {
    Path file = tmp.resolve("config.json");
    Files.writeString(file, config.put("data", new JsonObject().put("dir", tmp.resolve("data").toString()))
        .put("http", new JsonObject().put("port", 0)).put("admin", new JsonObject().put("port", -1)).encode());
    ServiceProcess child = ServiceProcess.start(tmp.resolve("work"), file, env, List.of("-cluster"));
    int exit = child.awaitExit(30_000);
    String out = child.output();
    assertEquals(1, exit, out);
    // refused before the cluster manager started: Hazelcast never ran, so no member joined any cluster
    assertFalse(out.contains("Starting clustering"), out);
    assertFalse(out.contains("HTTP server listening"), out);
    return out;
  }
}
