package dev.vertxchat.store;

import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The database (password hashes, messages), the journal and the generated JWT secret are readable by
 * the service's user only: the data directory is created owner-only, and files found with group or
 * other permissions are tightened at start.
 */
@ExtendWith(VertxExtension.class)
class DataFilePermissionsTest {
  @TempDir
  Path tmp;

  private static final Set<PosixFilePermission> GROUP_AND_OTHERS = Set.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** What must be owner-only while the service runs: the data directory, the database, the secret, the journal. */
  private static List<Path> sensitive(Path data) throws IOException {
    List<Path> paths = new ArrayList<>(stored(data));
    try (Stream<Path> segments = Files.list(data.resolve("journal"))) {
      List<Path> found = segments.toList();
      assertFalse(found.isEmpty(), "the journal has a segment");
      paths.addAll(found);
    }
    return paths;
  }

  /** What stays when the service has stopped (the journal's segments are gone once copied into the database). */
  private static List<Path> stored(Path data) {
    return List.of(data, data.resolve("chat.mv.db"), data.resolve("jwt-secret"), data.resolve("journal"));
  }

  private static void assertOwnerOnly(List<Path> paths) throws IOException {
    for (Path p : paths) {
      assertTrue(Files.exists(p), p + " exists");
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
      assertTrue(permissions.stream().noneMatch(GROUP_AND_OTHERS::contains),
          p + " is " + PosixFilePermissions.toString(permissions));
    }
  }

  private static String post(Http http, String token, String text) {
    HttpResponse<Buffer> res = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", text));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return text;
  }

  @Test
  void theDataDirectoryAndTheFilesInItAreOwnerOnly(Vertx vertx) throws IOException {
    assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
    Path data = tmp.resolve("new").resolve("data"); // created by the service
    // no configured secret: the service generates one and keeps it in <data>/jwt-secret
    JsonObject generatedSecret = new JsonObject().put("auth", new JsonObject().put("jwt", new JsonObject().put("secret", "")));

    TestServer server = TestServer.start(vertx, data, generatedSecret);
    Http http = new Http(vertx, server.port);
    String token = http.guestToken("alice");
    post(http, token, "first");
    assertOwnerOnly(sensitive(data));
    assertOwnerOnly(List.of(tmp.resolve("new")));
    http.close();
    server.stop();

    // files left readable by an older version, a restore or a hand copy are tightened at the next start
    for (Path p : stored(data)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
    }
    server = TestServer.start(vertx, data, generatedSecret);
    http = new Http(vertx, server.port);
    token = http.guestToken("alice");
    post(http, token, "second");
    List<Path> after = sensitive(data);
    after.remove(data); // an existing data directory is the operator's: left as it is
    assertOwnerOnly(after);
    JsonObject history = http.get("/api/rooms/general/messages", token).bodyAsJsonObject();
    assertEquals(List.of("first", "second"), history.getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("text")).toList());
    http.close();
    server.stop();
  }
}
