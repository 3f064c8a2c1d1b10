package dev.vertxchat.store;

import io.vertx.core.Future;

/** Registered accounts. No two have the same name, where "the same" is decided by {@link NameKeys}. */
public interface AccountStore {
  record Account(String id, String name, String passwordHash) {}

  /**
   * A name's comparison keys (computed by {@code auth/Names}): two names are the same name when their
   * {@code folded} keys or their {@code upper} keys are equal.
   */
  record NameKeys(String folded, String upper) {}

  /** @return false when the name is taken */
  Future<Boolean> create(Account account);

  /** @return the account whose name is the same as this one (its exact spelling first), or null when none is */
  Future<Account> findByName(String name);
}
