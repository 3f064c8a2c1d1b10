package dev.vertxchat.chat;

import io.vertx.core.Future;

/**
 * The per-user message rate ({@code limits.messagesPerSecond}, {@code limits.messageBurst}): one owner per
 * service, asked once per send. {@link #local} in a single process (a token bucket per user in memory,
 * answered at once); {@link ClusterMessageRate} across the nodes of a cluster (this node's bucket first,
 * then the user's bucket in the cluster).
 */
public interface MessageRate {
  /** @return true when {@code userId} may send one more message now (and it is counted), false when refused */
  Future<Boolean> tryAcquire(String userId);

  /** The rate of {@code limiter}, a token bucket in this process: answers completed futures. */
  static MessageRate local(RateLimiter limiter) {
    return new LocalMessageRate(limiter);
  }
}
