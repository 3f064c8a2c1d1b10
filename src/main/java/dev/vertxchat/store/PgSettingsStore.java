package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;

/** The {@code settings} table in PostgreSQL (as {@link H2SettingsStore}). */
public final class PgSettingsStore implements SettingsStore {
  private final Pool pool;

  public PgSettingsStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Map<String, String>> all() {
    return pool.query("SELECT name, setting_value FROM settings").execute().map(rows -> {
      Map<String, String> out = new HashMap<>();
      for (Row row : rows) {
        out.put(row.getString(0), row.getString(1));
      }
      return out;
    });
  }

  @Override
  public Future<Void> put(Map<String, String> values) {
    if (values.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (Map.Entry<String, String> e : values.entrySet()) {
        chain = chain.compose(v -> conn.preparedQuery("INSERT INTO settings (name, setting_value) VALUES ($1, $2)"
                + " ON CONFLICT (name) DO UPDATE SET setting_value = EXCLUDED.setting_value")
            .execute(Tuple.of(e.getKey(), e.getValue())).<Void>mapEmpty());
      }
      return chain;
    });
  }
}
