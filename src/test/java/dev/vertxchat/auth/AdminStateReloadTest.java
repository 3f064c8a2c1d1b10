package dev.vertxchat.auth;

import dev.vertxchat.store.BanStore;
import dev.vertxchat.store.SettingsStore;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a cluster node does when it reads the admin state again (asked by another node, or every 30 s):
 * the store's bans and settings replace what it had in memory, including bans and settings removed
 * since (a node that missed a change converges on the store).
 */
class AdminStateReloadTest {
  /** A store another node writes to behind this node's back. */
  private static final class MemoryBans implements BanStore {
    final Map<String, Ban> bans = new ConcurrentHashMap<>();

    @Override
    public Future<List<Ban>> all() {
      return Future.succeededFuture(new ArrayList<>(bans.values()));
    }

    @Override
    public Future<Void> put(Ban ban) {
      bans.put(ban.user(), ban);
      return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> remove(String user) {
      return Future.succeededFuture(bans.remove(user) != null);
    }
  }

  private static final class MemorySettings implements SettingsStore {
    final Map<String, String> values = new ConcurrentHashMap<>();

    @Override
    public Future<Map<String, String>> all() {
      return Future.succeededFuture(Map.copyOf(values));
    }

    @Override
    public Future<Void> put(Map<String, String> changed) {
      values.putAll(changed);
      return Future.succeededFuture();
    }
  }

  @Test
  void bansReadAgainAreTheStoresBans() {
    MemoryBans store = new MemoryBans();
    store.bans.put("g-old", new BanStore.Ban("g-old", null, "u-op", 1));
    Bans bans = await(Bans.load(store));
    assertTrue(bans.banned("g-old"));

    // another node banned one user and unbanned the other
    store.bans.remove("g-old");
    store.bans.put("g-new", new BanStore.Ban("g-new", "spam", "u-op", 2));
    assertTrue(bans.banned("g-old"));
    assertFalse(bans.banned("g-new"));
    await(bans.reload());
    assertFalse(bans.banned("g-old"));
    assertTrue(bans.banned("g-new"));
    assertEquals(List.of("g-new"), bans.list().stream().map(BanStore.Ban::user).toList());
  }

  @Test
  void settingsReadAgainAreTheStoresElseTheConfigured() {
    MemorySettings store = new MemorySettings();
    SignInSettings settings = await(SignInSettings.load(store, true, false));
    store.values.put(SignInSettings.GUESTS, "false");
    store.values.put(SignInSettings.REGISTRATION, "true");
    await(settings.reload());
    assertFalse(settings.guests());
    assertTrue(settings.registration());
    // a setting the store no longer holds falls back to the configured value
    store.values.clear();
    await(settings.reload());
    assertTrue(settings.guests());
    assertFalse(settings.registration());
  }
}
