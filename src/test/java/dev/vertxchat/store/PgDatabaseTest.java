package dev.vertxchat.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The PostgreSQL helpers that need no server: the URL as logged, placeholders numbered. */
class PgDatabaseTest {
  @Test
  void theLoggedUrlHasNoPassword() {
    assertEquals("postgresql://chat:***@db.example:5432/chat", PgDatabase.redacted("postgresql://chat:s3cr:et@db.example:5432/chat"));
    assertEquals("postgres://chat:***@127.0.0.1/chat?sslmode=require", PgDatabase.redacted("postgres://chat:p@ss@127.0.0.1/chat?sslmode=require"));
    assertEquals("postgresql://chat@host/db", PgDatabase.redacted("postgresql://chat@host/db"));
    assertEquals("postgresql://host:5432/db", PgDatabase.redacted("postgresql://host:5432/db"));
  }

  @Test
  void placeholdersAreNumbered() {
    assertEquals("SELECT $1, $2 WHERE a IN ($3, $4)", PgDatabase.numbered("SELECT ?, ? WHERE a IN (?, ?)"));
    assertEquals("SELECT 1", PgDatabase.numbered("SELECT 1"));
  }
}
