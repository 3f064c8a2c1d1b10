package dev.vertxchat.auth;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Password hashing off the event loop, on its own small worker pool ({@code auth.hashThreads}
 * threads, named {@value #EXECUTOR}), so a flood of sign-ins can never take the worker threads that
 * database work runs on. At most {@code auth.hashQueue} sign-ins that hash run at once in the process
 * (from their account lookup to their hash); beyond that a sign-in is refused at once (5001,
 * {@code Retry-After: 1}) instead of queueing without bound, before it touches the database.
 */
public final class PasswordHashing {
  public static final String EXECUTOR = "vertxchat-password-hashing";

  private final PasswordHasher hasher;
  private final WorkerExecutor executor;
  private final int maxPending;
  /** Sign-ins holding a place; one instance per service, shared by its HTTP verticle instances. */
  private final AtomicInteger pending = new AtomicInteger();

  public PasswordHashing(PasswordHasher hasher, WorkerExecutor executor, int maxPending) {
    this.hasher = hasher;
    this.executor = executor;
    this.maxPending = maxPending;
  }

  /**
   * Runs a sign-in that will hash while holding one of the {@code auth.hashQueue} places, or refuses it
   * at once when none is free.
   */
  public <T> Future<T> admit(Supplier<Future<T>> signIn) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "sign-in is busy, try again in a moment", 1));
    }
    Future<T> result;
    try {
      result = signIn.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.andThen(ar -> pending.decrementAndGet());
  }

  /** Hashes on the hashing pool; call inside {@link #admit}. */
  public Future<String> hash(String password) {
    return executor.executeBlocking(() -> hasher.hash(password), false);
  }

  /** Verifies on the hashing pool; call inside {@link #admit}. */
  public Future<Boolean> verify(String password, String stored) {
    return executor.executeBlocking(() -> hasher.verify(password, stored), false);
  }
}
