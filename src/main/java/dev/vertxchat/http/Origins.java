package dev.vertxchat.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open bridge connections: the configured {@code http.allowedOrigins}, and
 * always the service's own origin. That is {@code http.publicOrigin} when set (the Host header is then
 * not consulted: a client chooses it, so {@code Origin} and {@code Host} both naming
 * {@code evil.example} prove nothing); otherwise the origin whose host and port the request was
 * addressed to. Requests without an {@code Origin} header come from non-browser clients and are allowed.
 */
public final class Origins {
  private final Set<String> allowed;
  /** The normalized {@code http.publicOrigin}, or null when not set. */
  private final String own;

  public Origins(List<String> configured, String publicOrigin) {
    this.allowed = configured.stream().map(Origins::normalize).collect(Collectors.toUnmodifiableSet());
    this.own = publicOrigin == null || publicOrigin.isEmpty() ? null : normalize(publicOrigin);
  }

  public List<String> configured() {
    return List.copyOf(allowed);
  }

  /** Whether the request carries an Origin header naming one of the configured origins. */
  public boolean configuredOrigin(HttpServerRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String normalized = origin == null ? null : normalize(origin);
    return normalized != null && allowed.contains(normalized);
  }

  public boolean allowed(HttpServerRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null) {
      return true;
    }
    String normalized = normalize(origin);
    if (normalized == null) {
      return false;
    }
    if (allowed.contains(normalized)) {
      return true;
    }
    if (own != null) {
      return normalized.equals(own);
    }
    String host = request.getHeader(HttpHeaders.HOST);
    if (host == null) {
      return false;
    }
    String scheme = normalized.substring(0, normalized.indexOf(':'));
    return normalized.equals(normalize(scheme + "://" + host));
  }

  /** {@code scheme://host[:port]} in lower case without a default port, or null when not an origin. */
  static String normalize(String origin) {
    try {
      URI uri = new URI(origin.trim());
      String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
        return null;
      }
      int port = uri.getPort();
      boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (Exception e) {
      return null;
    }
  }
}
