package dev.vertxchat.chat;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.store.MessageStore;
import dev.vertxchat.store.MessageStore.NewMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Group commit for accepted messages: they queue while a batch is being stored, and the next batch
 * takes up to {@code batchMax} of them in one journal write. A message is published to its room and
 * acknowledged only after its batch is durable.
 *
 * <p>Order by construction: there is one pipeline per service, and everything it does runs on one
 * context, its owner's ({@link #submit} hops there from any other). The owner is the first chat
 * verticle instance that starts ({@link #bind}), so with one instance (the default) a send never
 * changes threads. Batches are stored one after the
 * other (ids increase from batch to batch, and within a batch in its order), and each batch is
 * published from the owner's context as soon as it is stored, before the next one is written. Vert.x
 * delivers the messages one context publishes to a consumer in the order published, so every
 * subscriber sees a room's messages in id order. A store that tracks each message's predecessor
 * ({@link MessageStore.Stored#previous}, PostgreSQL shared by several nodes) has it published as header
 * {@code prev}, by which the bridge orders what several nodes publish.
 */
final class SendPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(SendPipeline.class);

  private record Pending(NewMessage message, Promise<Envelope> promise) {}

  private final Vertx vertx;
  /** Set once by {@link #bind}; read from any thread. */
  private volatile Context owner;
  private final MessageStore store;
  private final int batchMax;
  private final long delayMs;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean flushing;
  private long timer = -1;
  private volatile Promise<Void> drained;
  /** Rooms deleted since their messages were accepted: those are refused instead of stored. */
  private final Predicate<String> roomGone;
  /** Waiting for the batch being stored ({@link #settled}); owner context only. */
  private final List<Promise<Void>> settling = new ArrayList<>();

  SendPipeline(Vertx vertx, MessageStore store, int batchMax, long delayMs) {
    this(vertx, store, batchMax, delayMs, room -> false);
  }

  SendPipeline(Vertx vertx, MessageStore store, int batchMax, long delayMs, Predicate<String> roomGone) {
    this.vertx = vertx;
    this.store = store;
    this.batchMax = batchMax;
    this.delayMs = delayMs;
    this.roomGone = roomGone;
  }

  /**
   * Completes once the batch being stored now (if any) is stored and published: a room deleted before
   * this call gets no message stored after the future completes (queued ones are refused with 3001).
   */
  Future<Void> settled() {
    Context owner = this.owner;
    if (owner == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    owner.runOnContext(v -> {
      if (flushing) {
        settling.add(done);
      } else {
        done.complete();
      }
    });
    return done.future();
  }

  /**
   * Queues a message; the future completes, on the caller's context, once it is stored and published
   * (or refused: nothing was stored).
   */
  /**
   * Makes {@code context} the owner, the context every step runs on, unless the pipeline has one;
   * true when it became the owner (and must {@link #drain} it when it stops).
   */
  synchronized boolean bind(Context context) {
    if (owner != null) {
      return false;
    }
    owner = context;
    return true;
  }

  Future<Envelope> submit(NewMessage message) {
    Context owner = this.owner;
    if (owner == null) {
      return Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "the chat service is not started"));
    }
    Context caller = vertx.getOrCreateContext();
    if (caller == owner) {
      return enqueue(message);
    }
    Promise<Envelope> answer = Promise.promise();
    owner.runOnContext(v -> enqueue(message).onComplete(ar -> caller.runOnContext(x -> answer.handle(ar))));
    return answer.future();
  }

  private Future<Envelope> enqueue(NewMessage message) {
    if (drained != null) {
      return Future.failedFuture(new ChatException(ErrorCodes.UNAVAILABLE, "the server is shutting down"));
    }
    Promise<Envelope> promise = Promise.promise();
    queue.add(new Pending(message, promise));
    if (!flushing) {
      if (delayMs <= 0 || queue.size() >= batchMax) {
        flushNow();
      } else if (timer < 0) {
        // wait a moment so that more messages share the next commit
        timer = vertx.setTimer(delayMs, id -> {
          timer = -1;
          if (!flushing) {
            flush();
          }
        });
      }
    }
    return promise.future();
  }

  /** Stops accepting and completes once everything accepted so far is stored and acknowledged. */
  Future<Void> drain() {
    Context owner = this.owner;
    Promise<Void> done = drained;
    if (owner == null || (done != null && done.future().isComplete())) {
      return done == null ? Future.succeededFuture() : done.future(); // nothing ever ran, or drained already
    }
    if (Vertx.currentContext() != owner) {
      Promise<Void> hop = Promise.promise();
      owner.runOnContext(v -> drain().onComplete(hop));
      return hop.future();
    }
    if (drained == null) {
      drained = Promise.promise();
      if (!flushing && queue.isEmpty()) {
        drained.complete();
      } else if (!flushing) {
        flushNow();
      }
    }
    return drained.future();
  }

  private void flushNow() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    flush();
  }

  private void flush() {
    flushing = true;
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), batchMax));
    while (!queue.isEmpty() && batch.size() < batchMax) {
      Pending next = queue.poll();
      if (roomGone.test(next.message().room())) {
        next.promise().fail(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + next.message().room()));
      } else {
        batch.add(next);
      }
    }
    if (batch.isEmpty()) {
      settle();
      flushing = false;
      if (drained != null) {
        drained.tryComplete();
      }
      return;
    }
    List<NewMessage> messages = new ArrayList<>(batch.size());
    batch.forEach(p -> messages.add(p.message()));
    store.append(messages, System.currentTimeMillis())
        .onSuccess(stored -> {
          for (int i = 0; i < stored.size(); i++) {
            MessageStore.Stored one = stored.get(i);
            Envelope envelope = one.envelope();
            if (one.previous() >= 0) {
              // a store shared by several nodes: subscribers order the room's messages by this header
              RoomEvents.publish(vertx.eventBus(), new RoomMessage(envelope, one.json()), one.previous());
            } else {
              RoomEvents.publish(vertx.eventBus(), new RoomMessage(envelope, one.json()));
            }
            batch.get(i).promise().complete(envelope);
          }
        })
        .onFailure(err -> {
          ChatException failure;
          if (err instanceof ChatException refused) {
            // the store refused the batch on purpose (backlog, shutting down); nothing was stored
            LOG.warn("Storing a batch of {} messages refused: {}", batch.size(), refused.getMessage());
            failure = refused;
          } else {
            LOG.error("Storing a batch of {} messages failed", batch.size(), err);
            failure = new ChatException(ErrorCodes.UNAVAILABLE, "the message could not be stored");
          }
          batch.forEach(p -> p.promise().tryFail(failure));
        })
        .onComplete(ar -> {
          settle();
          flushing = false;
          if (!queue.isEmpty()) {
            flush();
          } else if (drained != null) {
            drained.tryComplete();
          }
        });
  }

  private void settle() {
    if (!settling.isEmpty()) {
      List<Promise<Void>> waiting = new ArrayList<>(settling);
      settling.clear();
      waiting.forEach(Promise::complete);
    }
  }
}
