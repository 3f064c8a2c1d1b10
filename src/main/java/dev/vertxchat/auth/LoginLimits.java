package dev.vertxchat.auth;

import io.vertx.core.Future;

/**
 * Failed-login limits per account, asked by {@link AuthService#login} after it has found the account
 * and before it checks the password. The account key is the account id, or for a name no account holds
 * its look-alike key, so every spelling that reaches one account shares one budget; {@code client} is
 * the client address the attempt comes from.
 */
public interface LoginLimits {
  /**
   * Takes one attempt from {@code key}'s budget (so simultaneous attempts cannot all pass), or fails with
   * the refusal to answer when it is used up.
   */
  Future<Void> admit(String key, String client);

  /** Gives back the attempt of a login to {@code key} that succeeded: only failures count. */
  void succeeded(String key, String client);

  /** No limits (tests of the service alone). */
  LoginLimits NONE = new LoginLimits() {
    @Override
    public Future<Void> admit(String key, String client) {
      return Future.succeededFuture();
    }

    @Override
    public void succeeded(String key, String client) {
    }
  };
}
