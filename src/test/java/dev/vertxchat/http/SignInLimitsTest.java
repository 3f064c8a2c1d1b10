package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.Http.errorCode;
import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/** Sign-in routes need no token, so they are limited per client address and per account name. */
class SignInLimitsTest {
  @RegisterExtension
  final ChatService service = new ChatService();
  Http http;

  private void start(JsonObject limits, JsonObject auth) {
    http = service.start(new JsonObject().put("limits", limits).put("auth", auth)).http();
  }

  private HttpResponse<Buffer> login(String name, String password) {
    return http.post("/api/auth/login", null, new JsonObject().put("name", name).put("password", password));
  }

  private static void assertThrottled(HttpResponse<Buffer> res) {
    assertEquals(429, res.statusCode(), res.bodyAsString());
    assertEquals(ErrorCodes.TOO_MANY_ATTEMPTS, errorCode(res));
    assertTrue(Long.parseLong(res.getHeader("Retry-After")) >= 1, "Retry-After: " + res.getHeader("Retry-After"));
  }

  @Test
  void loginAndRegisterAttemptsArePerAddress() {
    start(new JsonObject().put("signInsPerMinute", 5), new JsonObject());
    for (int i = 0; i < 5; i++) {
      assertEquals(401, login("nobody" + i, "wrong password").statusCode());
    }
    assertThrottled(login("nobody", "wrong password"));
    assertThrottled(http.post("/api/auth/register", null, new JsonObject().put("name", "newcomer").put("password", "long enough")));
  }

  @Test
  void guestSignInsArePerAddress() {
    start(new JsonObject().put("guestSignInsPerMinute", 3), new JsonObject());
    for (int i = 0; i < 3; i++) {
      http.guest("guest" + i);
    }
    assertThrottled(http.post("/api/auth/guest", null, new JsonObject().put("name", "one-more")));
  }

  @Test
  void failedLoginsLockANameOnlyUntilTheWindowLetsTheOwnerIn() throws InterruptedException {
    start(new JsonObject().put("failedLoginsPerName", 3).put("failedLoginsWindowSeconds", 15), new JsonObject());
    assertEquals(201, http.post("/api/auth/register", null, new JsonObject().put("name", "target").put("password", "the right one")).statusCode());
    // every spelling that reaches the account spends the same budget
    List<String> spellings = List.of("target", "TARGET", "ｔａｒｇｅｔ");
    for (int i = 0; i < 3; i++) {
      assertEquals(401, login(spellings.get(i), "guess " + i).statusCode());
    }
    HttpResponse<Buffer> locked = login("TARGET", "the right one");
    assertThrottled(locked);
    assertEquals(401, login("someone-else", "guess").statusCode(), "other names are not locked");

    // the lock lasts until the window lets the owner in: time passing is the behaviour under test
    Thread.sleep(Long.parseLong(locked.getHeader("Retry-After")) * 1000);
    HttpResponse<Buffer> owner = login("target", "the right one");
    assertEquals(200, owner.statusCode(), owner.bodyAsString());
  }

  private HttpResponse<Buffer> loginFrom(WebClient web, String address, String name, String password) {
    return await(web.post("/api/auth/login").putHeader("X-Forwarded-For", address)
        .sendJsonObject(new JsonObject().put("name", name).put("password", password)));
  }

  /**
   * Behind a trusted proxy, per client address: a slow attacker spending an account's budget locks only
   * its own address out, never the owner elsewhere; all addresses together get ten times the budget.
   */
  @Test
  void anAttackerLocksOutOnlyItsOwnAddress(Vertx vertx) {
    http = service.start(new JsonObject()
        .put("http", new JsonObject().put("trustedProxies", new io.vertx.core.json.JsonArray().add("127.0.0.1")))
        .put("limits", new JsonObject().put("failedLoginsPerName", 1))).http();
    assertEquals(201, http.post("/api/auth/register", null, new JsonObject().put("name", "owner").put("password", "the right one")).statusCode());
    WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    try {
      assertEquals(401, loginFrom(web, "203.0.113.7", "owner", "guess").statusCode());
      assertThrottled(loginFrom(web, "203.0.113.7", "owner", "the right one"));
      assertEquals(200, loginFrom(web, "198.51.100.2", "owner", "the right one").statusCode(), "the owner elsewhere");
      // ten times the budget from all addresses together: 9 more addresses get a guess, the 11th does not
      for (int i = 1; i <= 9; i++) {
        assertEquals(401, loginFrom(web, "203.0.113." + (10 + i), "owner", "guess").statusCode());
      }
      assertThrottled(loginFrom(web, "203.0.113.99", "owner", "guess"));
    } finally {
      web.close();
    }
  }

  /** Simultaneous guesses cannot all pass before the first failure is counted. */
  @Test
  void simultaneousGuessesShareTheAccountsBudget(Vertx vertx) {
    start(new JsonObject().put("failedLoginsPerName", 3), new JsonObject());
    assertEquals(201, http.post("/api/auth/register", null, new JsonObject().put("name", "target").put("password", "the right one")).statusCode());
    WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()),
        new PoolOptions().setHttp1MaxSize(16));
    List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      guesses.add(web.post("/api/auth/login").sendJsonObject(new JsonObject().put("name", "target").put("password", "guess " + i)));
    }
    int checked = 0;
    for (Future<HttpResponse<Buffer>> f : guesses) {
      HttpResponse<Buffer> res = await(f);
      if (res.statusCode() == 401) {
        checked++;
      } else {
        assertThrottled(res);
      }
    }
    assertEquals(3, checked, "passwords checked for 16 simultaneous guesses with a budget of 3");
    web.close();
  }

  /** 200 concurrent wrong-password logins: hashing has its own bounded pool, so everything else keeps working. */
  @Test
  void aLoginFloodLeavesHealthAndChatServed(Vertx vertx) {
    start(new JsonObject(), new JsonObject().put("hashThreads", 1).put("hashQueue", 4));
    assertEquals(201, http.post("/api/auth/register", null, new JsonObject().put("name", "flooded").put("password", "the right one")).statusCode());
    String token = http.guestToken("bystander");
    WebClient flood = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()),
        new PoolOptions().setHttp1MaxSize(200));
    List<Future<HttpResponse<Buffer>>> attempts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      attempts.add(flood.post("/api/auth/login").sendJsonObject(new JsonObject().put("name", "flooded").put("password", "guess " + i)));
    }
    HttpResponse<Buffer> health = http.get("/health", null);
    assertEquals(200, health.statusCode(), health.bodyAsString());
    assertEquals(200, http.get("/api/rooms/general/messages", token).statusCode());
    assertEquals(200, http.post("/api/auth/guest", null, new JsonObject().put("name", "latecomer")).statusCode());

    int busy = 0;
    for (Future<HttpResponse<Buffer>> f : attempts) {
      HttpResponse<Buffer> res = await(f);
      if (res.statusCode() == 503) {
        assertEquals(ErrorCodes.UNAVAILABLE, errorCode(res));
        assertEquals("1", res.getHeader("Retry-After"));
        busy++;
      } else {
        // the per-name limit (10 failures by default) answers the rest without hashing
        assertTrue(res.statusCode() == 401 || res.statusCode() == 429, res.statusCode() + " " + res.bodyAsString());
      }
    }
    assertTrue(busy > 0, "the hashing queue never filled");
    flood.close();
  }
}
