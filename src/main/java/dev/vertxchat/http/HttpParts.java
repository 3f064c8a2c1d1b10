package dev.vertxchat.http;

import dev.vertxchat.auth.AuthService;
import dev.vertxchat.auth.Bans;
import dev.vertxchat.auth.SignInSettings;
import dev.vertxchat.bridge.ConnectionRegistry;
import dev.vertxchat.chat.Moderation;
import dev.vertxchat.auth.PasswordHasher;
import dev.vertxchat.auth.PasswordHashing;
import dev.vertxchat.auth.TokenService;
import dev.vertxchat.chat.Membership;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.store.AccountStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.function.Supplier;

/**
 * What every HTTP verticle instance of a service shares, made once by the composition root: the
 * configuration, tokens, sign-in service and its limits, the client-address rules, the chat side's
 * membership (for the bridge) and the database check of {@code /health}.
 */
public final class HttpParts {
  final ChatConfig config;
  final TokenService tokens;
  final AuthService auth;
  final SignInThrottle throttle;
  final ClientAddress addresses;
  final Origins origins;
  final Membership membership;
  final Supplier<Future<Void>> databaseCheck;
  /** The admin API's parts: bans, sign-in settings, the chat side's moderation, the live bridge connections. */
  final Bans bans;
  final SignInSettings settings;
  final Moderation moderation;
  final ConnectionRegistry registry = new ConnectionRegistry();
  private final WorkerExecutor hashing;

  private HttpParts(Vertx vertx, ChatConfig config, TokenService tokens, AccountStore accounts, Membership membership,
                    Supplier<Future<Void>> databaseCheck, Admin admin) {
    this.bans = admin.bans();
    this.settings = admin.settings();
    this.moderation = admin.moderation();
    this.config = config;
    this.tokens = tokens;
    this.membership = membership;
    this.databaseCheck = databaseCheck;
    this.addresses = new ClientAddress(config.trustedProxies());
    this.origins = new Origins(config.allowedOrigins(), config.publicOrigin());
    this.throttle = new SignInThrottle(vertx, config, addresses);
    this.hashing = vertx.createSharedWorkerExecutor(PasswordHashing.EXECUTOR, config.hashThreads());
    this.auth = new AuthService(accounts, tokens,
        new PasswordHashing(new PasswordHasher(), hashing, config.hashQueue()), throttle, settings, bans);
  }

  /**
   * What the admin API acts on, made once per service by the composition root.
   *
   * @param bans       banned users (the same {@link Bans} the {@link TokenService} checks)
   * @param settings   guest sign-in and registration, switchable at run time
   * @param moderation the chat side's operator actions (null: the admin routes that need it answer 503)
   */
  public record Admin(Bans bans, SignInSettings settings, Moderation moderation) {}

  /**
   * @param accounts      where accounts are kept
   * @param membership    the chat side's owner of rooms and presence
   * @param databaseCheck completes when the database answers (the ready check of {@code /health})
   */
  public static HttpParts create(Vertx vertx, ChatConfig config, TokenService tokens, AccountStore accounts,
                                 Membership membership, Supplier<Future<Void>> databaseCheck) {
    return create(vertx, config, tokens, accounts, membership, databaseCheck,
        new Admin(Bans.none(), SignInSettings.fixed(config.guests(), config.registration()), null));
  }

  /** As above, with the admin API's parts. */
  public static HttpParts create(Vertx vertx, ChatConfig config, TokenService tokens, AccountStore accounts,
                                 Membership membership, Supplier<Future<Void>> databaseCheck, Admin admin) {
    return new HttpParts(vertx, config, tokens, accounts, membership, databaseCheck, admin);
  }

  /** The live bridge connections of this service, over every HTTP verticle instance. */
  public ConnectionRegistry connections() {
    return registry;
  }

  /** Releases the password-hashing threads; after the HTTP verticles have stopped. */
  public Future<Void> close() {
    return hashing.close();
  }
}
