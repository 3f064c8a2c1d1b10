package dev.vertxchat.http;

import dev.vertxchat.store.JournalStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The service's liveness and readiness, made once per service ({@link HttpParts}) and asked by
 * {@link HealthRoutes}:
 * <ul>
 *   <li>live: every watched verticle context (each instance of the plan's verticles) runs a no-op
 *   within {@value #EVENT_LOOP_MS} ms, i.e. no event loop is stuck;</li>
 *   <li>ready: the database answers within {@value #DATABASE_MS} ms; the journal's copy into the
 *   database keeps up (its backlog is below half of {@code store.maxUnindexed} and the latest copy did
 *   not fail); the service is not draining (a stop has begun, {@link #drain}); the {@code cluster}
 *   slot is UP (always, unless clustered and a check was set with {@link #clusterCheck}).</li>
 * </ul>
 * Every check bounds itself and never fails: an exception or no answer is a DOWN check with a cause.
 */
public final class Health {
  private static final Logger LOG = LoggerFactory.getLogger(Health.class);
  static final long EVENT_LOOP_MS = 1000;
  static final long DATABASE_MS = 1500;

  /** One check's outcome: {@code {"id","status":"UP"|"DOWN","cause"?, "data"?}}. */
  public record Check(String id, boolean up, String cause, JsonObject data) {
    static Check up(String id, JsonObject data) {
      return new Check(id, true, null, data);
    }

    static Check down(String id, String cause, JsonObject data) {
      return new Check(id, false, cause, data);
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id).put("status", up ? "UP" : "DOWN");
      if (cause != null) {
        json.put("cause", cause);
      }
      if (data != null && !data.isEmpty()) {
        json.put("data", data);
      }
      return json;
    }
  }

  /** A set of checks: UP when every check is. */
  public record Report(List<Check> checks) {
    public boolean up() {
      return checks.stream().allMatch(Check::up);
    }

    /** {@code {"status","outcome","checks":[...]}} (the shape of Vert.x's health-check handler). */
    public JsonObject toJson() {
      JsonArray list = new JsonArray();
      checks.forEach(c -> list.add(c.toJson()));
      String status = up() ? "UP" : "DOWN";
      return new JsonObject().put("status", status).put("outcome", status).put("checks", list);
    }
  }

  private final Vertx vertx;
  private final Supplier<Future<Void>> database;
  private final JournalStatus journal;
  private final Map<Context, String> contexts = new ConcurrentHashMap<>();
  private volatile boolean draining;
  private volatile Supplier<Future<Check>> cluster;

  /**
   * @param database completes when the database answers
   * @param journal  the journal's copy into the database, null when the store has none
   */
  public Health(Vertx vertx, Supplier<Future<Void>> database, JournalStatus journal) {
    this.vertx = vertx;
    this.database = database;
    this.journal = journal;
    this.cluster = () -> Future.succeededFuture(Check.up("cluster", new JsonObject().put("clustered", vertx.isClustered())));
  }

  /** Watches {@code context} (a verticle instance's) in the live check until {@link #unwatch}; any thread. */
  public void watch(Context context, String name) {
    contexts.put(context, name);
  }

  public void unwatch(Context context) {
    contexts.remove(context);
  }

  /**
   * The {@code cluster} check of readiness when clustered: completes with whether this node has joined.
   * Without one, the slot is UP (issue 12 plugs the cluster manager's view in here).
   */
  public void clusterCheck(Supplier<Future<Boolean>> joined) {
    this.cluster = () -> joined.get().map(ok -> ok
        ? Check.up("cluster", new JsonObject().put("clustered", true))
        : Check.down("cluster", "this node has not joined the cluster", new JsonObject().put("clustered", true)));
  }

  /**
   * Readiness turns DOWN ("draining") from now on, and stays so; the returned future completes after
   * {@code graceMs} (at once for 0), when the caller goes on closing connections.
   */
  public Future<Void> drain(long graceMs) {
    draining = true;
    if (graceMs <= 0) {
      return Future.succeededFuture();
    }
    LOG.info("draining: readiness is 503, closing connections in {} ms", graceMs);
    Promise<Void> waited = Promise.promise();
    vertx.setTimer(graceMs, id -> waited.complete());
    return waited.future();
  }

  public boolean draining() {
    return draining;
  }

  /** The process works: every watched event loop answers. */
  public Future<Report> live() {
    return all(List.of(eventLoops()));
  }

  /** The service can take traffic. */
  public Future<Report> ready() {
    return all(List.of(databaseCheck(), journalCheck(), drainingCheck(), clusterCheck()));
  }

  private Future<Report> all(List<Future<Check>> checks) {
    return Future.join(checks).transform(ar -> {
      List<Check> out = new ArrayList<>();
      for (Future<Check> f : checks) {
        out.add(f.result()); // every check completes with a result (bounded, failures mapped to DOWN)
      }
      return Future.succeededFuture(new Report(out));
    });
  }

  private Future<Check> eventLoops() {
    List<Map.Entry<Context, String>> watched = new ArrayList<>(contexts.entrySet());
    List<Future<String>> answers = new ArrayList<>();
    for (Map.Entry<Context, String> entry : watched) {
      answers.add(bounded(ping(entry.getKey()).map(entry.getValue()), EVENT_LOOP_MS));
    }
    return Future.join(answers).transform(ar -> {
      List<String> stuck = new ArrayList<>();
      for (int i = 0; i < answers.size(); i++) {
        if (answers.get(i).failed()) {
          stuck.add(watched.get(i).getValue());
        }
      }
      JsonObject data = new JsonObject().put("contexts", watched.size());
      return Future.succeededFuture(stuck.isEmpty() ? Check.up("eventLoops", data)
          : Check.down("eventLoops", "no answer within " + EVENT_LOOP_MS + " ms from " + String.join(", ", stuck), data));
    });
  }

  private static Future<Void> ping(Context context) {
    Promise<Void> answered = Promise.promise();
    context.runOnContext(v -> answered.tryComplete());
    return answered.future();
  }

  private Future<Check> databaseCheck() {
    return guard("database", () -> bounded(database.get(), DATABASE_MS)
        .map(v -> Check.up("database", null))
        .otherwise(err -> Check.down("database", err instanceof NoAnswer ? "no answer within " + DATABASE_MS + " ms"
            : "the database does not answer", null)));
  }

  private Future<Check> journalCheck() {
    if (journal == null) { // no journal (PostgreSQL): nothing waits to be copied
      return Future.succeededFuture(Check.up("journal", new JsonObject().put("backlog", 0)));
    }
    return guard("journal", () -> {
      int backlog = journal.backlog();
      int limit = journal.backlogLimit() / 2;
      JsonObject data = new JsonObject().put("backlog", backlog).put("threshold", limit);
      if (journal.lastCopyFailure() != null) {
        return Future.succeededFuture(Check.down("journal", "copying the journal into the database fails", data));
      }
      if (backlog >= limit) {
        return Future.succeededFuture(Check.down("journal", "the copy into the database is behind", data));
      }
      return Future.succeededFuture(Check.up("journal", data));
    });
  }

  private Future<Check> drainingCheck() {
    return Future.succeededFuture(draining ? Check.down("draining", "draining", null) : Check.up("draining", null));
  }

  private Future<Check> clusterCheck() {
    return guard("cluster", () -> bounded(cluster.get(), DATABASE_MS));
  }

  /** Runs a check; whatever goes wrong (a throw, a failed future) is a DOWN check. */
  private static Future<Check> guard(String id, Supplier<Future<Check>> check) {
    Future<Check> f;
    try {
      f = check.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.otherwise(err -> {
      LOG.debug("Health check {} failed", id, err);
      return Check.down(id, err instanceof NoAnswer ? "no answer in time" : "the check failed", null);
    });
  }

  /** {@code f}, or a failure with {@link NoAnswer} when it has not completed within {@code ms}. */
  private <T> Future<T> bounded(Future<T> f, long ms) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(ms, id -> result.tryFail(new NoAnswer()));
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  private static final class NoAnswer extends RuntimeException {
    NoAnswer() {
      super("no answer in time", null, false, false);
    }
  }
}
