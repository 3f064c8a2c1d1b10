package dev.vertxchat.auth;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.metrics.ChatMetrics;
import dev.vertxchat.store.AccountStore;
import dev.vertxchat.store.AccountStore.Account;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Base64;

/** Guest sign-in, registration and login; every answer is a fresh token and the user it speaks for. */
public final class AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final int MIN_PASSWORD = 8;
  public static final int MAX_PASSWORD = 256;

  private final AccountStore accounts;
  private final TokenService tokens;
  private final PasswordHashing hashing;
  private final LoginLimits loginLimits;
  private final SignInSettings settings;
  private final Bans bans;
  private final ChatMetrics metrics;
  /** Verified against when the name is unknown, so a miss costs what a hit costs. */
  private final Future<String> dummyHash;

  public AuthService(AccountStore accounts, TokenService tokens, PasswordHashing hashing, LoginLimits loginLimits, boolean guests) {
    this(accounts, tokens, hashing, loginLimits, SignInSettings.fixed(guests, true), Bans.none(), ChatMetrics.none());
  }

  /**
   * @param settings whether guest sign-in and registration are on (an operator may switch them at run time)
   * @param bans     banned users: their login is refused with 2009
   * @param metrics  counts sign-ins and refused sign-ins, by kind
   */
  public AuthService(AccountStore accounts, TokenService tokens, PasswordHashing hashing, LoginLimits loginLimits,
                     SignInSettings settings, Bans bans, ChatMetrics metrics) {
    this.metrics = metrics;
    this.accounts = accounts;
    this.tokens = tokens;
    this.hashing = hashing;
    this.loginLimits = loginLimits;
    this.settings = settings;
    this.bans = bans;
    this.dummyHash = hashing.hash("not a real password");
  }

  /** A session answer: {@code {"token","user":{"id","name","guest"?},"expiresIn"}}. */
  public JsonObject session(UserRef user) {
    return new JsonObject().put("token", tokens.issue(user)).put("user", user.toJson())
        .put("expiresIn", tokens.ttlSeconds());
  }

  /**
   * Which ways of signing in the server offers now ({@code GET /api/auth/options}, no token): the app shows only
   * those buttons.
   */
  public JsonObject options() {
    return new JsonObject().put("guests", settings.guests()).put("registration", settings.registration());
  }

  public Future<JsonObject> guest(String name) {
    return counted("guest", guestUnmetered(name));
  }

  private Future<JsonObject> guestUnmetered(String name) {
    if (!settings.guests()) {
      return Future.failedFuture(new ChatException(ErrorCodes.GUESTS_DISABLED, "guest sign-in is disabled on this server"));
    }
    if (!Names.valid(name)) {
      return invalidName();
    }
    if (Names.reserved(name)) {
      return reservedName();
    }
    return accounts.findByName(name).compose(existing -> {
      if (existing != null) {
        return Future.failedFuture(new ChatException(ErrorCodes.NAME_TAKEN, "that name belongs to a registered account"));
      }
      return Future.succeededFuture(session(new UserRef("g-" + randomId(), name)));
    });
  }

  public Future<JsonObject> register(String name, String password) {
    return counted("register", registerUnmetered(name, password));
  }

  private Future<JsonObject> registerUnmetered(String name, String password) {
    if (!settings.registration()) {
      return Future.failedFuture(new ChatException(ErrorCodes.REGISTRATION_DISABLED, "registration disabled"));
    }
    if (!Names.valid(name)) {
      return invalidName();
    }
    if (Names.reserved(name)) {
      return reservedName();
    }
    if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return Future.failedFuture(new ChatException(ErrorCodes.INVALID_PASSWORD,
          "password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters"));
    }
    UserRef user = new UserRef("u-" + randomId(), name);
    // a taken name is refused before the (deliberately slow) hash is computed
    return hashing.admit(() -> accounts.findByName(name)
        .compose(existing -> existing != null
            ? Future.failedFuture(new ChatException(ErrorCodes.NAME_TAKEN, "that name is taken"))
            : hashing.hash(password)))
        .compose(hash -> accounts.create(new Account(user.id(), name, hash)))
        .compose(created -> {
          if (!created) {
            return Future.failedFuture(new ChatException(ErrorCodes.NAME_TAKEN, "that name is taken"));
          }
          LOG.info("Registered account {} ({})", user.id(), name);
          return Future.succeededFuture(session(user));
        });
  }

  /** A login from {@code client} (the caller's address, for the failed-login limits). */
  public Future<JsonObject> login(String name, String password, String client) {
    return counted("login", loginUnmetered(name, password, client));
  }

  private Future<JsonObject> loginUnmetered(String name, String password, String client) {
    if (name == null || password == null || name.length() > 64 || password.length() > MAX_PASSWORD) {
      return badCredentials();
    }
    return hashing.admit(() -> accounts.findByName(name).compose(account -> {
      String limitKey = account != null ? account.id() : "name:" + Names.key(name);
      Future<String> stored = account != null ? Future.succeededFuture(account.passwordHash()) : dummyHash;
      return loginLimits.admit(limitKey, client)
          .compose(v -> stored)
          .compose(hash -> hashing.verify(password, hash))
          .compose(ok -> {
            if (ok && account != null) {
              loginLimits.succeeded(limitKey, client);
              if (bans.banned(account.id())) {
                // told only to whoever knows the password
                return Future.failedFuture(new ChatException(ErrorCodes.BANNED, "banned"));
              }
              return Future.succeededFuture(session(new UserRef(account.id(), account.name())));
            }
            return badCredentials();
          });
    }));
  }

  /**
   * A new token for the same identity; only for tokens this service issued. A guest whose name an account
   * has taken since gets none: it signs in again under another name.
   */
  public Future<JsonObject> refresh(Identity identity) {
    return counted("refresh", refreshUnmetered(identity));
  }

  private Future<JsonObject> refreshUnmetered(Identity identity) {
    if (!identity.internal()) {
      return Future.failedFuture(new ChatException(ErrorCodes.FORBIDDEN, "tokens of the identity provider are renewed there"));
    }
    if (!identity.user().guest()) {
      return Future.succeededFuture(session(identity.user()));
    }
    return accounts.findByName(identity.user().name()).compose(existing -> existing != null
        ? Future.failedFuture(new ChatException(ErrorCodes.NAME_TAKEN, "that name now belongs to a registered account; sign in with another name"))
        : Future.succeededFuture(session(identity.user())));
  }

  private static <T> Future<T> invalidName() {
    return Future.failedFuture(new ChatException(ErrorCodes.INVALID_NAME,
        "name must be 1-32 letters, digits, '_', '-', '.' or single spaces inside"));
  }

  /** A name the server speaks under ({@link Names#reserved}): taken, by the server. */
  private static <T> Future<T> reservedName() {
    return Future.failedFuture(new ChatException(ErrorCodes.NAME_TAKEN, "that name is the server's"));
  }

  private static <T> Future<T> badCredentials() {
    return Future.failedFuture(new ChatException(ErrorCodes.BAD_CREDENTIALS, "wrong name or password"));
  }

  private static String randomId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private Future<JsonObject> counted(String kind, Future<JsonObject> answer) {
    return answer.andThen(ar -> {
      if (ar.succeeded()) {
        metrics.signedIn(kind);
      } else {
        metrics.signInFailed(kind, ChatException.from(ar.cause()).code());
      }
    });
  }
}
