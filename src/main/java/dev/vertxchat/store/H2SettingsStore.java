package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;

/** The {@code settings} table. */
public final class H2SettingsStore implements SettingsStore {
  private final Pool pool;

  public H2SettingsStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Map<String, String>> all() {
    return pool.withTransaction(conn -> conn.query("SELECT name, setting_value FROM settings").execute().map(rows -> {
      Map<String, String> out = new HashMap<>();
      for (Row row : rows) {
        out.put(row.getString(0), row.getString(1));
      }
      return out;
    }));
  }

  @Override
  public Future<Void> put(Map<String, String> values) {
    if (values.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (Map.Entry<String, String> e : values.entrySet()) {
        chain = chain.compose(v -> conn.preparedQuery("MERGE INTO settings (name, setting_value) KEY (name) VALUES (?, ?)")
            .execute(Tuple.of(e.getKey(), e.getValue())).<Void>mapEmpty());
      }
      return chain;
    });
  }
}
