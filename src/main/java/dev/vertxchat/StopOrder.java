package dev.vertxchat;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Stops the deployment plan in order. Vert.x undeploys all children of a verticle at once: the HTTP
 * verticles' room consumers went away while the chat verticles still published messages they had just
 * accepted, and the chat verticles' service consumers went away while HTTP still forwarded requests to
 * them; each such message was logged as "Discarding message since the consumer is not registered" (and
 * a request lost that way was answered only by its timeout).
 *
 * <p>Once the whole plan is deployed ({@link #planDeployed()}), undeploying it (the process stopping, or
 * {@link MainVerticle} undeployed)
 * <ul>
 *   <li>stops the entries in reverse order: an entry's verticles stop once every later entry's have
 *   stopped (HTTP closes its connections and finishes its requests while chat still answers them);</li>
 *   <li>keeps each verticle's context, and with it its event-bus consumers, until every entry has stopped,
 *   so nothing is sent to a consumer that is going away.</li>
 * </ul>
 * Before that (a deployment failing and rolled back, a start that did not finish), every verticle stops at
 * once and there is no drain, as in Vert.x: holding one back could wait for a deployment that is itself
 * waiting for that rollback, and a node that never served has nothing to drain.
 *
 * <p>A verticle outside the plan that must serve through the whole stop (the admin listener: its
 * readiness says "draining", its {@code /metrics} and liveness answer) is wrapped by {@link #last}: it
 * stops once every entry has stopped.
 */
final class StopOrder {
  /** Per plan entry, instances started and not yet stopped. */
  private final int[] running;
  private final List<List<Promise<Void>>> waiting = new ArrayList<>();
  private boolean armed;
  /** The first step of a stop, before any entry stops (the drain); started once, by the first undeploy. */
  private final Supplier<Future<Void>> beforeStop;
  private Future<Void> beforeStopped; // guarded by this

  StopOrder(int entries) {
    this(entries, Future::succeededFuture);
  }

  /** @param beforeStop runs once when an armed plan begins to stop; the entries stop after it completes (or fails) */
  StopOrder(int entries, Supplier<Future<Void>> beforeStop) {
    this.beforeStop = beforeStop;
    running = new int[entries];
    for (int i = 0; i < entries; i++) {
      waiting.add(new ArrayList<>());
    }
  }

  /** The instances of plan entry {@code entry}, each stopped in its turn. */
  Supplier<Deployable> entry(int entry, Supplier<? extends Deployable> instances) {
    return () -> new Staged(entry, instances.get());
  }

  /**
   * {@code verticle}, not part of the plan, stopped after the drain and after every entry of the plan has
   * stopped (when the plan is armed; at once otherwise).
   */
  Deployable last(Deployable verticle) {
    return new Deployable() {
      @Override
      public Future<?> deploy(Context context) throws Exception {
        return verticle.deploy(context);
      }

      @Override
      public Future<?> undeploy(Context context) throws Exception {
        if (!armed()) {
          return verticle.undeploy(context);
        }
        return beforeStop().compose(v -> stoppedAll(i -> true)).compose(v -> {
          try {
            return verticle.undeploy(context);
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
        });
      }
    };
  }

  /** The service has started (the plan and everything after it): from now on undeploying drains, then stops in order. */
  synchronized void planDeployed() {
    armed = true;
  }

  private synchronized boolean armed() {
    return armed;
  }

  private Future<Void> beforeStop() {
    synchronized (this) {
      if (beforeStopped == null) {
        Future<Void> f;
        try {
          f = beforeStop.get();
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        beforeStopped = f.otherwiseEmpty();
      }
      return beforeStopped;
    }
  }

  private synchronized void started(int entry) {
    running[entry]++;
  }

  private void stopped(int entry) {
    List<Promise<Void>> done;
    synchronized (this) {
      if (--running[entry] > 0) {
        return;
      }
      done = new ArrayList<>(waiting.get(entry));
      waiting.get(entry).clear();
    }
    done.forEach(Promise::tryComplete);
  }

  /** Completes once no instance of the entries {@code which} selects is running. */
  private Future<Void> stoppedAll(IntPredicate which) {
    List<Future<Void>> pending = new ArrayList<>();
    synchronized (this) {
      for (int i = 0; i < running.length; i++) {
        if (which.test(i) && running[i] > 0) {
          Promise<Void> p = Promise.promise();
          waiting.get(i).add(p);
          pending.add(p.future());
        }
      }
    }
    return Future.all(pending).mapEmpty();
  }

  private final class Staged implements Deployable {
    private final int entry;
    private final Deployable verticle;
    private boolean started;

    Staged(int entry, Deployable verticle) {
      this.entry = entry;
      this.verticle = verticle;
    }

    @Override
    public Future<?> deploy(Context context) throws Exception {
      return verticle.deploy(context).onSuccess(v -> {
        started = true;
        started(entry);
      });
    }

    @Override
    public Future<?> undeploy(Context context) {
      if (!armed()) {
        return stop(context);
      }
      return beforeStop()
          .compose(v -> stoppedAll(i -> i > entry))
          .compose(v -> stop(context))
          .transform(stop -> stoppedAll(i -> i < entry)
              .transform(v -> stop.succeeded() ? Future.succeededFuture() : Future.failedFuture(stop.cause())));
    }

    private Future<Object> stop(Context context) {
      Future<?> stop;
      try {
        stop = verticle.undeploy(context);
      } catch (Exception e) {
        stop = Future.failedFuture(e);
      }
      return stop.<Object>map(v -> v).andThen(ar -> {
        if (started) {
          started = false;
          stopped(entry);
        }
      });
    }
  }
}
