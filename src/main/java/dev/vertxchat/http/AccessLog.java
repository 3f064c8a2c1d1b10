package dev.vertxchat.http;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.bridge.HandshakeGuard;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * One line per request on logger {@code dev.vertxchat.http.access}: client address, user id ({@code -}
 * when the request was not authenticated), method, URI with the {@code token} query parameter and
 * SockJS session ids redacted, status sent, duration. A token never appears, only the user id it names.
 */
public final class AccessLog implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger("dev.vertxchat.http.access");
  private static final Pattern TOKEN = Pattern.compile("([?&]token=)[^&]*", Pattern.CASE_INSENSITIVE);
  /** A SockJS session id (/eventbus/<server>/<session>/<transport>) lets whoever knows it act in that session. */
  private static final Pattern SESSION = Pattern.compile("^(" + HttpVerticle.BRIDGE_PATH + "/+[^/?]*/+)[^/?]+(/)");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    HttpServerRequest req = ctx.request();
    boolean[] written = {false};
    Handler<String> line = status -> {
      if (!written[0] && LOG.isInfoEnabled()) {
        written[0] = true;
        LOG.info("{} {} {} {} {} {}ms", req.remoteAddress() == null ? "-" : req.remoteAddress().hostAddress(), user(ctx),
            req.method(), redact(req.uri()), status, (System.nanoTime() - start) / 1_000_000);
      }
    };
    // the status is the one sent: logged when the response's last byte is written. The end handler can run
    // before that (a request that fails while its body is read ends the routing context first), so it
    // writes the line only for a response that will never be sent.
    ctx.addBodyEndHandler(v -> line.handle(Integer.toString(ctx.response().getStatusCode())));
    ctx.addEndHandler(ar -> {
      if (ctx.response().closed() && !ctx.response().ended()) {
        line.handle("closed");
      }
    });
    ctx.next();
  }

  private static String user(RoutingContext ctx) {
    Identity identity = ApiRoutes.identity(ctx);
    if (identity == null) {
      identity = HandshakeGuard.identityOf(ctx);
    }
    return identity == null ? "-" : identity.user().id();
  }

  /**
   * The line for a WebSocket upgrade (served ahead of the router), once the handshake checks are done:
   * {@code user} null and the status sent when they refused it, else the user and {@code upgrade}.
   */
  public static void upgrade(HttpServerRequest req, String user, String status) {
    if (LOG.isInfoEnabled()) {
      LOG.info("{} {} {} {} {}", req.remoteAddress() == null ? "-" : req.remoteAddress().hostAddress(),
          user == null ? "-" : user, req.method(), redact(req.uri()), status);
    }
  }

  public static String redact(String uri) {
    return uri == null ? "" : SESSION.matcher(TOKEN.matcher(uri).replaceAll("$1REDACTED")).replaceFirst("$1REDACTED$2");
  }
}
