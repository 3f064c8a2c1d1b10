package dev.vertxchat.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The browser app's files, and nothing else of the directory they live in: {@code /} and
 * {@code /index.html}, {@code /style.css} and the modules {@code /app/*.js} from {@code http.webroot};
 * the npm libraries {@code /vendor/*} from the copy the build puts on the classpath
 * ({@code webroot/vendor/} in the jar). Whatever else sits in the webroot (package.json,
 * package-lock.json, .npmrc, node_modules/, dot files, an editor's backups) is never served: the
 * request goes on to the 404 handler. Paths are matched as the router normalized them, which is what
 * the static handlers resolve.
 */
final class AppFiles implements Handler<RoutingContext> {
  /** Where the build copies the npm libraries the page loads (see the pom's vendor-libraries step). */
  static final String CLASSPATH_WEBROOT = "webroot";
  private static final Pattern APP = Pattern.compile("/|/index\\.html|/style\\.css|/app/[A-Za-z0-9][A-Za-z0-9_-]*\\.js");
  private static final Pattern VENDOR = Pattern.compile("/vendor/[A-Za-z0-9][A-Za-z0-9_.-]*");

  private final StaticHandler app;
  private final StaticHandler vendor;

  AppFiles(String webroot) {
    this.app = Path.of(webroot).isAbsolute() ? StaticHandler.create(FileSystemAccess.ROOT, webroot) : StaticHandler.create(webroot);
    // a relative web root is looked up in the working directory first, then on the classpath; the
    // repository has no webroot/vendor/, so this is the build's copy (target/classes, or the jar)
    this.vendor = StaticHandler.create(CLASSPATH_WEBROOT);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      ctx.next();
      return;
    }
    String path = ctx.normalizedPath();
    if (APP.matcher(path).matches()) {
      app.handle(ctx);
    } else if (VENDOR.matcher(path).matches()) {
      vendor.handle(ctx);
    } else {
      ctx.next();
    }
  }
}
