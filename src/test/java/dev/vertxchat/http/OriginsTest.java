package dev.vertxchat.http;

import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which browser origins may open a bridge connection (no server): the configured origins, the service's
 * own origin (http.publicOrigin, or else the Host the request was addressed to, compared as
 * scheme://host:port), and any client that sends no Origin at all.
 */
class OriginsTest {
  /** A request with only these headers (names in any case); Origins must not look at anything else. */
  private static HttpServerRequest request(String origin, String host) {
    Map<String, String> headers = new HashMap<>();
    if (origin != null) {
      headers.put("origin", origin);
    }
    if (host != null) {
      headers.put("host", host);
    }
    return (HttpServerRequest) Proxy.newProxyInstance(OriginsTest.class.getClassLoader(), new Class<?>[] {HttpServerRequest.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getHeader") && args.length == 1) {
            return headers.get(args[0].toString().toLowerCase(Locale.ROOT));
          }
          throw new UnsupportedOperationException("Origins read " + method.getName());
        });
  }

  private static final Origins HOST_ONLY = new Origins(List.of(), null);

  @Test
  void aClientWithoutAnOriginIsNotABrowserAndIsAllowed() {
    assertTrue(HOST_ONLY.allowed(request(null, "127.0.0.1:8080")));
    assertTrue(HOST_ONLY.allowed(request(null, null)));
    assertTrue(new Origins(List.of(), "https://chat.example.com").allowed(request(null, "evil.example")));
    assertFalse(HOST_ONLY.configuredOrigin(request(null, "127.0.0.1:8080")), "no Origin is no configured origin");
  }

  @Test
  void withoutAPublicOriginTheOwnOriginIsTheHostTheRequestWasAddressedTo() {
    assertTrue(HOST_ONLY.allowed(request("http://127.0.0.1:8080", "127.0.0.1:8080")));
    assertTrue(HOST_ONLY.allowed(request("http://chat.example.com", "chat.example.com:80")), "80 is http's default port");
    assertTrue(HOST_ONLY.allowed(request("http://chat.example.com:80", "chat.example.com")));
    assertTrue(HOST_ONLY.allowed(request("https://chat.example.com", "chat.example.com:443")), "443 is https's default port");
    assertTrue(HOST_ONLY.allowed(request("HTTP://Chat.Example.COM", "chat.example.COM")), "scheme and host in any case");
    assertTrue(HOST_ONLY.allowed(request("http://[::1]:8080", "[::1]:8080")), "an IPv6 literal");

    assertFalse(HOST_ONLY.allowed(request("http://127.0.0.1:8080", "127.0.0.1:9090")), "another port");
    assertFalse(HOST_ONLY.allowed(request("http://127.0.0.1", "127.0.0.1:8080")), "the default port is not 8080");
    assertFalse(HOST_ONLY.allowed(request("https://chat.example.com", "chat.example.com:80")), "https on port 80 is another origin");
    assertFalse(HOST_ONLY.allowed(request("http://evil.example", "chat.example.com")), "another host");
    assertFalse(HOST_ONLY.allowed(request("http://chat.example.com.evil.example", "chat.example.com")), "a longer host");
    assertFalse(HOST_ONLY.allowed(request("http://chat.example.com", null)), "no Host: nothing to compare with");
    assertFalse(HOST_ONLY.configuredOrigin(request("http://127.0.0.1:8080", "127.0.0.1:8080")), "the own origin is not a configured one");
  }

  @Test
  void configuredOriginsAreAllowedInAnySpellingAndOnlyExactly() {
    Origins origins = new Origins(List.of("https://app.example.com", "http://localhost:3000/"), null);
    for (String origin : List.of("https://app.example.com", "https://APP.example.com:443", " https://app.example.com ",
        "http://localhost:3000", "HTTP://LOCALHOST:3000")) {
      assertTrue(origins.allowed(request(origin, "chat.example.com")), origin);
      assertTrue(origins.configuredOrigin(request(origin, "chat.example.com")), origin);
    }
    for (String origin : List.of("http://app.example.com", "https://app.example.com:8443", "https://sub.app.example.com",
        "http://localhost", "http://localhost:3001")) {
      assertFalse(origins.allowed(request(origin, "chat.example.com")), origin);
      assertFalse(origins.configuredOrigin(request(origin, "chat.example.com")), origin);
    }
    assertTrue(origins.allowed(request("https://chat.example.com", "chat.example.com")), "the own origin as well");
    assertEquals(Set.of("https://app.example.com", "http://localhost:3000"), Set.copyOf(origins.configured()), "kept normalized");
  }

  /**
   * With http.publicOrigin the Host header is not trusted (a client chooses it: Origin and Host both
   * naming evil.example prove nothing); only the public origin, in any spelling, and the configured ones.
   */
  @Test
  void aPublicOriginReplacesTheHostHeader() {
    Origins origins = new Origins(List.of("https://app.example.com"), "https://chat.example.com");
    assertFalse(origins.allowed(request("http://evil.example:8080", "evil.example:8080")), "a rebound Host proves nothing");
    assertFalse(origins.allowed(request("http://127.0.0.1:8080", "127.0.0.1:8080")), "the address reached is not the own origin");
    for (String origin : List.of("https://chat.example.com", "HTTPS://Chat.Example.com:443")) {
      assertTrue(origins.allowed(request(origin, "whatever.example")), origin);
      assertFalse(origins.configuredOrigin(request(origin, "whatever.example")), origin + " is the own origin, not a configured one");
    }
    assertFalse(origins.allowed(request("http://chat.example.com", "chat.example.com")), "the public origin is https");
    assertTrue(origins.allowed(request("https://app.example.com", "chat.example.com")), "configured origins too");
  }

  @Test
  void whatIsNotAnHttpOriginIsRefused() {
    for (String origin : List.of("null", "", "chat.example.com", "ftp://chat.example.com", "file:///etc/passwd", "http://",
        "http://exa mple.com", "javascript:alert(1)")) {
      assertFalse(HOST_ONLY.allowed(request(origin, "chat.example.com")), origin);
      assertNull(Origins.normalize(origin), origin);
    }
  }

  @Test
  void normalizedOriginsAreLowerCaseSchemeHostAndPortWithoutTheDefaultPort() {
    assertEquals("https://chat.example.com", Origins.normalize("HTTPS://Chat.Example.com:443"));
    assertEquals("http://chat.example.com", Origins.normalize("http://chat.example.com:80/"));
    assertEquals("http://chat.example.com:443", Origins.normalize("http://chat.example.com:443"));
    assertEquals("https://chat.example.com:80", Origins.normalize("https://chat.example.com:80"));
    assertEquals("http://127.0.0.1:8080", Origins.normalize(" http://127.0.0.1:8080 "));
  }
}
