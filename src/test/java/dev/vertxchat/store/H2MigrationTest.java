package dev.vertxchat.store;

import dev.vertxchat.auth.Names;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigDefaults;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An H2 database made by the versions before conversations (schema 1-5, their statements copied here as they were
 * released) upgrades at start with its rooms and messages intact: the room public, the message readable and found by
 * search, its creator the owner.
 */
@ExtendWith(VertxExtension.class)
class H2MigrationTest {
  private static final List<String> VERSIONS_1_TO_5 = List.of(
      "CREATE TABLE schema_version (version INT NOT NULL)",
      "CREATE TABLE rooms (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, topic VARCHAR(256) NOT NULL,"
          + " created_by VARCHAR(64), created_at BIGINT NOT NULL)",
      "CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, name VARCHAR(64) NOT NULL, name_key VARCHAR(128) NOT NULL,"
          + " password_hash VARCHAR(256) NOT NULL, created_at BIGINT NOT NULL, CONSTRAINT accounts_name_key UNIQUE (name_key))",
      "CREATE TABLE messages (id BIGINT PRIMARY KEY, room_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL,"
          + " user_name VARCHAR(64) NOT NULL, text CHARACTER VARYING NOT NULL, ts BIGINT NOT NULL)",
      "CREATE INDEX messages_room_id ON messages (room_id, id)",
      "CREATE INDEX rooms_created_by ON rooms (created_by)",
      "ALTER TABLE accounts ADD COLUMN IF NOT EXISTS name_upper_key VARCHAR(128)",
      "CREATE UNIQUE INDEX IF NOT EXISTS accounts_name_upper_key ON accounts (name_upper_key)",
      "CREATE TABLE IF NOT EXISTS name_keys_version (version VARCHAR(64) NOT NULL)",
      "CREATE TABLE IF NOT EXISTS bans (user_id VARCHAR(128) PRIMARY KEY, reason VARCHAR(200),"
          + " banned_by VARCHAR(128) NOT NULL, since BIGINT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS settings (name VARCHAR(64) PRIMARY KEY, setting_value VARCHAR(256) NOT NULL)",
      "ALTER TABLE messages ADD COLUMN IF NOT EXISTS deleted BOOLEAN DEFAULT FALSE NOT NULL",
      "CREATE TABLE IF NOT EXISTS message_ids (top BIGINT NOT NULL)",
      "ALTER TABLE bans ALTER COLUMN reason SET DATA TYPE VARCHAR(400)",
      "INSERT INTO schema_version (version) VALUES (1), (2), (3), (4), (5)");

  @TempDir
  Path dataDir;

  @Test
  void aDatabaseOfVersion5UpgradesWithItsRoomsAndMessages(Vertx vertx) throws Exception {
    try (Connection conn = Database.connect(dataDir.toString()); Statement st = conn.createStatement()) {
      for (String sql : VERSIONS_1_TO_5) {
        st.execute(sql);
      }
      st.execute("INSERT INTO rooms (id, name, topic, created_by, created_at) VALUES ('old', 'Old Room', 'kept', 'u-1', 5)");
      st.execute("INSERT INTO messages (id, room_id, user_id, user_name, text, ts) VALUES (7, 'old', 'u-1', 'ann', 'Hello From Before', 9)");
    }

    JsonObject json = ConfigDefaults.json();
    json.getJsonObject("data").put("dir", dataDir.toString());
    Stores stores = await(Stores.open(vertx, new ChatConfig(json), Names.KEYS_VERSION, Names::keys));
    MessageJournal journal = await(MessageJournal.open(vertx, dataDir.toString(), new MessageJournal.Options(false, 50, 1000, 1_000_000)));
    try {
      MessageStore messages = new JournaledMessageStore(journal, new H2MessageStore(stores.pool()));
      assertEquals(new Room("old", "Old Room", "kept", 0, Room.PUBLIC, false), await(stores.rooms().get("old")));
      assertEquals(List.of("old"), await(stores.rooms().page(null, null, 10, "u-2")).rooms().stream().map(Room::id).toList());
      Envelope before = Envelope.chat(7, "old", new UserRef("u-1", "ann"), "Hello From Before", 9);
      assertEquals(List.of(before), await(messages.page("old", null, null, 10)));
      assertEquals(List.of(before), await(messages.search("u-2", null, List.of("from", "hello"), null, 10)).messages());
      ConversationStore.RoomAccess access = await(stores.conversations(messages).access("old", 0));
      assertEquals("u-1", access.owner());
      assertEquals(ConversationStore.OWNER, access.members().get("u-1").role(), "the creator's owner row");
      long next = await(messages.append(List.of(new MessageStore.NewMessage("old", new UserRef("u-2", "bob"), "after")), 10))
          .get(0).envelope().id();
      assertTrue(next > 7);
    } finally {
      await(journal.close());
      await(stores.close());
    }
    try (Connection conn = Database.connect(dataDir.toString()); Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
      rs.next();
      assertEquals(6, rs.getInt(1));
    }
  }
}
