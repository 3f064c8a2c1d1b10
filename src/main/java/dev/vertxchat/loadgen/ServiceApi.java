package dev.vertxchat.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** The REST calls the generator needs: guest tokens and rooms. */
final class ServiceApi {
  /** A signed-in guest. */
  record Guest(String token, String userId) {}

  private final Vertx vertx;
  /** One client per --url (a node of a cluster, or the proxy in front of them). */
  private final List<HttpClient> http = new ArrayList<>();
  private final Stats stats;

  ServiceApi(Vertx vertx, Options o, Stats stats) {
    this.vertx = vertx;
    this.stats = stats;
    for (Options.Target t : o.targets) {
      http.add(vertx.createHttpClient(new HttpClientOptions().setDefaultHost(t.host()).setDefaultPort(t.port())
          .setKeepAlive(true).setConnectTimeout(10_000).setLocalAddress(o.sourceAddresses.get(0)),
          new PoolOptions().setHttp1MaxSize(Math.min(64, o.connectConcurrency))));
    }
  }

  /** POST /api/auth/guest {"name"} on the first URL. */
  Future<Guest> guest(String name) {
    return guest(name, 0);
  }

  /** POST /api/auth/guest {"name"} on URL {@code target} (index into --url). */
  Future<Guest> guest(String name, int target) {
    return call(target, HttpMethod.POST, "/api/auth/guest", null, new JsonObject().put("name", name)).compose(r -> {
      if (r.status != 200) {
        return Future.failedFuture("guest sign-in answered " + r.status + " " + r.body);
      }
      JsonObject json = new JsonObject(r.body);
      return Future.succeededFuture(new Guest(json.getString("token"), json.getJsonObject("user").getString("id")));
    });
  }

  /** POST /api/rooms {"id"} on the first URL; an existing room (409) is fine. */
  Future<Void> room(String token, String id) {
    return call(0, HttpMethod.POST, "/api/rooms", token, new JsonObject().put("id", id)).compose(r -> r.status == 201 || r.status == 409
        ? Future.succeededFuture() : Future.failedFuture("room creation answered " + r.status + " " + r.body));
  }

  /** GET /api/rooms/{id}/messages?after=&limit= on URL {@code target}: one page of the room's history, oldest first. */
  Future<JsonArray> history(int target, String token, String room, long after, int limit) {
    return call(target, HttpMethod.GET, "/api/rooms/" + room + "/messages?after=" + after + "&limit=" + limit, token, null)
        .compose(r -> r.status == 200 ? Future.succeededFuture(new JsonObject(r.body).getJsonArray("messages"))
            : Future.failedFuture("history answered " + r.status + " " + r.body));
  }

  private record Answer(int status, String body) {}

  private Future<Answer> call(int target, HttpMethod method, String uri, String token, JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).setTimeout(30_000)
        .putHeader("Content-Type", "application/json");
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    return http.get(target).request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body.encode())))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString())));
  }

  Future<Void> close() {
    return Future.all(http.stream().map(HttpClient::close).toList()).mapEmpty();
  }

  /**
   * Runs {@code task(0..n-1)} with at most {@code concurrency} unfinished at a time; completes when all
   * have finished. A failed task is counted as error {@code what} and does not stop the others.
   */
  static Future<Void> bounded(Vertx vertx, Stats stats, String what, int n, int concurrency, IntFunction<Future<?>> task) {
    Promise<Void> all = Promise.promise();
    if (n == 0) {
      all.complete();
      return all.future();
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] worker = new Runnable[1];
    worker[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      Future<?> f;
      try {
        f = task.apply(i);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (ar.failed()) {
          stats.error(what);
          if (stats.errors().get(what) <= 3) {
            System.err.println("loadgen: " + what + ": " + ar.cause());
          }
        }
        if (finished.incrementAndGet() == n) {
          all.complete();
        } else {
          vertx.runOnContext(v -> worker[0].run());
        }
      });
    };
    for (int k = 0; k < Math.min(n, concurrency); k++) {
      vertx.runOnContext(v -> worker[0].run());
    }
    return all.future();
  }
}
