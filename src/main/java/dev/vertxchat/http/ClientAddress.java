package dev.vertxchat.http;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a client is, for the per-address limits. The peer's IP address, except behind a configured
 * trusted proxy ({@code http.trustedProxies}), where it is the last {@code X-Forwarded-For} entry (the
 * address that proxy saw). IPv6 addresses count per /64, since one host usually holds a whole /64.
 */
public final class ClientAddress {
  private final Set<String> trustedProxies;

  public ClientAddress(List<String> trustedProxies) {
    this.trustedProxies = trustedProxies.stream().map(ClientAddress::canonical).collect(Collectors.toUnmodifiableSet());
  }

  /** Whether a peer address is one of the trusted proxies (whose connections carry many clients). */
  public boolean trustedProxy(String peer) {
    return trustedProxies.contains(canonical(peer));
  }

  /** The limit key of the client that sent a request. */
  public String of(HttpServerRequest request) {
    String address = address(request);
    return address == null ? "unknown" : key(address);
  }

  /**
   * The IP address of the client that sent a request, as the access log shows it: the peer's, or behind
   * a trusted proxy the one that proxy names; null when the peer's is unknown.
   */
  public String address(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (peer == null) {
      return null;
    }
    if (trustedProxy(peer)) {
      // the last entry of the last header line is the one the proxy added (a client may send lines of its own)
      java.util.List<String> lines = request.headers().getAll("X-Forwarded-For");
      String forwarded = lines.isEmpty() ? null : lines.get(lines.size() - 1);
      if (forwarded != null) {
        String last = forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
        if (NetUtil.isValidIpV4Address(last) || NetUtil.isValidIpV6Address(last)) {
          return last;
        }
      }
    }
    return peer;
  }

  /** The limit key of an IP address: IPv4 as it is, IPv6 by its /64 prefix. */
  public static String key(String address) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      return address;
    }
    if (bytes.length == 4) {
      return NetUtil.bytesToIpAddress(bytes);
    }
    if (isIpv4Mapped(bytes)) {
      return NetUtil.bytesToIpAddress(java.util.Arrays.copyOfRange(bytes, 12, 16));
    }
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
    }
    return prefix.append(":/64").toString();
  }

  /** {@code ::ffff:a.b.c.d}: an IPv4 client seen through a dual-stack socket or proxy. */
  private static boolean isIpv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  private static String canonical(String address) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    return bytes == null ? address : NetUtil.bytesToIpAddress(bytes);
  }
}
