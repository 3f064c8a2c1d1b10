package dev.vertxchat.auth;

import io.vertx.core.Future;

/**
 * Failed-login limits per account, asked by {@link AuthService#login} after it has found the account
 * and before it checks the password. The key is the account id, or for a name no account holds its
 * look-alike key, so every spelling that reaches one account shares one budget.
 */
public interface LoginLimits {
  /** Succeeds when a login to {@code key} may be tried now; else fails with the refusal to answer. */
  Future<Void> admit(String key);

  /** Counts a failed login to {@code key}. */
  void failed(String key);

  /** No limits (tests of the service alone). */
  LoginLimits NONE = new LoginLimits() {
    @Override
    public Future<Void> admit(String key) {
      return Future.succeededFuture();
    }

    @Override
    public void failed(String key) {
    }
  };
}
