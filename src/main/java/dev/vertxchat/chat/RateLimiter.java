package dev.vertxchat.chat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per key (user, or user and room, or client address). A bucket holds at most
 * {@code burst} tokens and refills at {@code perSecond}; each accepted action takes one. One instance
 * per limit and service, created by the limit's owner and shared by its verticle instances (updates are
 * atomic per key, safe from any event loop).
 */
public final class RateLimiter {
  private record Bucket(double tokens, long atNanos) {}

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final double perSecond;
  private final double burst;

  public RateLimiter(double perSecond, double burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** @return true when the action is allowed (and a token was taken) */
  public boolean tryAcquire(String key) {
    long now = System.nanoTime();
    boolean[] ok = {false};
    buckets.compute(key, (k, b) -> {
      double tokens = b == null ? burst : Math.min(burst, b.tokens() + (now - b.atNanos()) / 1e9 * perSecond);
      if (tokens >= 1) {
        ok[0] = true;
        tokens -= 1;
      }
      return new Bucket(tokens, now);
    });
    return ok[0];
  }

  /** Gives back a token taken by {@link #tryAcquire} (the action it was taken for did not count). */
  public void refund(String key) {
    buckets.computeIfPresent(key, (k, b) -> new Bucket(Math.min(burst, b.tokens() + 1), b.atNanos()));
  }

  /**
   * How long until {@code key} may act again, without taking a token: 0 when it may act now, else the
   * milliseconds until its bucket holds a whole token (for a {@code Retry-After}).
   */
  public long waitMillis(String key) {
    Bucket b = buckets.get(key);
    if (b == null) {
      return 0;
    }
    double tokens = Math.min(burst, b.tokens() + (System.nanoTime() - b.atNanos()) / 1e9 * perSecond);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perSecond * 1000);
  }

  /** Forgets buckets that have refilled completely: they behave exactly like no bucket. */
  public void sweep() {
    long now = System.nanoTime();
    for (String key : buckets.keySet()) {
      buckets.computeIfPresent(key, (k, b) -> b.tokens() + (now - b.atNanos()) / 1e9 * perSecond >= burst ? null : b);
    }
  }
}
