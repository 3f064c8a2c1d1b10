package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.function.Function;

/** Accounts in PostgreSQL: the statements and behaviour of {@link H2AccountStore} ({@link SqlAccountStore}). */
public final class PgAccountStore implements AccountStore {
  private final SqlAccountStore table;

  public PgAccountStore(Pool pool, Function<String, NameKeys> keys) {
    this.table = new SqlAccountStore(pool, keys, PgDatabase::numbered);
  }

  @Override
  public Future<Boolean> create(Account account) {
    return table.create(account);
  }

  @Override
  public Future<Account> findByName(String name) {
    return table.findByName(name);
  }

  /**
   * {@link H2AccountStore#rekeyIfStale} for PostgreSQL, under the migrations' advisory lock: of several
   * nodes starting at once, one recomputes the keys and the others then find them current.
   */
  public static Future<Void> rekeyIfStale(Vertx vertx, Pool pool, String version, Function<String, NameKeys> keys) {
    return new SqlAccountStore(pool, keys, PgDatabase::numbered)
        .rekeyIfStale(vertx, version, "SELECT pg_advisory_xact_lock(" + PgDatabase.MIGRATE_LOCK + ")");
  }
}
