package dev.vertxchat.chat;

import dev.vertxchat.store.ConversationStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link Access} is shared by every verticle of the process and keeps one read per room: whoever asks, the answer
 * runs on the asker's own context (event loop). The bridge's connection state and fan-out belong to the HTTP
 * verticle that asked; a callback on another verticle's event loop would touch them from the wrong thread.
 */
@ExtendWith(VertxExtension.class)
class AccessContextTest {

  @Test
  void aSharedReadAnswersEachCallerOnItsOwnContext(Vertx vertx, VertxTestContext test) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    // the store's read completes on the context that started it (as the SQL clients' futures do)
    ConversationStore store = (ConversationStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ConversationStore.class}, (proxy, method, args) -> {
          if (!method.getName().equals("access")) {
            throw new UnsupportedOperationException(method.getName());
          }
          return vertx.executeBlocking(() -> {
            release.await(10, TimeUnit.SECONDS);
            return (ConversationStore.RoomAccess) null;
          });
        });
    Access access = new Access(vertx, store);
    // two verticles' contexts, as two HTTP verticle instances have
    Context first = ((VertxInternal) vertx).createEventLoopContext();
    Context second = ((VertxInternal) vertx).createEventLoopContext();
    CountDownLatch firstAsked = new CountDownLatch(1);
    CountDownLatch asked = new CountDownLatch(1);
    var checkpoint = test.checkpoint(2);
    first.runOnContext(v -> {
      access.of("general").onComplete(test.succeeding(r -> test.verify(() -> {
        assertSame(first, Vertx.currentContext(), "the first asker's answer on its context");
        checkpoint.flag();
      })));
      firstAsked.countDown();
    });
    firstAsked.await(5, TimeUnit.SECONDS); // the first asker starts the read; the second gets the same one
    second.runOnContext(v -> {
      access.of("general").onComplete(test.succeeding(r -> test.verify(() -> {
        assertSame(second, Vertx.currentContext(), "the second asker (same cached read) answered on its own context");
        checkpoint.flag();
      })));
      asked.countDown();
    });
    asked.await(5, TimeUnit.SECONDS);
    release.countDown();
  }
}
