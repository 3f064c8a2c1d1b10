package dev.vertxchat.store;

import dev.vertxchat.bus.Room;
import dev.vertxchat.store.RoomStore.Created;
import dev.vertxchat.store.RoomStore.Quota;
import dev.vertxchat.support.Postgres;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The store contracts on PostgreSQL (a fresh database per test, see {@link Postgres}), and what only a
 * store shared by several nodes must do: a quota that holds for creates racing on two nodes.
 */
class PgStoreContractTest extends StoreContractTest {
  private String url;

  @Override
  JsonObject storeConfig() {
    if (url == null) {
      url = Postgres.freshDatabaseUrl();
    }
    return new JsonObject().put("type", "postgres").put("postgres", new JsonObject().put("url", url).put("poolSize", 4));
  }

  @Test
  void theQuotaHoldsForCreatesRacingOnTwoNodes() {
    Pool other = PgDatabase.pool(vertx, url, 4);
    try {
      List<RoomStore> nodes = List.of(stores.rooms(), new PgRoomStore(other));
      Quota quota = new Quota(3, 5);
      List<Future<Created>> racing = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        racing.add(nodes.get(i % 2).create(new Room("r" + i, "r" + i, "", 0), i < 8 ? "u-1" : "u-" + i, quota));
      }
      await(Future.all(racing));
      List<Created> results = racing.stream().map(Future::result).toList();
      assertEquals(3, results.subList(0, 8).stream().filter(Created.CREATED::equals).count(), results.toString());
      assertEquals(5, results.stream().filter(Created.CREATED::equals).count(), results.toString());
      assertEquals(5, await(stores.rooms().page(null, null, 100)).rooms().size());
    } finally {
      await(other.close());
    }
  }
}
