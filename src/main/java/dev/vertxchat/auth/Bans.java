package dev.vertxchat.auth;

import dev.vertxchat.store.BanStore;
import dev.vertxchat.store.BanStore.Ban;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The users an operator banned: kept in the database ({@link BanStore}) and in memory, so the check
 * every verified token gets ({@link TokenService}) costs a map lookup, never a database round trip.
 * One per service, shared by every HTTP verticle instance: a ban applies to all of them at once. Safe
 * from any thread.
 */
public final class Bans {
  private final BanStore store;
  private final Map<String, Ban> banned = new ConcurrentHashMap<>();

  private Bans(BanStore store) {
    this.store = store;
  }

  /** The bans of {@code store}, read once. */
  public static Future<Bans> load(BanStore store) {
    Bans bans = new Bans(store);
    return store.all().map(all -> {
      all.forEach(b -> bans.banned.put(b.user(), b));
      return bans;
    });
  }

  /** No bans, and none can be made (a service without a database: tests of single parts). */
  public static Bans none() {
    return new Bans(null);
  }

  public boolean banned(String userId) {
    return banned.containsKey(userId);
  }

  /** Every ban, oldest first. */
  public List<Ban> list() {
    List<Ban> out = new ArrayList<>(banned.values());
    out.sort(Comparator.comparingLong(Ban::since).thenComparing(Ban::user));
    return out;
  }

  /** Bans {@code user} (stored first, then in effect); banning again replaces the reason and keeps the rest. */
  public Future<Ban> ban(String user, String reason, String by) {
    Ban existing = banned.get(user);
    Ban ban = existing == null ? new Ban(user, reason, by, System.currentTimeMillis())
        : new Ban(user, reason, existing.by(), existing.since());
    return store.put(ban).map(v -> {
      banned.put(user, ban);
      return ban;
    });
  }

  /** @return false when the user was not banned */
  public Future<Boolean> unban(String user) {
    return store.remove(user).map(removed -> banned.remove(user) != null || removed);
  }
}
