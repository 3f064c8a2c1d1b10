package dev.vertxchat.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * {@code GET /health/live}, {@code GET /health/ready} and {@code GET /health} (the ready check, as
 * before): 200 with the checks when all are UP, else 503 with the failing ones' causes; never 500
 * (every check bounds its own time and maps its failures to DOWN, see {@link Health}). Mountable on any
 * router: the public port's and an admin listener's.
 */
public final class HealthRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(HealthRoutes.class);
  public static final String LIVE = "/health/live";
  public static final String READY = "/health/ready";
  public static final String HEALTH = "/health";

  private final Health health;

  public HealthRoutes(Health health) {
    this.health = health;
  }

  public void mount(Router router) {
    router.get(LIVE).handler(ctx -> answer(ctx, health::live));
    router.get(READY).handler(ctx -> answer(ctx, health::ready));
    router.get(HEALTH).handler(ctx -> answer(ctx, health::ready));
  }

  private static void answer(RoutingContext ctx, Supplier<Future<Health.Report>> report) {
    Future<Health.Report> f;
    try {
      f = report.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      HttpServerResponse response = ctx.response();
      if (response.closed() || response.ended()) {
        return;
      }
      response.putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
      if (ar.failed()) {
        // not expected (the checks never fail); still a 503 the load balancer understands, not a 500
        LOG.warn("Health report failed", ar.cause());
        response.setStatusCode(503).end("{\"status\":\"DOWN\",\"outcome\":\"DOWN\",\"checks\":[]}");
        return;
      }
      Health.Report r = ar.result();
      response.setStatusCode(r.up() ? 200 : 503).end(r.toJson().encode());
    });
  }
}
