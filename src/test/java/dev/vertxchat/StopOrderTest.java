package dev.vertxchat;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.DeploymentOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The plan stops in order: a "front" entry (like HTTP) stops while the "back" entry it depends on (like
 * chat) still answers, and the back stops while the front's consumers are still registered.
 */
@ExtendWith(VertxExtension.class)
class StopOrderTest {
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Entry 0: answers "back"; when it stops, the front's consumer must still be there. */
  private final class Back extends VerticleBase {
    @Override
    public Future<?> start() {
      return vertx.eventBus().consumer("back", m -> m.reply("ok")).completion();
    }

    @Override
    public Future<?> stop() {
      return vertx.eventBus().request("front.alive", "?").map(reply -> events.add("back stopped, front consumer alive"))
          .recover(err -> Future.succeededFuture(events.add("back stopped, front consumer gone: " + err.getMessage())));
    }
  }

  /** Entry 1: registers "front.alive"; when it stops, the back must still answer. */
  private final class Front extends VerticleBase {
    @Override
    public Future<?> start() {
      return vertx.eventBus().consumer("front.alive", m -> m.reply("ok")).completion();
    }

    @Override
    public Future<?> stop() {
      return vertx.eventBus().request("back", "?").map(reply -> events.add("front stopped, back answered"))
          .recover(err -> Future.succeededFuture(events.add("front stopped, back gone: " + err.getMessage())));
    }
  }

  /** Deploys the two entries as its children, two instances each, the way MainVerticle deploys its plan. */
  private final class Root extends VerticleBase {
    private final boolean failSecondFront;

    Root(boolean failSecondFront) {
      this.failSecondFront = failSecondFront;
    }

    @Override
    public Future<?> start() {
      StopOrder order = new StopOrder(2);
      AtomicInteger fronts = new AtomicInteger();
      DeploymentOptions two = new DeploymentOptions().setInstances(2);
      return vertx.deployVerticle(order.entry(0, Back::new), two)
          .compose(id -> vertx.deployVerticle(order.entry(1, () -> failSecondFront && fronts.incrementAndGet() == 2
              ? new VerticleBase() {
                @Override
                public Future<?> start() {
                  return Future.failedFuture("second front refuses to start");
                }
              }
              : new Front()), two))
          .onSuccess(id -> order.planDeployed());
    }
  }

  @Test
  void theFrontStopsFirstAndTheBackWhileTheFrontsConsumersAreStillThere(Vertx vertx) {
    String id = await(vertx.deployVerticle(new Root(false)));
    await(vertx.undeploy(id));
    assertEquals(List.of("front stopped, back answered", "front stopped, back answered",
        "back stopped, front consumer alive", "back stopped, front consumer alive"), events);
  }

  /** Before the plan is deployed nothing is held back: the rolled-back front must not wait for the back's stop. */
  @Test
  void aPlanThatFailsToDeployIsRolledBackWithoutWaiting(Vertx vertx) {
    Throwable failure = assertThrows(Throwable.class, () -> await(vertx.deployVerticle(new Root(true))));
    assertTrue(String.valueOf(failure.getMessage()).contains("second front refuses to start"), String.valueOf(failure));
    assertEquals(0, vertx.deploymentIDs().size(), "everything rolled back: " + vertx.deploymentIDs());
  }
}
