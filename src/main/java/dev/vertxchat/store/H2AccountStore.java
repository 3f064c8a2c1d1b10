package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.function.Function;

/**
 * Accounts in H2 ({@link SqlAccountStore} holds the statements, shared with PostgreSQL). {@code name_key}
 * and {@code name_upper_key} hold the SHA-256 (hex) of the name's two comparison keys ({@link NameKeys}),
 * each unique: a hash has a fixed length however far normalization expands a name, and the keys are only
 * ever compared.
 */
public final class H2AccountStore implements AccountStore {
  private final SqlAccountStore table;

  public H2AccountStore(Pool pool, Function<String, NameKeys> keys) {
    this.table = new SqlAccountStore(pool, keys, sql -> sql);
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
   * Recomputes every account's keys when they were made by another version of the comparison
   * ({@code version}, recorded in {@code name_keys_version}); see {@link SqlAccountStore#rekeyIfStale}.
   */
  public static Future<Void> rekeyIfStale(Vertx vertx, Pool pool, String version, Function<String, NameKeys> keys) {
    return new SqlAccountStore(pool, keys, sql -> sql).rekeyIfStale(vertx, version, null);
  }
}
