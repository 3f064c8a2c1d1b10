package dev.vertxchat.chat;

import io.vertx.core.Future;

/** {@link MessageRate} in one process: the {@link RateLimiter}'s answer, as one of two shared completed futures. */
final class LocalMessageRate implements MessageRate {
  private static final Future<Boolean> ALLOWED = Future.succeededFuture(true);
  private static final Future<Boolean> REFUSED = Future.succeededFuture(false);
  private final RateLimiter limiter;

  LocalMessageRate(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public Future<Boolean> tryAcquire(String userId) {
    return limiter.tryAcquire(userId) ? ALLOWED : REFUSED;
  }
}
