package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
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

  /** Version 1 of the PostgreSQL schema as it was released (before conversations). */
  private static final List<String> VERSION_1 = List.of(
      "CREATE TABLE schema_version (version INT NOT NULL)",
      "CREATE TABLE rooms (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, topic VARCHAR(256) NOT NULL,"
          + " created_by VARCHAR(64), created_at BIGINT NOT NULL)",
      "CREATE INDEX rooms_created_by ON rooms (created_by)",
      "CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, name_key VARCHAR(128) NOT NULL,"
          + " name_upper_key VARCHAR(128), password_hash VARCHAR(256) NOT NULL, created_at BIGINT NOT NULL,"
          + " CONSTRAINT accounts_name_key UNIQUE (name_key), CONSTRAINT accounts_name_upper_key UNIQUE (name_upper_key))",
      "CREATE TABLE name_keys_version (version VARCHAR(64) NOT NULL)",
      "CREATE TABLE messages (id BIGINT PRIMARY KEY, room_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL,"
          + " user_name VARCHAR(64) NOT NULL, text BYTEA NOT NULL, ts BIGINT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT FALSE)",
      "CREATE INDEX messages_room_id ON messages (room_id, id)",
      "CREATE TABLE bans (user_id VARCHAR(128) PRIMARY KEY, reason VARCHAR(200), banned_by VARCHAR(128) NOT NULL,"
          + " since BIGINT NOT NULL)",
      "CREATE TABLE settings (name VARCHAR(64) PRIMARY KEY, setting_value VARCHAR(256) NOT NULL)",
      "CREATE SEQUENCE message_ids AS BIGINT",
      "CREATE TABLE room_heads (room_id VARCHAR(64) PRIMARY KEY, last_id BIGINT NOT NULL)",
      "INSERT INTO schema_version (version) VALUES (1)",
      "INSERT INTO rooms (id, name, topic, created_by, created_at) VALUES ('old', 'Old Room', 'kept', 'u-1', 5)",
      "INSERT INTO room_heads (room_id, last_id) VALUES ('old', 2)",
      "SELECT setval('message_ids', 2)",
      "INSERT INTO messages (id, room_id, user_id, user_name, text, ts) VALUES (1, 'old', 'u-1', 'ann', convert_to('Hello From Before', 'UTF8'), 9)",
      "INSERT INTO messages (id, room_id, user_id, user_name, text, ts) VALUES (2, 'old', 'u-1', 'ann', '\\x6e756c00'::BYTEA, 9)");

  @Test
  void aDatabaseOfVersion1UpgradesWithItsRoomsAndMessages() {
    String old = Postgres.freshDatabaseUrl();
    Pool pool = PgDatabase.pool(vertx, old, 1);
    try {
      for (String sql : VERSION_1) {
        await(pool.query(sql).execute());
      }
    } finally {
      await(pool.close());
    }
    JsonObject json = dev.vertxchat.config.ConfigDefaults.json();
    json.getJsonObject("data").put("dir", dataDir.toString());
    json.getJsonObject("store").put("type", "postgres").getJsonObject("postgres").put("url", old);
    Stores upgraded = await(Stores.open(vertx, new dev.vertxchat.config.ChatConfig(json), dev.vertxchat.auth.Names.KEYS_VERSION,
        dev.vertxchat.auth.Names::keys));
    try {
      assertEquals(new Room("old", "Old Room", "kept", 0, Room.PUBLIC, false), await(upgraded.rooms().get("old")));
      MessageStore messages = upgraded.messages();
      assertEquals(List.of(Envelope.chat(1, "old", ANN, "Hello From Before", 9), Envelope.chat(2, "old", ANN, "nul\u0000", 9)),
          await(messages.page("old", null, null, 10)));
      assertEquals(List.of(1L), await(messages.search("u-2", null, List.of("hello", "from"), null, 10)).messages().stream()
          .map(Envelope::id).toList());
      assertEquals(ConversationStore.OWNER, await(upgraded.conversations().access("old", 0)).members().get("u-1").role());
      assertEquals(3L, await(messages.append(List.of(new MessageStore.NewMessage("old", BOB, "after")), 10)).get(0).envelope().id());
      assertEquals(2, await(upgraded.pool().query("SELECT MAX(version) FROM schema_version").execute()).iterator().next().getInteger(0));
    } finally {
      await(upgraded.close());
    }
  }
}
