package dev.vertxchat.http;

import dev.vertxchat.auth.LoginLimits;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.chat.RateLimiter;
import dev.vertxchat.config.ChatConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;


/**
 * Limits on the unauthenticated sign-in routes, checked before any password is hashed:
 * <ul>
 *   <li>login and register attempts per client address ({@code limits.signInsPerMinute});</li>
 *   <li>guest sign-ins per client address ({@code limits.guestSignInsPerMinute});</li>
 *   <li>failed logins per account from all addresses, whatever spelling of its name they use
 *       ({@code limits.failedLoginsPerName} per {@code limits.failedLoginsWindowSeconds}, see
 *       {@link LoginLimits}); while they are used up, logins to that account are refused without checking
 *       the password, and the owner can sign in again once the window lets one through.</li>
 * </ul>
 * A refusal is 429 with code 4003 and a {@code Retry-After} in seconds. Buckets are token buckets shared
 * by every HTTP verticle instance of the process.
 */
final class SignInThrottle implements LoginLimits {
  private final ClientAddress addresses;
  private final RateLimiter signIns;
  private final RateLimiter guests;
  private final RateLimiter failedLogins;

  SignInThrottle(Vertx vertx, ChatConfig config, ClientAddress addresses) {
    this.addresses = addresses;
    this.signIns = new RateLimiter(vertx, "sign-in", config.signInsPerMinute() / 60.0, config.signInsPerMinute());
    this.guests = new RateLimiter(vertx, "guest-sign-in", config.guestSignInsPerMinute() / 60.0, config.guestSignInsPerMinute());
    this.failedLogins = new RateLimiter(vertx, "failed-login",
        (double) config.failedLoginsPerName() / config.failedLoginsWindowSeconds(), config.failedLoginsPerName());
    vertx.setPeriodic(60_000, id -> {
      signIns.sweep();
      guests.sweep();
      failedLogins.sweep();
    });
  }

  /** A login or registration attempt from this request's client address. */
  Future<Void> signIn(HttpServerRequest request) {
    return take(signIns, addresses.of(request), "too many sign-in attempts from your address, try again later");
  }

  Future<Void> guest(HttpServerRequest request) {
    return take(guests, addresses.of(request), "too many guest sign-ins from your address, try again later");
  }

  @Override
  public Future<Void> admit(String key) {
    return take(failedLogins, key, "too many failed logins for this account, try again later");
  }

  @Override
  public void succeeded(String key) {
    failedLogins.refund(key);
  }

  private static Future<Void> take(RateLimiter limiter, String key, String message) {
    if (limiter.tryAcquire(key)) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(refusal(message, limiter.waitMillis(key)));
  }

  private static ChatException refusal(String message, long waitMillis) {
    return new ChatException(ErrorCodes.TOO_MANY_ATTEMPTS, message, Math.max(1, (waitMillis + 999) / 1000));
  }

}
