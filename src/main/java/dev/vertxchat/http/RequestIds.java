package dev.vertxchat.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Every HTTP request's id: set as the {@code X-Request-Id} response header before the request is routed
 * (so the WebSocket upgrade's 101 and every refusal carry it too), written on the request's access line
 * and on any error logged for it. A new random id of 16 hex characters, except that a request that
 * comes from a trusted proxy ({@code http.trustedProxies}) keeps the {@code X-Request-Id} the proxy sent
 * when it is 1 to 64 characters of {@code [A-Za-z0-9._-]}: a client cannot put its own text in the log.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final ClientAddress addresses;

  RequestIds(ClientAddress addresses) {
    this.addresses = addresses;
  }

  /** Gives the request its id (the response header); returns it. */
  String assign(HttpServerRequest request) {
    String id = null;
    String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (peer != null && addresses.trustedProxy(peer)) {
      String given = request.getHeader(HEADER);
      if (given != null && ACCEPTED.matcher(given).matches()) {
        id = given;
      }
    }
    if (id == null) {
      id = random();
    }
    request.response().putHeader(HEADER, id);
    return id;
  }

  /** The id {@link #assign} gave the request this response answers; {@code -} when it has none. */
  public static String of(HttpServerResponse response) {
    String id = response.headers().get(HEADER);
    return id == null ? "-" : id;
  }

  static String of(RoutingContext ctx) {
    return of(ctx.response());
  }

  /** 64 random bits as 16 hex characters: for telling log lines apart, not a secret. */
  static String random() {
    String hex = Long.toHexString(ThreadLocalRandom.current().nextLong());
    return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
  }
}
