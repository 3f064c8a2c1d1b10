package dev.vertxchat.auth;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.Http.errorCode;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens the service must refuse, on the REST API and at the bridge handshake alike, and tokens of an
 * outside identity provider signed with its RSA key. The server trusts an RS256 public key in every test,
 * so an HS256 token keyed with that public key's PEM text (key confusion) is a real attack here.
 */
class TokenRefusalTest {
  private static final String IDP = "https://idp.example";
  private static KeyPair idpKeys;
  private static KeyPair otherKeys;
  private static String idpPublicPem;

  @RegisterExtension
  final ChatService service = new ChatService();
  Http http;

  @BeforeAll
  static void keys() throws GeneralSecurityException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    idpKeys = gen.generateKeyPair();
    otherKeys = gen.generateKeyPair();
    idpPublicPem = pem("PUBLIC KEY", idpKeys.getPublic().getEncoded());
  }

  @BeforeEach
  void start() throws Exception {
    Path keyFile = Files.writeString(service.dataDir().resolve("idp-public.pem"), idpPublicPem);
    http = service.start(new JsonObject().put("auth", new JsonObject().put("jwt", new JsonObject()
        .put("publicKeyFile", keyFile.toString()).put("publicKeyAlgorithm", "RS256").put("publicKeyIssuer", IDP)))).http();
  }

  // --- minting ---

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String b64(JsonObject json) {
    return b64(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Valid claims of an own token: sub, name, iat, exp in 10 minutes, iss and aud "vertx-chat". */
  private static JsonObject claims() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", "u-tester").put("name", "tester").put("iat", now).put("exp", now + 600)
        .put("iss", "vertx-chat").put("aud", "vertx-chat");
  }

  private static JsonObject without(String claim) {
    JsonObject claims = claims();
    claims.remove(claim);
    return claims;
  }

  private static JsonObject header(String alg) {
    return new JsonObject().put("alg", alg).put("typ", "JWT");
  }

  private static String hs256(JsonObject claims, byte[] key) {
    return hmac(header("HS256"), claims, key);
  }

  private static String hs256(JsonObject claims) {
    return hs256(claims, TestServer.SECRET.getBytes(StandardCharsets.UTF_8));
  }

  private static String hmac(JsonObject header, JsonObject claims, byte[] key) {
    String input = b64(header) + "." + b64(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rs256(JsonObject claims, PrivateKey key) {
    String input = b64(header("RS256")) + "." + b64(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject idpClaims() {
    return claims().put("sub", "alice@idp").put("name", "Alice").put("iss", IDP);
  }

  // --- checks ---

  private Future<BridgeClient> bridge(String token) {
    return BridgeClient.tryConnect(service.vertx(), service.port(), new WebSocketConnectOptions()
        .setURI("/eventbus/websocket?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
  }

  private void assertRefused(String token) {
    HttpResponse<Buffer> res = http.get("/api/rooms", token);
    assertEquals(401, res.statusCode(), res.bodyAsString());
    assertEquals(ErrorCodes.UNAUTHENTICATED, errorCode(res));

    AsyncResult<BridgeClient> ws = await(bridge(token).transform(Future::succeededFuture));
    if (ws.succeeded()) {
      ws.result().close();
    }
    assertTrue(ws.failed(), "the bridge handshake must be refused");
    assertEquals(401, assertInstanceOf(UpgradeRejectedException.class, ws.cause()).getStatus());
  }

  private void assertAccepted(String token) {
    HttpResponse<Buffer> res = http.get("/api/rooms", token);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    await(bridge(token)).close();
  }

  static Stream<Arguments> refusedTokens() {
    long now = System.currentTimeMillis() / 1000;
    byte[] otherSecret = "another-secret-another-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    String unsigned = b64(header("none")) + "." + b64(claims());
    return Stream.of(
        Arguments.of("bad signature", hs256(claims(), otherSecret)),
        Arguments.of("alg none, empty signature", unsigned + "."),
        Arguments.of("alg none, signature kept", unsigned + "." + hs256(claims()).split("\\.")[2]),
        Arguments.of("alg none, HMAC over the none header",
            hmac(header("none"), claims(), TestServer.SECRET.getBytes(StandardCharsets.UTF_8))),
        Arguments.of("expired", hs256(claims().put("iat", now - 7200).put("exp", now - 3600))),
        Arguments.of("without exp", hs256(without("exp"))),
        Arguments.of("wrong issuer", hs256(claims().put("iss", "someone-else"))),
        Arguments.of("wrong audience", hs256(claims().put("aud", "another-app"))),
        Arguments.of("missing sub", hs256(without("sub"))),
        Arguments.of("garbage", "garbage"),
        Arguments.of("three garbage parts", "a.b.c"),
        Arguments.of("own token signed by the identity provider's key", rs256(claims(), idpKeys.getPrivate())),
        Arguments.of("key confusion: HS256 keyed with the RSA public key PEM",
            hs256(idpClaims(), idpPublicPem.getBytes(StandardCharsets.UTF_8))),
        Arguments.of("key confusion, own issuer", hs256(claims(), idpPublicPem.getBytes(StandardCharsets.UTF_8))),
        Arguments.of("RS256 from another key pair", rs256(idpClaims(), otherKeys.getPrivate())),
        Arguments.of("RS256 of the identity provider, expired",
            rs256(idpClaims().put("iat", now - 7200).put("exp", now - 3600), idpKeys.getPrivate())),
        Arguments.of("RS256 of the identity provider, wrong audience",
            rs256(idpClaims().put("aud", "another-app"), idpKeys.getPrivate())),
        // the compact form: exactly three unpadded base64url parts
        Arguments.of("a valid token with = appended", hs256(claims()) + "="),
        Arguments.of("a valid token with == appended", hs256(claims()) + "=="),
        Arguments.of("a valid token with the last signature character re-spelled", respelled(hs256(claims()))),
        Arguments.of("four parts", hs256(claims()) + ".e30"),
        // claims of the wrong JSON type, signed with the right key: refused as malformed, never a 500
        Arguments.of("exp as a string", hs256(claims().put("exp", String.valueOf(now + 600)))),
        Arguments.of("exp as an object", hs256(claims().put("exp", new JsonObject().put("n", now + 600)))),
        Arguments.of("exp as a boolean", hs256(claims().put("exp", true))),
        Arguments.of("exp beyond any date", hs256(claims().put("exp", 1e300))),
        Arguments.of("iat as a string", hs256(claims().put("iat", String.valueOf(now)))),
        Arguments.of("nbf as a string", hs256(claims().put("nbf", String.valueOf(now)))),
        Arguments.of("iss as an array", hs256(claims().put("iss", new JsonArray().add("vertx-chat")))),
        Arguments.of("sub as a number", hs256(claims().put("sub", 42))),
        Arguments.of("aud as a number", hs256(claims().put("aud", 7))),
        Arguments.of("aud array with a number", hs256(claims().put("aud", new JsonArray().add("vertx-chat").add(7)))),
        Arguments.of("name as an object", hs256(claims().put("name", new JsonObject()))),
        Arguments.of("identity provider, exp as a string",
            rs256(idpClaims().put("exp", String.valueOf(now + 600)), idpKeys.getPrivate())),
        Arguments.of("identity provider, preferred_username as a number",
            rs256(idpClaims().put("preferred_username", 12), idpKeys.getPrivate())));
  }

  /**
   * The same token with the last character of its signature replaced by one that decodes to the same
   * bytes (only the unused low bits differ): a second spelling of a valid token.
   */
  private static String respelled(String token) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = token.charAt(token.length() - 1);
    char other = alphabet.charAt(alphabet.indexOf(last) ^ 1); // HS256: 32 bytes, 43 characters, 2 unused bits
    return token.substring(0, token.length() - 1) + other;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTokens")
  void isRefusedByRestAndBridge(String what, String token) {
    assertRefused(token);
  }

  /** Claims of an own token that expired a minute ago, after an hour's lifetime: renewable. */
  private static JsonObject expiredClaims() {
    long now = System.currentTimeMillis() / 1000;
    return claims().put("iat", now - 3660).put("exp", now - 60);
  }

  /**
   * A token that expired a minute ago may be renewed, but only an own token whose every other check
   * passes: the grace after expiry is no way around the signature, algorithm, issuer, audience or claims.
   */
  static Stream<Arguments> unrenewableTokens() {
    byte[] otherSecret = "another-secret-another-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    long now = System.currentTimeMillis() / 1000;
    JsonObject expiredNoSub = expiredClaims();
    expiredNoSub.remove("sub");
    return Stream.of(
        Arguments.of("bad signature", hs256(expiredClaims(), otherSecret)),
        Arguments.of("alg none", b64(header("none")) + "." + b64(expiredClaims()) + "."),
        Arguments.of("wrong issuer", hs256(expiredClaims().put("iss", "someone-else"))),
        Arguments.of("wrong audience", hs256(expiredClaims().put("aud", "another-app"))),
        Arguments.of("missing sub", hs256(expiredNoSub)),
        Arguments.of("exp as a string", hs256(expiredClaims().put("exp", String.valueOf(now - 60)))),
        Arguments.of("key confusion, own issuer", hs256(expiredClaims(), idpPublicPem.getBytes(StandardCharsets.UTF_8))),
        Arguments.of("a valid token with = appended", hs256(expiredClaims()) + "="),
        Arguments.of("RS256 of the identity provider, expired a minute ago",
            rs256(expiredClaims().put("sub", "alice@idp").put("name", "Alice").put("iss", IDP), idpKeys.getPrivate())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unrenewableTokens")
  void isNotRenewedThoughExpiredWithinTheGrace(String what, String token) {
    HttpResponse<Buffer> res = http.post("/api/auth/refresh", token, new JsonObject());
    assertEquals(401, res.statusCode(), res.bodyAsString());
    assertEquals(ErrorCodes.UNAUTHENTICATED, errorCode(res));
  }

  @Test
  void controlTheSameExpiredMintingWithTheRightKeyAndClaimsIsRenewed() {
    HttpResponse<Buffer> res = http.post("/api/auth/refresh", hs256(expiredClaims()), new JsonObject());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals("u-tester", res.bodyAsJsonObject().getJsonObject("user").getString("id"));
  }

  @Test
  void controlTheSameMintingWithTheRightKeyAndClaimsIsAccepted() {
    assertAccepted(hs256(claims()));
    assertAccepted(rs256(idpClaims(), idpKeys.getPrivate()));
  }

  @Test
  void anIdentityProviderUserChatsUnderAPrefixedId() {
    String aliceToken = rs256(idpClaims(), idpKeys.getPrivate());
    assertEquals(200, http.get("/api/rooms", aliceToken).statusCode());
    HttpResponse<Buffer> refresh = http.post("/api/auth/refresh", aliceToken, new JsonObject());
    assertEquals(403, refresh.statusCode(), "the identity provider renews its own tokens");
    assertEquals(ErrorCodes.FORBIDDEN, errorCode(refresh));

    JsonObject bobSession = http.guest("bob");
    String bobId = bobSession.getJsonObject("user").getString("id");
    BridgeClient alice = service.connect(aliceToken);
    BridgeClient bob = service.connect(bobSession.getString("token"));
    alice.join("general", "x-alice@idp");
    bob.join("general", bobId);
    JsonObject reply = alice.request("chat.send", new JsonObject().put("room", "general").put("text", "hello from the idp"));
    assertEquals("message", reply.getString("type"), reply.encode());
    JsonObject env = body(bob.awaitFrame(f -> "hello from the idp".equals(body(f).getString("text"))));
    assertEquals(new JsonObject().put("id", "x-alice@idp").put("name", "Alice"), env.getJsonObject("user"));
  }

  @Test
  void aTokenWithAStringExpIs401WithAClearReasonNot500() {
    long now = System.currentTimeMillis() / 1000;
    HttpResponse<Buffer> res = http.get("/api/rooms", hs256(claims().put("exp", String.valueOf(now + 600))));
    assertEquals(401, res.statusCode(), res.bodyAsString());
    assertEquals(ErrorCodes.UNAUTHENTICATED, errorCode(res));
    assertTrue(res.bodyAsJsonObject().getJsonObject("error").getString("message").contains("malformed token claims"),
        res.bodyAsString());
  }

  /** The display name the service stamps on the messages of this token's user. */
  private String displayNameOf(String token) {
    HttpResponse<Buffer> sent = http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "who am I"));
    assertEquals(201, sent.statusCode(), sent.bodyAsString());
    long id = sent.bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> history = http.get("/api/rooms/general/messages?after=" + (id - 1) + "&limit=1", token);
    return history.bodyAsJsonObject().getJsonArray("messages").getJsonObject(0).getJsonObject("user").getString("name");
  }

  @Test
  void anIdentityProvidersDisplayNameFollowsTheNameRule() {
    // a valid name is used as it is
    assertEquals("Alice", displayNameOf(rs256(idpClaims(), idpKeys.getPrivate())));
    // a name breaking the rule: preferred_username, then sub, when they follow it
    assertEquals("carol.p", displayNameOf(rs256(idpClaims().put("sub", "carol@idp").put("name", "<b>admin</b>")
        .put("preferred_username", "carol.p"), idpKeys.getPrivate())));
    assertEquals("dave_1", displayNameOf(rs256(idpClaims().put("sub", "dave_1").put("name", "dave\u200b  \u202e"),
        idpKeys.getPrivate())));
    assertEquals("erin", displayNameOf(rs256(idpClaims().put("sub", "erin").put("name", "x".repeat(40)),
        idpKeys.getPrivate())));
    // nothing usable: refused with a reason, over REST and at the bridge handshake
    String nameless = rs256(idpClaims().put("sub", "frank@idp").put("name", "Frank  the\tGreat"), idpKeys.getPrivate());
    HttpResponse<Buffer> res = http.get("/api/rooms", nameless);
    assertEquals(401, res.statusCode(), res.bodyAsString());
    assertEquals(ErrorCodes.UNAUTHENTICATED, errorCode(res));
    assertTrue(res.bodyAsJsonObject().getJsonObject("error").getString("message").contains("display name"), res.bodyAsString());
    assertRefused(nameless);
  }

  @Test
  void anUnreadablePublicKeyFileStopsDeployment(@TempDir Path otherDir) throws Exception {
    Path missing = otherDir.resolve("no-such-key.pem");
    assertDeployFails(missing);
    Path notAKey = Files.writeString(otherDir.resolve("not-a-key.pem"), "this is not a PEM key\n");
    assertDeployFails(notAKey);
  }

  private void assertDeployFails(Path keyFile) {
    Throwable refused = service.refusedStart(new JsonObject().put("auth", new JsonObject()
        .put("jwt", new JsonObject().put("publicKeyFile", keyFile.toString()))));
    assertTrue(refused.getMessage().contains("auth.jwt.publicKeyFile"), keyFile + ": " + refused.getMessage());
  }
}
