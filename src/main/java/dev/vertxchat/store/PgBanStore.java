package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** The {@code bans} table in PostgreSQL (as {@link H2BanStore}). */
public final class PgBanStore implements BanStore {
  private final Pool pool;

  public PgBanStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<List<Ban>> all() {
    return pool.query("SELECT user_id, reason, banned_by, since FROM bans ORDER BY since, user_id").execute().map(rows -> {
      List<Ban> out = new ArrayList<>(rows.size());
      for (Row row : rows) {
        out.add(new Ban(row.getString(0), row.getString(1), row.getString(2), row.getLong(3)));
      }
      return out;
    });
  }

  @Override
  public Future<Void> put(Ban ban) {
    return pool.preparedQuery("INSERT INTO bans (user_id, reason, banned_by, since) VALUES ($1, $2, $3, $4)"
            + " ON CONFLICT (user_id) DO UPDATE SET reason = EXCLUDED.reason, banned_by = EXCLUDED.banned_by, since = EXCLUDED.since")
        .execute(Tuple.of(ban.user(), ban.reason(), ban.by(), ban.since())).mapEmpty();
  }

  @Override
  public Future<Boolean> remove(String user) {
    return pool.preparedQuery("DELETE FROM bans WHERE user_id = $1").execute(Tuple.of(user)).map(rows -> rows.rowCount() > 0);
  }
}
