package dev.vertxchat.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many connections are open, in total and per client address, across every HTTP verticle
 * instance of the process (one instance of this class per Vert.x instance, kept in shared data).
 * Used for bridge connections ({@link HandshakeGuard}) and by the HTTP layer for TCP connections.
 */
public final class Connections implements Shareable {
  private final AtomicInteger total = new AtomicInteger();
  /** Request body bytes received but not yet complete, over all connections (the HTTP layer's guard). */
  private final AtomicLong pendingBodyBytes = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

  /** The process-wide instance for a Vert.x instance and a purpose ("tcp", "bridge"). */
  public static Connections shared(Vertx vertx, String purpose) {
    return vertx.sharedData().<String, Connections>getLocalMap("vertxchat.connections")
        .computeIfAbsent(purpose, k -> new Connections());
  }

  /**
   * Counts one more connection for {@code address} unless that would pass {@code max} in total or
   * {@code maxPerAddress} for the address ({@code maxPerAddress} 0: no per-address cap).
   *
   * @return whether it was counted (then {@link #close} must follow exactly once)
   */
  public boolean tryOpen(String address, int max, int maxPerAddress) {
    if (total.incrementAndGet() > max) {
      total.decrementAndGet();
      return false;
    }
    boolean[] ok = {true};
    perAddress.compute(address, (k, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      if (maxPerAddress > 0 && count.get() >= maxPerAddress) {
        ok[0] = false;
      } else {
        count.incrementAndGet();
      }
      return count.get() == 0 ? null : count;
    });
    if (!ok[0]) {
      total.decrementAndGet();
    }
    return ok[0];
  }

  /** Counts one more connection for {@code address}, whatever the caps (its admission was checked before). */
  public void open(String address) {
    total.incrementAndGet();
    perAddress.computeIfAbsent(address, k -> new AtomicInteger()).incrementAndGet();
  }

  public void close(String address) {
    total.decrementAndGet();
    perAddress.computeIfPresent(address, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  public int total() {
    return total.get();
  }

  public int of(String address) {
    AtomicInteger n = perAddress.get(address);
    return n == null ? 0 : n.get();
  }

  /** Request body bytes received but not yet complete: adds {@code delta}, returns the new total. */
  public long addPendingBodyBytes(long delta) {
    return pendingBodyBytes.addAndGet(delta);
  }
}
