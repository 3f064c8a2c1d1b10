package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only the browser app's own files are served from the webroot; the npm files around them
 * (package.json, package-lock.json, .npmrc with a registry token, node_modules/) and dot files answer
 * 404 with the JSON error body, as a service run from the repository would otherwise hand them out.
 */
class StaticFilesTest {
  /** What a webroot of a checkout holds besides the app, each with content that must never leave. */
  static final List<String> PRIVATE = List.of("package.json", "package-lock.json", ".npmrc", "node_modules/x.js",
      "node_modules/sockjs-client/dist/sockjs.min.js", ".git/config", "app/.secret.js", "notes.md", "index.html~",
      "app/main.js.orig");

  @RegisterExtension
  final ChatService service = new ChatService();
  @TempDir
  Path webroot;

  private Http start(String root) {
    return service.start(new JsonObject().put("http", new JsonObject().put("webroot", root))).http();
  }

  private void assertNotServed(String path) {
    HttpResponse<Buffer> res = service.http().get(path, null);
    assertEquals(404, res.statusCode(), path + " was served: " + res.bodyAsString());
    assertEquals(ErrorCodes.NOT_FOUND, Http.errorCode(res), path);
    assertFalse(res.bodyAsString().contains("SECRET"), path);
  }

  private String served(String path) {
    HttpResponse<Buffer> res = service.http().get(path, null);
    assertEquals(200, res.statusCode(), path + ": " + res.bodyAsString());
    return res.bodyAsString();
  }

  @Test
  void aWebrootServesTheAppAndNothingElse() throws IOException {
    Files.writeString(webroot.resolve("index.html"), "<title>vertx-chat</title>");
    Files.writeString(webroot.resolve("style.css"), "body {}");
    Files.createDirectories(webroot.resolve("app"));
    Files.writeString(webroot.resolve("app/main.js"), "export {};");
    for (String file : PRIVATE) {
      Path p = webroot.resolve(file);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "SECRET " + file);
    }
    start(webroot.toString());

    assertTrue(served("/").contains("<title>vertx-chat</title>"));
    assertTrue(served("/index.html").contains("<title>vertx-chat</title>"));
    assertEquals("body {}", served("/style.css"));
    assertEquals("export {};", served("/app/main.js"));
    for (String file : PRIVATE) {
      assertNotServed("/" + file);
    }
    // other spellings of the same paths, as the router normalizes them
    for (String path : List.of("/app/../package.json", "/%2enpmrc", "/app/%2e%2e/package-lock.json", "//package.json",
        "/node_modules/", "/app/", "/.git/")) {
      assertNotServed(path);
    }
  }

  @Test
  void runFromTheRepositoryOnlyTheAppAndItsLibrariesAreServed() {
    // the default webroot, relative to the working directory: the repository's webroot/ with its npm files
    assertTrue(Files.isRegularFile(Path.of("webroot", "package.json")), "the test runs from the repository");
    Http http = start("webroot");
    assertTrue(served("/").contains("<title>vertx-chat</title>"));
    served("/app/main.js");
    served("/style.css");
    // the libraries come from the build's copy on the classpath
    assertTrue(served("/vendor/sockjs.min.js").contains("SockJS"));
    assertTrue(served("/vendor/vertx-eventbus.js").contains("EventBus"));
    for (String path : List.of("/package.json", "/package-lock.json", "/.npmrc",
        "/node_modules/sockjs-client/package.json", "/node_modules/.package-lock.json")) {
      HttpResponse<Buffer> res = http.get(path, null);
      assertEquals(404, res.statusCode(), path + " was served");
      assertEquals(ErrorCodes.NOT_FOUND, Http.errorCode(res), path);
    }
  }
}
