package dev.vertxchat.http;

import dev.vertxchat.auth.LoginLimits;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.chat.RateLimiter;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;


/**
 * Limits on the unauthenticated sign-in routes, checked before any password is hashed:
 * <ul>
 *   <li>login and register attempts per client address ({@code limits.signInsPerMinute});</li>
 *   <li>guest sign-ins per client address ({@code limits.guestSignInsPerMinute});</li>
 *   <li>failed logins per account, whatever spelling of its name they use: {@code limits.failedLoginsPerName}
 *       per {@code limits.failedLoginsWindowSeconds} from one client address, and {@value #ALL_ADDRESSES_FACTOR}
 *       times that from all addresses together (see {@link #admit}); while a budget is used up, logins are
 *       refused without checking the password.</li>
 * </ul>
 * A refusal is 429 with code 4003 and a {@code Retry-After} in seconds. Buckets are token buckets shared
 * by every HTTP verticle instance of the process.
 */
final class SignInThrottle implements LoginLimits {
  /** How much larger an account's failed-login budget for all addresses is than for one. */
  static final int ALL_ADDRESSES_FACTOR = 10;
  private final ClientAddress addresses;
  private final RateLimiter signIns;
  private final RateLimiter guests;
  private final RateLimiter failedLogins;
  private final RateLimiter failedLoginsAll;
  private final ChatMetrics metrics;

  SignInThrottle(Vertx vertx, ChatConfig config, ClientAddress addresses, ChatMetrics metrics) {
    this.metrics = metrics;
    this.addresses = addresses;
    this.signIns = new RateLimiter(config.signInsPerMinute() / 60.0, config.signInsPerMinute());
    this.guests = new RateLimiter(config.guestSignInsPerMinute() / 60.0, config.guestSignInsPerMinute());
    this.failedLogins = new RateLimiter(
        (double) config.failedLoginsPerName() / config.failedLoginsWindowSeconds(), config.failedLoginsPerName());
    int all = ALL_ADDRESSES_FACTOR * config.failedLoginsPerName();
    this.failedLoginsAll = new RateLimiter((double) all / config.failedLoginsWindowSeconds(), all);
    vertx.setPeriodic(60_000, id -> {
      signIns.sweep();
      guests.sweep();
      failedLogins.sweep();
      failedLoginsAll.sweep();
    });
  }

  /** A login or registration attempt from this request's client address. */
  Future<Void> signIn(HttpServerRequest request) {
    return take(signIns, "sign_ins", addresses.of(request), "too many sign-in attempts from your address, try again later");
  }

  Future<Void> guest(HttpServerRequest request) {
    return take(guests, "guest_sign_ins", addresses.of(request), "too many guest sign-ins from your address, try again later");
  }

  /** The client address of a request, as the per-address limits count it. */
  String client(HttpServerRequest request) {
    return addresses.of(request);
  }

  /**
   * Takes one attempt from the account's budget for this client address and from its budget for all
   * addresses together ({@value #ALL_ADDRESSES_FACTOR} times as large): a slow attacker at one address
   * locks only that address out, and many addresses together cannot guess more than the larger budget.
   */
  @Override
  public Future<Void> admit(String key, String client) {
    String pair = key + "|" + client;
    long wait = Math.max(failedLogins.waitMillis(pair), failedLoginsAll.waitMillis(key));
    if (wait == 0 && failedLogins.tryAcquire(pair)) {
      if (failedLoginsAll.tryAcquire(key)) {
        return Future.succeededFuture();
      }
      failedLogins.refund(pair);
      wait = failedLoginsAll.waitMillis(key);
    }
    metrics.rateLimited("failed_logins");
    return Future.failedFuture(refusal("too many failed logins for this account, try again later",
        Math.max(1, Math.max(wait, failedLogins.waitMillis(pair)))));
  }

  @Override
  public void succeeded(String key, String client) {
    failedLogins.refund(key + "|" + client);
    failedLoginsAll.refund(key);
  }

  private Future<Void> take(RateLimiter limiter, String limit, String key, String message) {
    if (limiter.tryAcquire(key)) {
      return Future.succeededFuture();
    }
    metrics.rateLimited(limit);
    return Future.failedFuture(refusal(message, limiter.waitMillis(key)));
  }

  private static ChatException refusal(String message, long waitMillis) {
    return new ChatException(ErrorCodes.TOO_MANY_ATTEMPTS, message, Math.max(1, (waitMillis + 999) / 1000));
  }

}
