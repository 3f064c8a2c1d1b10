package dev.vertxchat.auth;

import dev.vertxchat.bus.UserRef;

/**
 * A verified token: who it speaks for, when it stops being valid (epoch milliseconds), whether the
 * service issued it, and whether its user is an operator (set by {@link TokenService}: named in
 * {@code admin.users}, or an outside identity provider's token with the role {@code admin}).
 */
public record Identity(UserRef user, long expiresAt, boolean internal, boolean operator) {
  /** A verified token of a user who is not an operator. */
  public Identity(UserRef user, long expiresAt, boolean internal) {
    this(user, expiresAt, internal, false);
  }
}
