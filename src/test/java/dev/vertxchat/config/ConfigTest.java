package dev.vertxchat.config;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.vertxchat.support.Http.errorCode;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The effective configuration: override names, system properties, start-up validation, the generated secret. */
@ExtendWith(VertxExtension.class)
class ConfigTest {
  @TempDir
  Path dataDir;

  private static JsonObject obj(String key, Object value) {
    return new JsonObject().put(key, value);
  }

  /** Deploys with the base config deep-merged with the overrides; asserts failure and returns its message. */
  private String deployFailure(Vertx vertx, JsonObject overrides) {
    JsonObject config = TestServer.baseConfig(dataDir).mergeIn(overrides, true);
    AsyncResult<String> result = await(TestServer.deploy(vertx, config).transform(Future::succeededFuture));
    assertTrue(result.failed(), "deployment must fail with " + overrides.encode());
    String message = String.valueOf(result.cause().getMessage());
    assertTrue(message.startsWith("Invalid configuration: "), message);
    return message;
  }

  /** The rows of README.md's configuration table: key path -> environment variable, as documented. */
  static Map<String, String> documentedKeys() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("\n## Configuration\n");
    assertTrue(start >= 0, "README.md has a '## Configuration' section");
    int end = readme.indexOf("\n## ", start + 1);
    String section = end < 0 ? readme.substring(start) : readme.substring(start, end);
    Map<String, String> rows = new LinkedHashMap<>();
    Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\| `([^`]+)` \\|").matcher(section);
    while (row.find()) {
      assertNull(rows.put(row.group(1), row.group(2)), "README.md documents " + row.group(1) + " twice");
    }
    return rows;
  }

  @Test
  void everyKeyHasADocumentedEnvironmentVariable() throws IOException {
    Map<String, String> names = ConfigDefaults.envNames();
    assertEquals("CHAT_HTTP_PORT", names.get("http.port"));
    assertEquals("CHAT_DATA_DIR", names.get("data.dir"));
    assertEquals("CHAT_AUTH_JWT_SECRET", names.get("auth.jwt.secret"));
    assertEquals("CHAT_AUTH_GUESTS", names.get("auth.guests"));
    assertEquals("CHAT_LIMITS_MAXTEXTLENGTH", names.get("limits.maxTextLength"));
    assertFalse(names.containsKey("http"), "only leaves are overridable");
    assertEquals(names.size(), new HashSet<>(names.values()).size(), "no two keys share a variable");

    Map<String, String> documented = documentedKeys();
    names.forEach((path, env) -> {
      assertTrue(documented.containsKey(path), "README.md's configuration table has no row for " + path);
      assertEquals(env, documented.get(path), "README.md's environment variable for " + path);
    });
    documented.keySet().forEach(path ->
        assertTrue(names.containsKey(path), "README.md documents " + path + ", which is no configuration key"));
  }

  @Test
  void aSystemPropertyOverridesTheConfigFile(Vertx vertx) {
    System.setProperty("chat.limits.maxTextLength", "5");
    TestServer server = null;
    Http http = null;
    try {
      server = TestServer.start(vertx, dataDir, obj("limits", obj("maxTextLength", 100)));
      http = new Http(vertx, server.port);
      String token = http.guestToken("writer");
      HttpResponse<Buffer> tooLong = http.post("/api/rooms/general/messages", token, obj("text", "123456"));
      assertEquals(400, tooLong.statusCode(), tooLong.bodyAsString());
      assertEquals(ErrorCodes.INVALID_TEXT, errorCode(tooLong));
      HttpResponse<Buffer> fits = http.post("/api/rooms/general/messages", token, obj("text", "12345"));
      assertEquals(201, fits.statusCode(), fits.bodyAsString());
    } finally {
      System.clearProperty("chat.limits.maxTextLength");
      if (http != null) {
        http.close();
      }
      if (server != null) {
        server.stop();
      }
    }
  }

  @Test
  void aSystemPropertyOfTheWrongTypeStopsDeployment(Vertx vertx) {
    System.setProperty("chat.limits.maxTextLength", "lots");
    try {
      String message = deployFailure(vertx, new JsonObject());
      assertTrue(message.contains("limits.maxTextLength"), message);
      assertTrue(message.contains("chat.limits.maxTextLength"), "names where the value came from: " + message);
    } finally {
      System.clearProperty("chat.limits.maxTextLength");
    }
  }

  static Stream<Arguments> invalidConfigs() {
    return Stream.of(
        Arguments.of("http.port", obj("http", obj("port", 70000))),
        Arguments.of("http.port", obj("http", obj("port", -1))),
        Arguments.of("http.port", obj("http", obj("port", "abc"))),
        Arguments.of("auth.jwt.secret", obj("auth", obj("jwt", obj("secret", "short")))),
        Arguments.of("auth.guests", obj("auth", obj("guests", "yes"))),
        Arguments.of("limits.historyDefaultPage",
            obj("limits", new JsonObject().put("historyMaxPage", 10).put("historyDefaultPage", 11))),
        Arguments.of("rooms.defaults[0].id", obj("rooms", obj("defaults",
            new JsonArray().add(new JsonObject().put("id", "Bad Id").put("name", "Bad"))))),
        Arguments.of("log.format", obj("log", obj("format", "xml"))),
        Arguments.of("limits.sockJsDisconnectDelayMs", obj("limits", obj("sockJsDisconnectDelayMs", 500)))
    );
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("invalidConfigs")
  void anInvalidValueStopsDeploymentNamingTheKey(String key, JsonObject overrides, Vertx vertx) {
    String message = deployFailure(vertx, overrides);
    assertTrue(message.contains(key), message);
  }

  @Test
  void aDataDirThatCannotBeCreatedStopsDeployment(Vertx vertx) throws Exception {
    Path file = Files.writeString(dataDir.resolve("a-file"), "not a directory");
    String message = deployFailure(vertx, obj("data", obj("dir", file.resolve("sub").toString())));
    assertTrue(message.contains("data.dir"), message);
  }

  @Test
  void theValidBoundariesAreAccepted(Vertx vertx) {
    TestServer server = TestServer.start(vertx, dataDir, new JsonObject()
        .put("auth", obj("jwt", obj("secret", "x".repeat(32))))
        .put("limits", new JsonObject().put("historyMaxPage", 10).put("historyDefaultPage", 10)));
    server.stop();
  }

  @Test
  void aGeneratedSecretIsKeptAcrossRestarts(Vertx vertx) throws Exception {
    JsonObject noSecret = obj("auth", obj("jwt", obj("secret", "")));
    TestServer first = TestServer.start(vertx, dataDir, noSecret);
    Path secretFile = dataDir.resolve("jwt-secret");
    String token;
    String secret;
    Http http = new Http(vertx, first.port);
    try {
      token = http.guestToken("survivor");
      assertEquals(200, http.get("/api/rooms", token).statusCode());
      assertTrue(Files.isRegularFile(secretFile), "the generated secret is kept in <data.dir>/jwt-secret");
      secret = Files.readString(secretFile, StandardCharsets.UTF_8).trim();
      assertTrue(secret.getBytes(StandardCharsets.UTF_8).length >= 32, "at least 32 bytes");
      assertFalse(secret.equals(TestServer.SECRET));
      if (Files.getFileAttributeView(secretFile, PosixFileAttributeView.class) != null) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));
      }
    } finally {
      http.close();
      first.stop();
    }

    TestServer second = TestServer.start(vertx, dataDir, noSecret);
    Http again = new Http(vertx, second.port);
    try {
      assertEquals(secret, Files.readString(secretFile, StandardCharsets.UTF_8).trim(), "not regenerated");
      HttpResponse<Buffer> res = again.get("/api/rooms", token);
      assertEquals(200, res.statusCode(), "a token issued before the restart still works: " + res.bodyAsString());
      // renewal checks the token with the same generated secret
      HttpResponse<Buffer> renewed = again.post("/api/auth/refresh", token, new JsonObject());
      assertEquals(200, renewed.statusCode(), "a token signed with the generated secret is renewed: " + renewed.bodyAsString());
    } finally {
      again.close();
      second.stop();
    }
  }

  @Test
  void aKeptSecretThatIsTooShortStopsDeployment(Vertx vertx) throws Exception {
    Files.writeString(dataDir.resolve("jwt-secret"), "too short");
    String message = deployFailure(vertx, obj("auth", obj("jwt", obj("secret", ""))));
    assertTrue(message.contains("auth.jwt.secret"), message);
  }
}
