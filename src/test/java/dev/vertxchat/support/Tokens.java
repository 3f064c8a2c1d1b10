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
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestServer.SECRET)));
    long now = System.currentTimeMillis() / 1000;
    return auth.generateToken(new JsonObject().put("sub", userId).put("name", name).put("iat", now).put("exp", now + seconds),
        new JWTOptions().setAlgorithm("HS256").setIssuer("vertx-chat").setAudience(List.of("vertx-chat")).setNoTimestamp(true));
  }
}
