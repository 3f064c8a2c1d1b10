package dev.vertxchat.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.List;

/** Mints HS256 tokens with the test server's secret, for cases the sign-in routes cannot produce. */
public final class Tokens {
  private Tokens() {}

  /** A token for {@code userId}/{@code name} that expires {@code seconds} from now. */
  public static String expiringIn(Vertx vertx, String userId, String name, int seconds) {
    long now = System.currentTimeMillis() / 1000;
    return token(vertx, userId, name, now, now + seconds);
  }

  /** A token for {@code userId}/{@code name} that expired {@code seconds} ago, after a lifetime of an hour. */
  public static String expiredAgo(Vertx vertx, String userId, String name, int seconds) {
    long exp = System.currentTimeMillis() / 1000 - seconds;
    return token(vertx, userId, name, exp - 3600, exp);
  }

  private static String token(Vertx vertx, String userId, String name, long iat, long exp) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestServer.SECRET)));
    return auth.generateToken(new JsonObject().put("sub", userId).put("name", name).put("iat", iat).put("exp", exp),
        new JWTOptions().setAlgorithm("HS256").setIssuer("vertx-chat").setAudience(List.of("vertx-chat")).setNoTimestamp(true));
  }
}
