package dev.vertxchat.auth;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest sign-in, registration, login and token refresh over the real HTTP API. */
class AuthApiTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  private static JsonObject credentials(String name, String password) {
    return new JsonObject().put("name", name).put("password", password);
  }

  private static String userId(HttpResponse<Buffer> res) {
    return res.bodyAsJsonObject().getJsonObject("user").getString("id");
  }

  /** Asserts the status and that the body is exactly {@code {"error":{"code","message"}}} with the code. */
  private static void assertError(HttpResponse<Buffer> res, int status, int code) {
    assertEquals(status, res.statusCode(), res.bodyAsString());
    assertTrue(res.getHeader("Content-Type").startsWith("application/json"), res.getHeader("Content-Type"));
    JsonObject body = res.bodyAsJsonObject();
    assertEquals(Set.of("error"), body.fieldNames(), body.encode());
    JsonObject error = body.getJsonObject("error");
    assertEquals(Set.of("code", "message"), error.fieldNames(), body.encode());
    assertTrue(error.getValue("code") instanceof Integer, body.encode());
    assertEquals(code, error.getInteger("code"), body.encode());
    assertTrue(error.getValue("message") instanceof String m && !m.isBlank(), body.encode());
  }

  private static JsonObject decodePart(String part) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
  }

  @Test
  void guestSignInAnswersATokenAndTheUser(Http http) {
    HttpResponse<Buffer> res = http.post("/api/auth/guest", null, new JsonObject().put("name", "Zoë_the-guest.1"));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject body = res.bodyAsJsonObject();
    assertFalse(body.getString("token").isEmpty());
    assertEquals("Zoë_the-guest.1", body.getJsonObject("user").getString("name"));
    assertFalse(body.getJsonObject("user").getString("id").isEmpty());
    assertEquals(200, http.get("/api/rooms", body.getString("token")).statusCode(), "the token opens the API");
    String other = http.guest("Zoë_the-guest.1").getJsonObject("user").getString("id");
    assertFalse(other.equals(body.getJsonObject("user").getString("id")), "each guest sign-in is a new user");
  }

  @Test
  void aNameOfExactly32CharactersIsAccepted(Http http) {
    assertEquals("a".repeat(32), http.guest("a".repeat(32)).getJsonObject("user").getString("name"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abcdefghijklmnopqrstuvwxyz0123456", // 33 characters
       "<b>x</b>", " leading", "a  b", "trailing "})
  void invalidGuestNamesAreRefused(String name, Http http) {
    assertError(http.post("/api/auth/guest", null, new JsonObject().put("name", name)), 400, ErrorCodes.INVALID_NAME);
  }

  @Test
  void guestSignInWithoutANameIsRefused(Http http) {
    assertError(http.post("/api/auth/guest", null, new JsonObject()), 400, ErrorCodes.INVALID_NAME);
  }

  @Test
  void guestsCanBeDisabled() {
    Http http = service.start(new JsonObject().put("auth", new JsonObject().put("guests", false))).http();
    assertError(http.post("/api/auth/guest", null, new JsonObject().put("name", "visitor")), 403, ErrorCodes.GUESTS_DISABLED);
    HttpResponse<Buffer> reg = http.post("/api/auth/register", null, credentials("member", "long enough pw"));
    assertEquals(201, reg.statusCode(), "accounts still work: " + reg.bodyAsString());
  }

  @Test
  void aGuestCannotTakeTheNameOfARegisteredAccountInAnyCase(Http http) {
    assertEquals(201, http.post("/api/auth/register", null, credentials("Carol", "carols password")).statusCode());
    for (String name : new String[] {"Carol", "carol", "CAROL"}) {
      assertError(http.post("/api/auth/guest", null, new JsonObject().put("name", name)), 409, ErrorCodes.NAME_TAKEN);
    }
  }

  /** Server notices are shown under "server" (user id "system"): nobody may sign in looking like them. */
  @Test
  void theServersNamesAndTheirLookAlikesCannotBeTaken(Http http) {
    for (String name : new String[] {"server", "Server", "SYSTEM", "system", "Server notice", "server_notice",
        "SERVER-NOTICE", "\u0405\u0435rv\u0435r", "\uFF53\uFF59\uFF53\uFF54\uFF45\uFF4D", "Sy\u0455tem"}) {
      assertError(http.post("/api/auth/guest", null, new JsonObject().put("name", name)), 409, ErrorCodes.NAME_TAKEN);
      assertError(http.post("/api/auth/register", null, credentials(name, "long enough pw")), 409, ErrorCodes.NAME_TAKEN);
    }
    // names that merely contain them are anybody's
    for (String name : new String[] {"servers", "server fan", "systemd", "notice"}) {
      assertEquals(200, http.post("/api/auth/guest", null, new JsonObject().put("name", name)).statusCode(), name);
    }
    assertEquals(201, http.post("/api/auth/register", null, credentials("server fan", "long enough pw")).statusCode());
  }

  @Test
  void registerAnswers201WithATokenAndTheNameIsThenTakenInAnyCase(Http http) {
    HttpResponse<Buffer> res = http.post("/api/auth/register", null, credentials("Dave", "daves password"));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    JsonObject body = res.bodyAsJsonObject();
    assertEquals("Dave", body.getJsonObject("user").getString("name"));
    assertFalse(body.getJsonObject("user").getString("id").isEmpty());
    assertEquals(200, http.get("/api/rooms", body.getString("token")).statusCode());

    assertError(http.post("/api/auth/register", null, credentials("Dave", "another password")), 409, ErrorCodes.NAME_TAKEN);
    assertError(http.post("/api/auth/register", null, credentials("dAVE", "another password")), 409, ErrorCodes.NAME_TAKEN);
  }

  @Test
  void registerRefusesShortPasswordsBadNamesAndMalformedBodies(Http http) {
    assertError(http.post("/api/auth/register", null, credentials("erin", "1234567")), 400, ErrorCodes.INVALID_PASSWORD);
    assertError(http.post("/api/auth/register", null, credentials("erin", "p".repeat(257))), 400, ErrorCodes.INVALID_PASSWORD);
    assertError(http.post("/api/auth/register", null, new JsonObject().put("name", "erin")), 400, ErrorCodes.INVALID_PASSWORD);
    assertError(http.post("/api/auth/register", null, credentials("<erin>", "long enough pw")), 400, ErrorCodes.INVALID_NAME);
    assertError(http.post("/api/auth/register", null, "{\"name\": \"erin\", \"password\": "), 400, ErrorCodes.BAD_REQUEST);
    assertError(http.post("/api/auth/register", null, "[\"erin\"]"), 400, ErrorCodes.BAD_REQUEST);
    // none of the refused attempts created the account
    assertEquals(201, http.post("/api/auth/register", null, credentials("erin", "12345678")).statusCode(),
        "8 characters is long enough");
  }

  /** Names count code points: 32 letters outside the BMP are 64 UTF-16 units; "İ" lower-cases to two units. */
  @ParameterizedTest
  @ValueSource(strings = {"\uD835\uDC00\uD835\uDC01\uD835\uDC02\uD835\uDC03", "\u0130"})
  void everyValidNameCanBeRegisteredAndLoggedInWith(String unit, Http http) {
    String name = unit.repeat(32 / unit.codePointCount(0, unit.length()));
    assertEquals(32, name.codePointCount(0, name.length()));
    assertEquals(200, http.post("/api/auth/guest", null, new JsonObject().put("name", name)).statusCode(), "a valid name");
    HttpResponse<Buffer> reg = http.post("/api/auth/register", null, credentials(name, "long enough pw"));
    assertEquals(201, reg.statusCode(), reg.bodyAsString());
    HttpResponse<Buffer> login = http.post("/api/auth/login", null, credentials(name, "long enough pw"));
    assertEquals(200, login.statusCode(), login.bodyAsString());
    assertEquals(userId(reg), userId(login));
  }

  @Test
  void loginWithTheRightPasswordIsTheSameUser(Http http) {
    HttpResponse<Buffer> reg = http.post("/api/auth/register", null, credentials("Frank", "franks password"));
    assertEquals(201, reg.statusCode(), reg.bodyAsString());
    for (String name : new String[] {"Frank", "frank"}) {
      HttpResponse<Buffer> login = http.post("/api/auth/login", null, credentials(name, "franks password"));
      assertEquals(200, login.statusCode(), login.bodyAsString());
      assertEquals(userId(reg), userId(login));
      assertEquals("Frank", login.bodyAsJsonObject().getJsonObject("user").getString("name"), "the registered spelling");
      assertEquals(200, http.get("/api/rooms", login.bodyAsJsonObject().getString("token")).statusCode());
    }
  }

  @Test
  void wrongPasswordAndUnknownNameAreIndistinguishable(Http http) {
    assertEquals(201, http.post("/api/auth/register", null, credentials("grace", "graces password")).statusCode());
    HttpResponse<Buffer> wrong = http.post("/api/auth/login", null, credentials("grace", "not her password"));
    HttpResponse<Buffer> unknown = http.post("/api/auth/login", null, credentials("nobody", "graces password"));
    assertError(wrong, 401, ErrorCodes.BAD_CREDENTIALS);
    assertError(unknown, 401, ErrorCodes.BAD_CREDENTIALS);
    assertEquals(wrong.bodyAsJsonObject(), unknown.bodyAsJsonObject());
    assertEquals(wrong.bodyAsString(), unknown.bodyAsString());
    assertEquals(wrong.bodyAsString(), http.post("/api/auth/login", null, credentials("grace", "")).bodyAsString());
  }

  @Test
  void everyRouteButSignInNeedsABearerToken(Http http) {
    HttpResponse<Buffer> rooms = http.get("/api/rooms", null);
    assertError(rooms, 401, ErrorCodes.UNAUTHENTICATED);
    assertNotNull(rooms.getHeader("WWW-Authenticate"));
    assertTrue(rooms.getHeader("WWW-Authenticate").startsWith("Bearer"), rooms.getHeader("WWW-Authenticate"));

    assertError(http.get("/api/rooms/general/messages", null), 401, ErrorCodes.UNAUTHENTICATED);
    assertError(http.get("/api/no-such-route", null), 401, ErrorCodes.UNAUTHENTICATED);
    assertError(http.post("/api/rooms", null, new JsonObject().put("id", "x").put("name", "X")), 401, ErrorCodes.UNAUTHENTICATED);
    assertError(http.post("/api/rooms/general/messages", null, new JsonObject().put("text", "hi")), 401, ErrorCodes.UNAUTHENTICATED);
    assertError(http.post("/api/auth/refresh", null, new JsonObject()), 401, ErrorCodes.UNAUTHENTICATED);

    String token = http.guestToken("henry");
    assertEquals(200, http.get("/api/rooms", token).statusCode());
    assertError(http.get("/api/no-such-route", token), 404, ErrorCodes.NOT_FOUND);
  }

  @Test
  void refreshAnswersAWorkingTokenForTheSameUser(Http http) {
    JsonObject session = http.guest("ivy");
    HttpResponse<Buffer> res = http.post("/api/auth/refresh", session.getString("token"), new JsonObject());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject refreshed = res.bodyAsJsonObject();
    assertEquals(session.getJsonObject("user"), refreshed.getJsonObject("user"));
    String token = refreshed.getString("token");
    JsonObject claims = decodePart(token.split("\\.")[1]);
    assertEquals(session.getJsonObject("user").getString("id"), claims.getString("sub"));
    assertTrue(claims.getLong("exp") >= decodePart(session.getString("token").split("\\.")[1]).getLong("exp"));
    assertEquals(200, http.get("/api/rooms", token).statusCode());
  }

  /**
   * A page that slept past its renewal time still renews its token, for the same user: a guest keeps its
   * id (its messages stay its own), an account its account. Only the renewal route takes such a token.
   */
  @Test
  void aTokenExpiredLessThanALifetimeAgoRenewsForTheSameUser(Vertx vertx, Http http) {
    long now = System.currentTimeMillis() / 1000;
    String expired = Tokens.expiredAgo(vertx, "g-sleeper0001", "sleepy", 60);
    assertError(http.get("/api/rooms", expired), 401, ErrorCodes.UNAUTHENTICATED);
    HttpResponse<Buffer> res = http.post("/api/auth/refresh", expired, new JsonObject());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject renewed = res.bodyAsJsonObject();
    assertEquals(new JsonObject().put("id", "g-sleeper0001").put("name", "sleepy").put("guest", true), renewed.getJsonObject("user"));
    assertEquals(3600, renewed.getInteger("expiresIn"));
    JsonObject claims = decodePart(renewed.getString("token").split("\\.")[1]);
    assertEquals("g-sleeper0001", claims.getString("sub"));
    assertEquals("sleepy", claims.getString("name"));
    assertTrue(claims.getLong("exp") >= now + 3600, "a full lifetime from now: " + claims.encode());
    assertEquals(200, http.get("/api/rooms", renewed.getString("token")).statusCode(), "the new token opens the API");

    String accountId = userId(http.post("/api/auth/register", null, credentials("Kim", "kims password")));
    HttpResponse<Buffer> account = http.post("/api/auth/refresh", Tokens.expiredAgo(vertx, accountId, "Kim", 1800), new JsonObject());
    assertEquals(200, account.statusCode(), account.bodyAsString());
    assertEquals(new JsonObject().put("id", accountId).put("name", "Kim"), account.bodyAsJsonObject().getJsonObject("user"));
  }

  /** The grace after expiry is one token lifetime (auth.tokenTtlSeconds): longer ago, sign in again. */
  @Test
  void aTokenExpiredLongerAgoThanALifetimeIsRefused(Vertx vertx) {
    Http http = service.start(new JsonObject().put("auth", new JsonObject().put("tokenTtlSeconds", 120))).http();
    assertEquals(120, http.guest("fresh").getInteger("expiresIn"));
    HttpResponse<Buffer> within = http.post("/api/auth/refresh", Tokens.expiredAgo(vertx, "g-sleeper0002", "sleepy", 100), new JsonObject());
    assertEquals(200, within.statusCode(), within.bodyAsString());
    assertEquals("g-sleeper0002", within.bodyAsJsonObject().getJsonObject("user").getString("id"));
    HttpResponse<Buffer> beyond = http.post("/api/auth/refresh", Tokens.expiredAgo(vertx, "g-sleeper0002", "sleepy", 140), new JsonObject());
    assertError(beyond, 401, ErrorCodes.UNAUTHENTICATED);
    assertTrue(beyond.bodyAsJsonObject().getJsonObject("error").getString("message").contains("sign in again"), beyond.bodyAsString());
  }

  @Test
  void theIssuedTokenCarriesTheDocumentedClaims(Http http) {
    long before = System.currentTimeMillis() / 1000;
    JsonObject session = http.guest("jack");
    long after = System.currentTimeMillis() / 1000;
    assertEquals(3600, session.getInteger("expiresIn"));
    String[] parts = session.getString("token").split("\\.", -1);
    assertEquals(3, parts.length);
    assertFalse(parts[2].isEmpty(), "signed");

    JsonObject header = decodePart(parts[0]);
    assertEquals("HS256", header.getString("alg"));

    JsonObject claims = decodePart(parts[1]);
    assertEquals(session.getJsonObject("user").getString("id"), claims.getString("sub"));
    assertEquals("jack", claims.getString("name"));
    long iat = claims.getLong("iat");
    assertTrue(iat >= before && iat <= after, "iat " + iat + " is now");
    assertEquals(3600, claims.getLong("exp") - iat);
    assertEquals("vertx-chat", claims.getString("iss"));
    Object aud = claims.getValue("aud");
    assertTrue("vertx-chat".equals(aud) || new JsonArray().add("vertx-chat").equals(aud), "aud " + aud);
  }
}
