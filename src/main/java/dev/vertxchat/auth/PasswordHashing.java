package dev.vertxchat.auth;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Password hashing off the event loop, on its own small worker pool ({@code auth.hashThreads}
 * threads, named {@value #EXECUTOR}), so a flood of sign-ins can never take the worker threads that
 * database work runs on. At most {@code auth.hashQueue} hashes wait at once in the process; beyond
 * that a sign-in is refused at once (5001, {@code Retry-After: 1}) instead of queueing without bound.
 */
public final class PasswordHashing {
  public static final String EXECUTOR = "vertxchat-password-hashing";

  private static final class Pending implements Shareable {
    final AtomicInteger count = new AtomicInteger();
  }

  private final PasswordHasher hasher;
  private final WorkerExecutor executor;
  private final int maxPending;
  private final AtomicInteger pending;

  public PasswordHashing(Vertx vertx, PasswordHasher hasher, WorkerExecutor executor, int maxPending) {
    this.hasher = hasher;
    this.executor = executor;
    this.maxPending = maxPending;
    this.pending = vertx.sharedData().<String, Pending>getLocalMap("vertxchat.hashing")
        .computeIfAbsent("pending", k -> new Pending()).count;
  }

  public Future<String> hash(String password) {
    return submit(() -> hasher.hash(password));
  }

  public Future<Boolean> verify(String password, String stored) {
    return submit(() -> hasher.verify(password, stored));
  }

  private <T> Future<T> submit(Callable<T> work) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "sign-in is busy, try again in a moment", 1));
    }
    return executor.executeBlocking(work, false).andThen(ar -> pending.decrementAndGet());
  }
}
