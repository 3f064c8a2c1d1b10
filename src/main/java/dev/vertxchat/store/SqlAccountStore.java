package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Accounts in H2 or PostgreSQL ({@link H2AccountStore}, {@link PgAccountStore}): the same statements,
 * placeholders written {@code ?} and numbered for PostgreSQL by {@code sql}. {@code name_key} and
 * {@code name_upper_key} hold the SHA-256 (hex) of the name's two comparison keys ({@link NameKeys}), each
 * unique: a hash has a fixed length however far normalization expands a name, and the keys are only ever
 * compared.
 */
final class SqlAccountStore implements AccountStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqlAccountStore.class);
  private static final int REKEY_PAGE = 500;
  private static final String COLUMNS = "id, name, password_hash, created_at";

  private final Pool pool;
  private final Function<String, NameKeys> keys;
  private final UnaryOperator<String> sql;

  SqlAccountStore(Pool pool, Function<String, NameKeys> keys, UnaryOperator<String> sql) {
    this.pool = pool;
    this.keys = keys;
    this.sql = sql;
  }

  /** What a key column holds for a comparison key. */
  static String stored(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * The key of schema version 1 (the name in lower case). An account whose name turned out to be the same
   * as an older account's when keys were recomputed keeps this one, so it can still sign in by its exact
   * name; it never equals a {@link #stored} key (64 hex digits need more than 32 characters of name).
   */
  static String legacyKey(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  @Override
  public Future<Boolean> create(Account account) {
    NameKeys k = keys.apply(account.name());
    String folded = stored(k.folded());
    String upper = stored(k.upper());
    return pool.withTransaction(conn -> conn.preparedQuery(sql.apply("INSERT INTO accounts (id, name, name_key, name_upper_key, password_hash, created_at)"
            + " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE name_key IN (?, ?))"
            + " AND NOT EXISTS (SELECT 1 FROM accounts WHERE name_upper_key = ?)"))
        .execute(Tuple.of(account.id(), account.name(), folded, upper, account.passwordHash(), System.currentTimeMillis(),
            folded, legacyKey(account.name()), upper))
        .map(rows -> rows.rowCount() == 1))
        // two registrations racing for one name: the unique constraints decide, the loser is told "taken"
        .recover(err -> findByName(account.name()).compose(found -> found != null ? Future.succeededFuture(false) : Future.failedFuture(err)));
  }

  @Override
  public Future<Account> findByName(String name) {
    NameKeys k = keys.apply(name);
    return pool.withTransaction(conn -> conn.preparedQuery(sql.apply("SELECT " + COLUMNS + " FROM accounts WHERE name_key IN (?, ?)"
            + " UNION SELECT " + COLUMNS + " FROM accounts WHERE name_upper_key = ? ORDER BY created_at, id"))
        .execute(Tuple.of(stored(k.folded()), legacyKey(name), stored(k.upper())))
        .map(rows -> {
          Row found = null;
          for (Row row : rows) {
            if (found == null || row.getString(1).equals(name)) {
              found = row;
            }
          }
          return found == null ? null : new Account(found.getString(0), found.getString(1), found.getString(2));
        }));
  }

  /**
   * Recomputes every account's keys when they were made by another version of the comparison
   * ({@code version}, recorded in {@code name_keys_version}): after the upgrade from schema version 1
   * (lower case only) and whenever the Unicode data changes. Oldest account first; one that is now the
   * same name as an older one keeps working by its exact name (legacy key) and is logged as a warning.
   * {@code lock}, when not null, is a statement run first in the same transaction (PostgreSQL: an advisory
   * lock, so that of several nodes starting at once one recomputes and the others then find the version).
   */
  Future<Void> rekeyIfStale(Vertx vertx, String version, String lock) {
    return pool.withTransaction(conn -> (lock == null ? Future.succeededFuture() : conn.query(lock).execute())
        .compose(v -> conn.query("SELECT version FROM name_keys_version").execute())
        .compose(rows -> {
          String current = rows.size() == 0 ? null : rows.iterator().next().getString(0);
          if (version.equals(current)) {
            return Future.succeededFuture();
          }
          int[] counts = new int[2];
          return rekeyFrom(vertx, conn, Long.MIN_VALUE, "", counts)
              .compose(v -> conn.query("DELETE FROM name_keys_version").execute())
              .compose(v -> conn.preparedQuery(sql.apply("INSERT INTO name_keys_version (version) VALUES (?)")).execute(Tuple.of(version)))
              .onSuccess(v -> {
                if (counts[0] > 0) {
                  LOG.info("Name keys of {} accounts recomputed ({} -> {}); {} keep their old key", counts[0],
                      current == null ? "lower case" : current, version, counts[1]);
                }
              })
              .mapEmpty();
        }));
  }

  private record Rekey(String id, String name, String folded, String upper) {}

  private Future<Void> rekeyFrom(Vertx vertx, SqlConnection conn, long afterTs, String afterId, int[] counts) {
    return conn.preparedQuery(sql.apply("SELECT id, name, created_at FROM accounts WHERE created_at > ? OR (created_at = ? AND id > ?)"
            + " ORDER BY created_at, id LIMIT " + REKEY_PAGE))
        .execute(Tuple.of(afterTs, afterTs, afterId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture();
          }
          List<Row> page = new ArrayList<>(rows.size());
          rows.forEach(page::add);
          Row last = page.get(page.size() - 1);
          return vertx.executeBlocking(() -> page.stream().map(row -> {
                NameKeys k = keys.apply(row.getString(1));
                return new Rekey(row.getString(0), row.getString(1), stored(k.folded()), stored(k.upper()));
              }).toList(), false)
              .compose(list -> {
                Future<Void> chain = Future.succeededFuture();
                for (Rekey r : list) {
                  chain = chain.compose(v -> rekey(conn, r, counts));
                }
                return chain;
              })
              .compose(v -> rekeyFrom(vertx, conn, last.getLong(2), last.getString(0), counts));
        });
  }

  private Future<Void> rekey(SqlConnection conn, Rekey r, int[] counts) {
    counts[0]++;
    return conn.preparedQuery(sql.apply("UPDATE accounts SET name_key = ?, name_upper_key = ? WHERE id = ?"
            + " AND NOT EXISTS (SELECT 1 FROM accounts WHERE name_key = ? AND id <> ?)"
            + " AND NOT EXISTS (SELECT 1 FROM accounts WHERE name_upper_key = ? AND id <> ?)"))
        .execute(Tuple.of(r.folded(), r.upper(), r.id(), r.folded(), r.id(), r.upper(), r.id()))
        .compose(updated -> updated.rowCount() == 1 ? Future.succeededFuture() : keepOld(conn, r, counts));
  }

  /** The account's name is the same as an older account's: it keeps the legacy key (if still free) and no upper key. */
  private Future<Void> keepOld(SqlConnection conn, Rekey r, int[] counts) {
    counts[1]++;
    String legacy = legacyKey(r.name());
    return conn.preparedQuery(sql.apply("SELECT id, name FROM accounts WHERE (name_key = ? OR name_upper_key = ?) AND id <> ?"))
        .execute(Tuple.of(r.folded(), r.upper(), r.id()))
        .compose(older -> {
          String olderAccount = describe(older);
          LOG.warn("Account {} ({}) has the same name as the older account {} under the look-alike comparison;"
              + " it keeps signing in by its exact name, but consider renaming one of them", r.id(), r.name(), olderAccount);
          return conn.preparedQuery(sql.apply("UPDATE accounts SET name_key = ?, name_upper_key = NULL WHERE id = ?"
                  + " AND NOT EXISTS (SELECT 1 FROM accounts WHERE name_key = ? AND id <> ?)"))
              .execute(Tuple.of(legacy, r.id(), legacy, r.id()));
        })
        .compose(updated -> {
          if (updated.rowCount() == 0) {
            LOG.warn("Account {} ({}) keeps its previous name key: its lower-case name is taken too", r.id(), r.name());
          }
          return Future.<Void>succeededFuture();
        });
  }

  private static String describe(RowSet<Row> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(row -> out.add(row.getString(0) + " (" + row.getString(1) + ")"));
    return String.join(", ", out);
  }
}
