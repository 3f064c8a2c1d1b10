package dev.vertxchat.auth;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Issues and verifies JWTs.
 *
 * <p>Own tokens are HS256 with the configured secret. Optionally, tokens of an outside identity provider
 * signed with a configured public key (RS256/ES256...) are accepted; their users get the id
 * {@code x-<sub>} so they can never speak for a local guest or account. Verification pins the
 * algorithm per key before the signature is checked (so {@code alg: none} and key confusion are
 * refused), and checks {@code exp}, {@code iss} and {@code aud} itself as well.
 *
 * <p>Operators: a user whose id is in {@code admin.users}, or whose token comes from the identity
 * provider with a {@code roles} claim (array of strings) containing {@code admin}; a {@code roles} claim
 * in an own token is ignored (the service never puts one there), and a guest is never an operator. A
 * user banned by an operator ({@link Bans}) has every token refused with 2009.
 *
 * <p>An own token presented for renewal ({@link #verifyForRenewal}) is checked the same way, except that
 * it may have expired up to one token lifetime ago: a page that slept past its renewal time keeps its
 * user (a guest's id is in the token only).
 *
 * <p>Longer than 300 lines because the checks of a token (algorithm pinned per key, every claim, the
 * renewal grace, operators, bans) are one sequence that must be read in one place to be trusted.
 */
public final class TokenService {
  private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
  public static final String INTERNAL_ALG = "HS256";
  private static final Pattern SUB = Pattern.compile("[A-Za-z0-9_.@:|-]{1,120}");
  /** A compact JWS: three base64url parts without padding (RFC 7515 section 7.1). */
  private static final Pattern COMPACT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();
  private static final Base64.Encoder B64_OUT = Base64.getUrlEncoder().withoutPadding();

  private final ChatMetrics metrics;
  private final JWTAuth internal;
  /** The same key and checks, but the expiry is left to {@link #check} (with the renewal grace). */
  private final JWTAuth renewable;
  private final JWTAuth external;
  private final String externalAlg;
  private final String issuer;
  private final String externalIssuer;
  private final String audience;
  private final int ttlSeconds;
  private final Set<String> operators;
  private final Bans bans;

  /**
   * @param secret the HS256 secret of the service's own tokens ({@link JwtSecret#resolve})
   * @throws ConfigException naming {@code auth.jwt.publicKeyFile} when that key cannot be used
   */
  public TokenService(Vertx vertx, ChatConfig config, String secret) {
    this(vertx, config, secret, Bans.none(), ChatMetrics.none());
  }

  /**
   * As {@link #TokenService(Vertx, ChatConfig, String)}; {@code bans}: the banned users, whose tokens are refused
   * with 2009; refused tokens are counted by reason in {@code metrics}.
   */
  public TokenService(Vertx vertx, ChatConfig config, String secret, Bans bans, ChatMetrics metrics) {
    this.metrics = metrics;
    this.bans = bans;
    this.operators = Set.copyOf(config.adminUsers());
    this.issuer = config.issuer();
    this.audience = config.audience();
    this.ttlSeconds = config.tokenTtlSeconds();
    this.internal = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(INTERNAL_ALG).setBuffer(secret))
        .setJWTOptions(verifyOptions(issuer)));
    this.renewable = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(INTERNAL_ALG).setBuffer(secret))
        .setJWTOptions(verifyOptions(issuer).setIgnoreExpiration(true)));
    if (config.publicKeyFile().isEmpty()) {
      this.external = null;
      this.externalAlg = null;
      this.externalIssuer = null;
    } else {
      this.externalAlg = config.publicKeyAlgorithm();
      this.externalIssuer = config.publicKeyIssuer();
      String pem;
      try {
        pem = Files.readString(Path.of(config.publicKeyFile()), StandardCharsets.UTF_8);
        this.external = JWTAuth.create(vertx, new JWTAuthOptions()
            .addPubSecKey(new PubSecKeyOptions().setAlgorithm(externalAlg).setBuffer(pem))
            .setJWTOptions(verifyOptions(externalIssuer)));
      } catch (Exception e) {
        throw new ConfigException(ConfigKeys.JWT_PUBLIC_KEY_FILE,
            "not a readable " + externalAlg + " public key in PEM form (" + e.getClass().getSimpleName() + ")");
      }
    }
  }

  private JWTOptions verifyOptions(String iss) {
    return new JWTOptions().setIssuer(iss).setAudience(List.of(audience)).setLeeway(5);
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  /** How long after its expiry an own token may still be renewed: one token lifetime. */
  public int renewalGraceSeconds() {
    return ttlSeconds;
  }

  /** A new HS256 token for this user: {@code sub, name, iat, exp, iss, aud}. */
  public String issue(UserRef user) {
    return internal.generateToken(new JsonObject().put("name", user.name()),
        new JWTOptions().setAlgorithm(INTERNAL_ALG).setSubject(user.id()).setIssuer(issuer)
            .setAudience(List.of(audience)).setExpiresInSeconds(ttlSeconds));
  }

  /** Verifies a token; fails with {@link ErrorCodes#UNAUTHENTICATED} and a reason safe to show. */
  public Future<Identity> verify(String token) {
    return verify(token, false);
  }

  /**
   * Verifies a token presented for renewal: as {@link #verify}, except that an own token may have expired
   * up to {@link #renewalGraceSeconds()} ago (its signature, issuer, audience and claims are checked all
   * the same). A token of the identity provider is verified as usual: it is renewed there.
   */
  public Future<Identity> verifyForRenewal(String token) {
    return verify(token, true);
  }

  private Future<Identity> verify(String token, boolean renewal) {
    if (token == null || token.isEmpty()) {
      return refuse("missing", "missing token");
    }
    // before anything else looks at it: exactly the canonical form, so no second spelling of a valid
    // token (padding, other alphabets, stray bits in the last character) is accepted
    if (!COMPACT.matcher(token).matches()) {
      return refuse("malformed", "malformed token");
    }
    String[] parts = token.split("\\.", -1);
    JsonObject header;
    JsonObject claims;
    try {
      byte[] headerBytes = canonical(parts[0]);
      byte[] claimBytes = canonical(parts[1]);
      canonical(parts[2]);
      header = new JsonObject(new String(headerBytes, StandardCharsets.UTF_8));
      claims = new JsonObject(new String(claimBytes, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return refuse("malformed", "malformed token");
    }
    String malformed = claimTypes(claims);
    if (malformed != null) {
      return refuse("malformed", "malformed token claims: " + malformed);
    }
    String alg = header.getValue("alg") instanceof String s ? s : "";
    boolean isInternal;
    JWTAuth verifier;
    if (INTERNAL_ALG.equals(alg)) {
      isInternal = true;
      verifier = renewal ? renewable : internal;
    } else if (external != null && externalAlg.equals(alg)) {
      isInternal = false;
      verifier = external;
    } else {
      return refuse("invalid", "token algorithm not accepted");
    }
    Future<?> verified;
    try {
      verified = verifier.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the library must not turn a hostile token into a 500; the claim checks above should make this unreachable
      LOG.warn("Token verification threw {}; refusing the token", e.getClass().getSimpleName());
      return refuse("invalid", "invalid token");
    }
    return verified
        .recover(err -> refuse("invalid", "invalid or expired token"))
        .compose(user -> check(claims, isInternal, renewal && isInternal ? renewalGraceSeconds() : 0))
        .compose(identity -> {
          if (bans.banned(identity.user().id())) {
            metrics.authRefused("banned");
            return Future.failedFuture(new ChatException(ErrorCodes.BANNED, "banned"));
          }
          return Future.succeededFuture(identity);
        });
  }

  /** Whether a verified token's user is an operator (see the class comment). */
  private boolean operator(String id, JsonObject claims, boolean isInternal) {
    return !id.startsWith(UserRef.GUEST_PREFIX) && (operators.contains(id)
        || (!isInternal && claims.getValue("roles") instanceof JsonArray roles && roles.contains("admin")));
  }

  /** A JWT NumericDate: a finite number of seconds, from 0 up to the largest integer JSON keeps exact. */
  private static boolean numericDate(Object value) {
    return value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0
        && n.doubleValue() <= 9.007199254740991E15;
  }

  /** Decodes one base64url part, refusing any spelling other than the canonical one. */
  private static byte[] canonical(String part) {
    byte[] bytes = B64.decode(part);
    if (!B64_OUT.encodeToString(bytes).equals(part)) {
      throw new IllegalArgumentException("not canonical base64url");
    }
    return bytes;
  }

  /**
   * Checks that every registered claim the service reads has the JSON type it must have, before anything
   * uses it; returns what is wrong, or null.
   */
  private static String claimTypes(JsonObject claims) {
    if (!numericDate(claims.getValue("exp"))) {
      return "exp must be a number of seconds";
    }
    for (String time : new String[] {"iat", "nbf"}) {
      if (claims.containsKey(time) && !numericDate(claims.getValue(time))) {
        return time + " must be a number of seconds";
      }
    }
    for (String text : new String[] {"iss", "sub", "name", "preferred_username"}) {
      if (claims.containsKey(text) && !(claims.getValue(text) instanceof String)) {
        return text + " must be a string";
      }
    }
    Object aud = claims.getValue("aud");
    if (claims.containsKey("aud") && !(aud instanceof String)
        && !(aud instanceof JsonArray list && list.stream().allMatch(String.class::isInstance))) {
      return "aud must be a string or an array of strings";
    }
    return null;
  }

  /** The claim checks after the signature's; a token expired up to {@code graceSeconds} ago passes. */
  private Future<Identity> check(JsonObject claims, boolean isInternal, long graceSeconds) {
    long now = System.currentTimeMillis() / 1000;
    Object exp = claims.getValue("exp");
    if (!(exp instanceof Number n) || n.longValue() <= now - 5 - graceSeconds) {
      return refuse("expired", graceSeconds > 0 ? "token expired too long ago to be renewed; sign in again" : "token expired or without exp");
    }
    if (!(isInternal ? issuer : externalIssuer).equals(claims.getValue("iss"))) {
      return refuse("issuer", "wrong issuer");
    }
    Object aud = claims.getValue("aud");
    boolean audOk = audience.equals(aud) || (aud instanceof JsonArray a && a.contains(audience));
    if (!audOk) {
      return refuse("audience", "wrong audience");
    }
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String subject) || !SUB.matcher(subject).matches()) {
      return refuse("subject", "token without a usable sub");
    }
    String name;
    if (isInternal) {
      // names in own tokens passed the name rule when the token was issued
      name = claims.getValue("name") instanceof String s && !s.isBlank() && s.length() <= 64 ? s : subject;
    } else {
      name = providerName(claims, subject);
      if (name == null) {
        return refuse("name", "the identity provider's token has no usable display name:"
            + " name, preferred_username or sub must follow the name rule");
      }
    }
    String id = isInternal ? subject : "x-" + subject;
    return Future.succeededFuture(new Identity(new UserRef(id, name), n.longValue() * 1000, isInternal,
        operator(id, claims, isInternal)));
  }

  /**
   * The display name of an outside identity provider's user: the first of {@code name},
   * {@code preferred_username} and {@code sub} that follows the same rule as names chosen here, or null.
   */
  private static String providerName(JsonObject claims, String subject) {
    for (Object candidate : new Object[] {claims.getValue("name"), claims.getValue("preferred_username"), subject}) {
      if (candidate instanceof String s && Names.valid(s)) {
        return s;
      }
    }
    return null;
  }

  /** @param reason the refusal's label in {@code chat_auth_refusals_total} (one of {@link ChatMetrics#REFUSAL_REASONS}) */
  private <T> Future<T> refuse(String reason, String why) {
    metrics.authRefused(reason);
    return Future.failedFuture(new ChatException(ErrorCodes.UNAUTHENTICATED, why));
  }
}
