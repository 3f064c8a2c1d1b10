package dev.vertxchat.store;

import io.vertx.core.Future;

/** Registered accounts. Names are unique regardless of case. */
public interface AccountStore {
  record Account(String id, String name, String passwordHash) {}

  /** @return false when the name is taken */
  Future<Boolean> create(Account account);

  /** @return the account, or null when none has that name (any case) */
  Future<Account> findByName(String name);
}
