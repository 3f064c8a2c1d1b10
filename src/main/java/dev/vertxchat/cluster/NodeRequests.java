package dev.vertxchat.cluster;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Asks every node of the cluster to do something for itself, and answers for this node: an event-bus
 * request to each live node's own internal address ({@link Addresses#node}, never bridged), with a
 * timeout, gathered into one answer that says which nodes did not answer in time instead of failing.
 * The admin state the nodes share (bans, sign-in settings, connections, deleted rooms) goes this way.
 * Only for a clustered Vert.x: {@link #of} answers null otherwise, and the single process calls its
 * parts directly.
 */
public final class NodeRequests {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRequests.class);
  /** How long a node has to answer a request of {@link #everyNode}. */
  public static final long TIMEOUT_MS = 5_000;

  /** The answers of the nodes that answered in time, and the ids of those that did not (or failed). */
  public record Answers(List<JsonObject> answers, List<String> missing) {
    /** {@code {"answered","missing"}}: how many nodes answered, how many did not. */
    public JsonObject nodesJson() {
      return new JsonObject().put("answered", answers.size()).put("missing", missing.size());
    }
  }

  private final Vertx vertx;
  private final ClusterNode node;

  private NodeRequests(Vertx vertx, ClusterNode node) {
    this.vertx = vertx;
    this.node = node;
  }

  /** Requests among the nodes of {@code node}'s cluster; null when {@code node} is null (a single process). */
  public static NodeRequests of(Vertx vertx, ClusterNode node) {
    return node == null ? null : new NodeRequests(vertx, node);
  }

  /** This node's id. */
  public String nodeId() {
    return node.nodeId();
  }

  /**
   * Answers {@code action} for this node with {@code handler} (a failure is answered with 5000 and its
   * message); completes when the registration has reached the cluster.
   */
  public Future<MessageConsumer<JsonObject>> serve(String action, Function<JsonObject, Future<JsonObject>> handler) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.node(node.nodeId(), action),
        (Message<JsonObject> request) -> {
          Future<JsonObject> answer;
          try {
            answer = handler.apply(request.body() == null ? new JsonObject() : request.body());
          } catch (RuntimeException e) {
            answer = Future.failedFuture(e);
          }
          answer.onComplete(ar -> {
            if (ar.succeeded()) {
              request.reply(ar.result() == null ? new JsonObject() : ar.result());
            } else {
              LOG.warn("Node request {} failed on this node: {}", action, ar.cause().toString());
              request.fail(ErrorCodes.INTERNAL, String.valueOf(ar.cause().getMessage()));
            }
          });
        });
    return consumer.completion().map(consumer);
  }

  /**
   * Sends {@code body} to {@code action} of every live node, this one included, and completes (never
   * fails) when each has answered or {@link #TIMEOUT_MS} has passed.
   */
  public Future<Answers> everyNode(String action, JsonObject body) {
    List<String> nodes = node.nodes();
    List<Future<Message<JsonObject>>> requests = new ArrayList<>();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
    for (String id : nodes) {
      requests.add(vertx.eventBus().<JsonObject>request(Addresses.node(id, action), body, options)
          // a backstop: the send timeout fails the request already
          .timeout(TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS));
    }
    return Future.join(requests).transform(ar -> {
      List<JsonObject> answers = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        Future<Message<JsonObject>> f = requests.get(i);
        if (f.succeeded()) {
          answers.add(f.result().body().copy().put("node", nodes.get(i)));
        } else {
          missing.add(nodes.get(i));
          LOG.warn("Node {} did not answer {}: {}", nodes.get(i), action, f.cause().toString());
        }
      }
      return Future.succeededFuture(new Answers(answers, missing));
    });
  }
}
