package dev.vertxchat.auth;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Issues and verifies JWTs.
 *
 * <p>Own tokens are HS256 with the configured secret. Optionally, tokens of an outside identity provider
 * signed with a configured public key (RS256/ES256...) are accepted; their users get the id
 * {@code x-<sub>} so they can never speak for a local guest or account. Verification pins the
 * algorithm per key before the signature is checked (so {@code alg: none} and key confusion are
 * refused), and checks {@code exp}, {@code iss} and {@code aud} itself as well.
 */
public final class TokenService {
  public static final String INTERNAL_ALG = "HS256";
  private static final Pattern SUB = Pattern.compile("[A-Za-z0-9_.@:|-]{1,120}");
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();

  private final JWTAuth internal;
  private final JWTAuth external;
  private final String externalAlg;
  private final String issuer;
  private final String externalIssuer;
  private final String audience;
  private final int ttlSeconds;

  public TokenService(Vertx vertx, ChatConfig config) {
    this.issuer = config.issuer();
    this.audience = config.audience();
    this.ttlSeconds = config.tokenTtlSeconds();
    this.internal = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(INTERNAL_ALG).setBuffer(config.jwtSecret()))
        .setJWTOptions(verifyOptions(issuer)));
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

  /** A new HS256 token for this user: {@code sub, name, iat, exp, iss, aud}. */
  public String issue(UserRef user) {
    return internal.generateToken(new JsonObject().put("name", user.name()),
        new JWTOptions().setAlgorithm(INTERNAL_ALG).setSubject(user.id()).setIssuer(issuer)
            .setAudience(List.of(audience)).setExpiresInSeconds(ttlSeconds));
  }

  /** Verifies a token; fails with {@link ErrorCodes#UNAUTHENTICATED} and a reason safe to show. */
  public Future<Identity> verify(String token) {
    if (token == null || token.isEmpty()) {
      return refuse("missing token");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[2].isEmpty()) {
      return refuse("malformed token");
    }
    JsonObject header;
    JsonObject claims;
    try {
      header = new JsonObject(new String(B64.decode(parts[0]), StandardCharsets.UTF_8));
      claims = new JsonObject(new String(B64.decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return refuse("malformed token");
    }
    String alg = header.getValue("alg") instanceof String s ? s : "";
    boolean isInternal;
    JWTAuth verifier;
    if (INTERNAL_ALG.equals(alg)) {
      isInternal = true;
      verifier = internal;
    } else if (external != null && externalAlg.equals(alg)) {
      isInternal = false;
      verifier = external;
    } else {
      return refuse("token algorithm not accepted");
    }
    return verifier.authenticate(new TokenCredentials(token))
        .recover(err -> refuse("invalid or expired token"))
        .compose(user -> check(claims, isInternal));
  }

  private Future<Identity> check(JsonObject claims, boolean isInternal) {
    long now = System.currentTimeMillis() / 1000;
    Object exp = claims.getValue("exp");
    if (!(exp instanceof Number n) || n.longValue() <= now - 5) {
      return refuse("token expired or without exp");
    }
    if (!(isInternal ? issuer : externalIssuer).equals(claims.getValue("iss"))) {
      return refuse("wrong issuer");
    }
    Object aud = claims.getValue("aud");
    boolean audOk = audience.equals(aud) || (aud instanceof JsonArray a && a.contains(audience));
    if (!audOk) {
      return refuse("wrong audience");
    }
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String subject) || !SUB.matcher(subject).matches()) {
      return refuse("token without a usable sub");
    }
    String name = claims.getValue("name") instanceof String s ? s
        : claims.getValue("preferred_username") instanceof String p ? p : subject;
    if (name.isBlank() || name.length() > 64) {
      name = subject.length() > 64 ? subject.substring(0, 64) : subject;
    }
    String id = isInternal ? subject : "x-" + subject;
    return Future.succeededFuture(new Identity(new UserRef(id, name), n.longValue() * 1000, isInternal));
  }

  private static <T> Future<T> refuse(String why) {
    return Future.failedFuture(new ChatException(ErrorCodes.UNAUTHENTICATED, why));
  }
}
