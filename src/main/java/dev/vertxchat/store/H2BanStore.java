package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** The {@code bans} table. */
public final class H2BanStore implements BanStore {
  private final Pool pool;

  public H2BanStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<List<Ban>> all() {
    return pool.withTransaction(conn -> conn.query("SELECT user_id, reason, banned_by, since FROM bans ORDER BY since, user_id")
        .execute().map(rows -> {
          List<Ban> out = new ArrayList<>(rows.size());
          for (Row row : rows) {
            out.add(new Ban(row.getString(0), row.getString(1), row.getString(2), row.getLong(3)));
          }
          return out;
        }));
  }

  @Override
  public Future<Void> put(Ban ban) {
    return pool.withTransaction(conn -> conn.preparedQuery("MERGE INTO bans (user_id, reason, banned_by, since) KEY (user_id) VALUES (?, ?, ?, ?)")
        .execute(Tuple.of(ban.user(), ban.reason(), ban.by(), ban.since()))).mapEmpty();
  }

  @Override
  public Future<Boolean> remove(String user) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM bans WHERE user_id = ?").execute(Tuple.of(user))
        .map(rows -> rows.rowCount() > 0));
  }
}
