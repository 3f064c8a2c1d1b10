package dev.vertxchat.http;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.bridge.HandshakeGuard;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.regex.Pattern;

/**
 * One line per request on logger {@code dev.vertxchat.http.access}: client address ({@link ClientAddress#address}:
 * behind a trusted proxy the client it names), user id ({@code -}
 * when the request was not authenticated), method, URI with the {@code token} query parameter and
 * SockJS session ids redacted, status sent, duration, then {@code id=<request id>} ({@link RequestIds}).
 * A token never appears, only the user id it names. The same values ride along as key-value pairs
 * ({@code client}, {@code user} when known, {@code method}, {@code uri}, {@code status}, {@code durationMs},
 * {@code requestId}), which the JSON log format writes as fields.
 *
 * <p>Method and URI are the client's text: their control characters (C0, DEL, C1), bidi controls and
 * backslashes are written escaped (a backslash, {@code x} and two hex digits; for bidi controls {@code u}
 * and four), in the line and in the pairs, so
 * a request cannot move a terminal's cursor, recolour it or erase what an operator reads.
 */
public final class AccessLog implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger("dev.vertxchat.http.access");
  private static final Pattern TOKEN = Pattern.compile("([?&]token=)[^&]*", Pattern.CASE_INSENSITIVE);
  /** A SockJS session id (/eventbus/<server>/<session>/<transport>) lets whoever knows it act in that session. */
  private static final Pattern SESSION = Pattern.compile("^(" + HttpVerticle.BRIDGE_PATH + "/+[^/?]*/+)[^/?]+(/)");
  private final ClientAddress addresses;

  public AccessLog(ClientAddress addresses) {
    this.addresses = addresses;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    HttpServerRequest req = ctx.request();
    boolean[] written = {false};
    Handler<String> line = status -> {
      if (!written[0] && LOG.isInfoEnabled()) {
        written[0] = true;
        String user = user(ctx);
        long ms = (System.nanoTime() - start) / 1_000_000;
        line(req, user, status).addKeyValue("durationMs", ms)
            .log("{} {} {} {} {} {}ms id={}", client(req), user == null ? "-" : user, method(req), redact(req.uri()), status, ms,
                RequestIds.of(ctx));
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
    return identity == null ? null : identity.user().id();
  }

  private String client(HttpServerRequest req) {
    String address = addresses.address(req);
    return address == null ? "-" : address;
  }

  private static String method(HttpServerRequest req) {
    return escape(req.method().name());
  }

  /** The key-value pairs every access line has (the user only when known). */
  private LoggingEventBuilder line(HttpServerRequest req, String user, String status) {
    LoggingEventBuilder line = LOG.atInfo().addKeyValue("client", client(req));
    if (user != null) {
      line = line.addKeyValue("user", user);
    }
    Object code = !status.isEmpty() && status.chars().allMatch(Character::isDigit) ? (Object) Integer.valueOf(status) : status;
    return line.addKeyValue("method", method(req)).addKeyValue("uri", redact(req.uri()))
        .addKeyValue("status", code).addKeyValue("requestId", RequestIds.of(req.response()));
  }

  /**
   * The line for a WebSocket upgrade (served ahead of the router), once the handshake checks are done:
   * {@code user} null and the status sent when they refused it, else the user and {@code upgrade}.
   */
  public void upgrade(HttpServerRequest req, String user, String status) {
    if (LOG.isInfoEnabled()) {
      line(req, user, status).log("{} {} {} {} {} id={}", client(req), user == null ? "-" : user, method(req),
          redact(req.uri()), status, RequestIds.of(req.response()));
    }
  }

  /** The URI as logged: token and session id redacted, control characters escaped. */
  public static String redact(String uri) {
    return uri == null ? "" : escape(SESSION.matcher(TOKEN.matcher(uri).replaceAll("$1REDACTED")).replaceFirst("$1REDACTED$2"));
  }

  /** Control characters (C0, DEL, C1) and the backslash as {@code \xNN}, bidi controls as backslash, {@code u}, four hex digits. */
  static String escape(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\\';
      boolean bidi = c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
      if (!control && !bidi) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      out.append(control ? String.format("\\x%02X", (int) c) : String.format("\\u%04X", (int) c));
    }
    return out == null ? text : out.toString();
  }
}
