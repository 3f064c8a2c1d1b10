package dev.vertxchat.chat;

import dev.vertxchat.cluster.RateBuckets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link MessageRate} across the cluster: this node's bucket first (a user over the rate here is refused without
 * a network hop), then the user's bucket in the cluster ({@link RateBuckets}, one per user for all nodes). A send
 * the cluster refuses gives this node's token back, so this node's bucket counts only what it accepted. One
 * user's checks on this node run one after the other, so their answers (and the sends) keep their order.
 *
 * <p>Exact up to the checks in flight: the cluster bucket is one atomic counter per user, so over any time T a
 * user gets at most {@code rate * T + burst} messages accepted whatever nodes they send through. When the cluster
 * cannot answer (an error, a timeout), this node's bucket alone decides: the send is accepted at this node's
 * rate, logged and counted ({@link #failures}).
 */
final class ClusterMessageRate implements MessageRate {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMessageRate.class);
  private static final Future<Boolean> REFUSED = Future.succeededFuture(false);
  private final RateLimiter local;
  private final RateBuckets cluster;
  private final InOrder inOrder;
  private final AtomicLong failures = new AtomicLong();

  ClusterMessageRate(Vertx vertx, RateLimiter local, RateBuckets cluster) {
    this.local = local;
    this.cluster = cluster;
    this.inOrder = new InOrder(vertx);
  }

  @Override
  public Future<Boolean> tryAcquire(String userId) {
    if (!local.tryAcquire(userId)) {
      return REFUSED;
    }
    return inOrder.run(userId, context -> Future.fromCompletionStage(cluster.take(userId), context))
        .transform(ar -> {
          if (ar.failed()) {
            failures.incrementAndGet();
            LOG.atWarn().addKeyValue("user", userId).setCause(ar.cause())
                .log("Cluster message rate of {} could not be asked; this node's bucket decides", userId);
            return Future.succeededFuture(true);
          }
          if (!ar.result()) {
            local.refund(userId);
          }
          return Future.succeededFuture(ar.result());
        });
  }

  /** Checks the cluster could not answer (this node's bucket decided them alone). */
  long failures() {
    return failures.get();
  }
}
