package dev.vertxchat.chat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Runs asynchronous steps one after the other per key, in the order they were asked for (from any thread): a
 * step starts when the key's previous step has completed, whether it succeeded or failed. Keys without a
 * pending step hold nothing. The step gets the asking caller's context, on which it should complete (for
 * example through {@code Future.fromCompletionStage(stage, context)}), so that the caller's callbacks run there.
 */
final class InOrder {
  private final Vertx vertx;
  private final Map<String, Future<?>> tails = new ConcurrentHashMap<>();

  InOrder(Vertx vertx) {
    this.vertx = vertx;
  }

  <T> Future<T> run(String key, Function<Context, Future<T>> step) {
    Context context = vertx.getOrCreateContext();
    Promise<T> done = Promise.promise();
    Future<T> mine = done.future();
    Future<?> previous = tails.put(key, mine);
    if (previous == null) {
      start(step, context, done);
    } else {
      previous.onComplete(ar -> start(step, context, done));
    }
    mine.onComplete(ar -> tails.remove(key, mine));
    return mine;
  }

  /** Keys with a step running or waiting (for tests and gauges). */
  int pending() {
    return tails.size();
  }

  private static <T> void start(Function<Context, Future<T>> step, Context context, Promise<T> done) {
    Future<T> result;
    try {
      result = step.apply(context);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(done);
  }
}
