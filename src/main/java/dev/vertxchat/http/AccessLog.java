package dev.vertxchat.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * One line per request on logger {@code dev.vertxchat.http.access}, with the {@code token} query
 * parameter and SockJS session ids redacted.
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
        LOG.info("{} {} {} {} {}ms", req.remoteAddress() == null ? "-" : req.remoteAddress().hostAddress(), req.method(),
            redact(req.uri()), status, (System.nanoTime() - start) / 1_000_000);
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

  /** The line for a raw WebSocket upgrade, which is served ahead of the router. */
  public static void upgrade(HttpServerRequest req) {
    if (LOG.isInfoEnabled()) {
      LOG.info("{} {} {} upgrade", req.remoteAddress() == null ? "-" : req.remoteAddress().hostAddress(), req.method(),
          redact(req.uri()));
    }
  }

  public static String redact(String uri) {
    return uri == null ? "" : SESSION.matcher(TOKEN.matcher(uri).replaceAll("$1REDACTED")).replaceFirst("$1REDACTED$2");
  }
}
