package dev.vertxchat.store;

import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigDefaults;
import dev.vertxchat.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The PostgreSQL helpers that need no server: the URL as logged, a URL that is not one, placeholders numbered. */
class PgDatabaseTest {
  @Test
  void theLoggedUrlHasNoPassword() {
    assertEquals("postgresql://chat:***@db.example:5432/chat", PgDatabase.redacted("postgresql://chat:s3cr:et@db.example:5432/chat"));
    assertEquals("postgres://chat:***@127.0.0.1/chat?sslmode=require", PgDatabase.redacted("postgres://chat:p@ss@127.0.0.1/chat?sslmode=require"));
    assertEquals("postgresql://chat@host/db", PgDatabase.redacted("postgresql://chat@host/db"));
    assertEquals("postgresql://host:5432/db", PgDatabase.redacted("postgresql://host:5432/db"));
  }

  @Test
  void aUrlThatIsNotOneFailsTheStartNamingTheKeyWithoutThePassword() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject json = ConfigDefaults.json();
      json.getJsonObject("store").put("type", "postgres").getJsonObject("postgres").put("url", "postgresql://u:s3cret@host:notaport/db");
      Future<Stores> opened = Stores.open(vertx, new ChatConfig(json), "v", name -> new AccountStore.NameKeys(name, name));
      ConfigException e = assertInstanceOf(ConfigException.class, opened.cause());
      assertEquals("store.postgres.url", e.key());
      assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void placeholdersAreNumbered() {
    assertEquals("SELECT $1, $2 WHERE a IN ($3, $4)", PgDatabase.numbered("SELECT ?, ? WHERE a IN (?, ?)"));
    assertEquals("SELECT 1", PgDatabase.numbered("SELECT 1"));
  }
}
