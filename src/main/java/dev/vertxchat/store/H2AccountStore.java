package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Locale;

public final class H2AccountStore implements AccountStore {
  private final Pool pool;

  public H2AccountStore(Pool pool) {
    this.pool = pool;
  }

  static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  @Override
  public Future<Boolean> create(Account account) {
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO accounts (id, name, name_key, password_hash, created_at) SELECT ?, ?, ?, ?, ?"
            + " WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE name_key = ?)")
        .execute(Tuple.of(account.id(), account.name(), key(account.name()), account.passwordHash(),
            System.currentTimeMillis(), key(account.name())))
        .map(rows -> rows.rowCount() == 1))
        // two registrations racing for one name: the unique constraint decides, the loser is told "taken"
        .recover(err -> findByName(account.name()).compose(found -> found != null ? Future.succeededFuture(false) : Future.failedFuture(err)));
  }

  @Override
  public Future<Account> findByName(String name) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT id, name, password_hash FROM accounts WHERE name_key = ?")
        .execute(Tuple.of(key(name)))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new Account(row.getString(0), row.getString(1), row.getString(2));
        }));
  }
}
