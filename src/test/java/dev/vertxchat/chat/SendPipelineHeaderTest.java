package dev.vertxchat.chat;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.RoomMessage;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.MessageStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The send pipeline publishes a stored message with header {@code prev} (its room's previous id) when the
 * store tracks it, and without any header when it does not (the journal).
 */
class SendPipelineHeaderTest {
  private static final UserRef ANN = new UserRef("g-ann", "ann");
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    RoomMessage.registerCodec(vertx);
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  /** A store that gives ids from 10 on and, when {@code tracked}, each message's predecessor in its room. */
  private static MessageStore store(boolean tracked) {
    return new MessageStore() {
      long next = 10;
      final java.util.Map<String, Long> heads = new java.util.HashMap<>();

      @Override
      public Future<List<Stored>> append(List<NewMessage> batch, long ts) {
        List<Stored> out = new ArrayList<>();
        for (NewMessage m : batch) {
          Envelope e = Envelope.chat(next, m.room(), m.user(), m.text(), ts);
          long previous = heads.getOrDefault(m.room(), 0L);
          heads.put(m.room(), next++);
          out.add(tracked ? new Stored(e, e.toJson().encode(), previous) : new Stored(e, e.toJson().encode()));
        }
        return Future.succeededFuture(out);
      }

      @Override
      public Future<List<Envelope>> page(String room, Long before, Long after, int limit) {
        return Future.succeededFuture(List.of());
      }

      @Override
      public Future<Boolean> delete(String room, long id) {
        return Future.succeededFuture(false);
      }

      @Override
      public Future<Void> deleteRoom(String room) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Envelope> get(String room, long id) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Boolean> edit(String room, long id, String text, long ts) {
        return Future.succeededFuture(false);
      }

      @Override
      public Future<Integer> react(String room, long id, String emoji, dev.vertxchat.bus.UserRef user, boolean on, long ts) {
        return Future.succeededFuture(-1);
      }

      @Override
      public Future<SearchPage> search(String userId, String room, List<String> terms, Long before, int limit) {
        return Future.succeededFuture(new SearchPage(List.of(), null));
      }
    };
  }

  private List<Message<Object>> sendThree(boolean tracked) {
    List<Message<Object>> got = new CopyOnWriteArrayList<>();
    Promise<Void> three = Promise.promise();
    await(vertx.eventBus().consumer(Addresses.room("r"), m -> {
      got.add(m);
      if (got.size() == 3) {
        three.complete();
      }
    }).completion());
    SendPipeline pipeline = new SendPipeline(vertx, store(tracked), 16, 0);
    Promise<Void> acked = Promise.promise();
    // bound and fed on one context, as the chat verticle does
    vertx.runOnContext(x -> {
      pipeline.bind(vertx.getOrCreateContext());
      Future.all(List.of(
          pipeline.submit(new MessageStore.NewMessage("r", ANN, "one")),
          pipeline.submit(new MessageStore.NewMessage("r", ANN, "two")),
          pipeline.submit(new MessageStore.NewMessage("r", ANN, "three")))).<Void>mapEmpty().onComplete(acked);
    });
    await(acked.future());
    await(three.future().timeout(5, TimeUnit.SECONDS));
    return got;
  }

  @Test
  void aTrackedStoreHasEachMessagePublishedWithItsPredecessor() {
    List<Message<Object>> got = sendThree(true);
    assertEquals(List.of("0", "10", "11"), got.stream().map(m -> m.headers().get(Addresses.HEADER_PREVIOUS)).toList());
    assertEquals(List.of(10L, 11L, 12L), got.stream().map(m -> ((RoomMessage) m.body()).envelope().id()).toList());
  }

  @Test
  void theJournalHasNoHeaderPublished() {
    for (Message<Object> m : sendThree(false)) {
      assertNull(m.headers().get(Addresses.HEADER_PREVIOUS));
      assertFalse(m.headers().contains(Addresses.HEADER_PREVIOUS));
      assertSame(RoomMessage.class, m.body().getClass());
    }
  }
}
