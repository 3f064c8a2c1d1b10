package dev.vertxchat.bridge;

import io.vertx.core.http.HttpServerRequest;

/**
 * What the web layer knows about the client of a bridge request, which the bridge needs for its
 * handshake checks: whether its {@code Origin} may use the bridge, and which client address it counts
 * against. Implemented by the HTTP layer (its Origin rules and trusted proxies), so the bridge does not
 * depend on it.
 */
public interface Clients {
  /** Whether the request's {@code Origin} (or its absence) may use the bridge. */
  boolean originAllowed(HttpServerRequest request);

  /** The client address the request counts against (behind a trusted proxy: the forwarded one). */
  String address(HttpServerRequest request);

  /**
   * Whether {@code http.maxConnectionsPerAddress} applies to the request's {@code address}: not when it
   * is a trusted proxy's own address (a proxy that named no client), which only the total cap bounds.
   */
  boolean perAddressCapped(HttpServerRequest request, String address);
}
