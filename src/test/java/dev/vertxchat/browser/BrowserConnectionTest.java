package dev.vertxchat.browser;

import dev.vertxchat.support.Browser;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page acts on why its bridge connection closed or was refused (issue 9): a new token and at once
 * back online after "token expired" (close 4200) or a refused token (401), a clear message and no more
 * reconnects after a protocol error (close 4400) or when the server refuses the page's origin (403). Real Chromium, the official client as the app uses it.
 */
class BrowserConnectionTest extends BrowserTestBase {
  /** How long a page that must not reconnect is watched: longer than its first three backoff delays. */
  private static final long QUIET_MS = 3_000;

  /** How many connections sockjs-client has started (each begins with its GET /eventbus/info). */
  private static long connectionAttempts(Browser b) {
    return (Long) b.js("return performance.getEntriesByType('resource').filter(e =>"
        + " e.initiatorType === 'xmlhttprequest' && new URL(e.name).pathname === '/eventbus/info').length");
  }

  private static String note(Browser b) {
    return b.byId("connection-why").getText();
  }

  @Test
  void aTokenThatExpiresWhileThePageIsOpenIsRenewedAndNoMessageIsLostOrShownTwice(Vertx vertx) throws Exception {
    service.start(new JsonObject().put("limits",
        new JsonObject().put("messagesPerSecond", 10_000).put("messageBurst", 10_000)));
    Http http = service.http();
    String bot = http.guestToken("bot");
    List<String> sent = new ArrayList<>();

    Browser page = browser();
    page.recordStates();
    int lifetime = 10;
    String shortLived = Tokens.expiringIn(vertx, "g-expiring001", "erin", lifetime);
    page.js("sessionStorage.setItem('vertx-chat.session', JSON.stringify({token: arguments[0],"
        + " user: {id: 'g-expiring001', name: 'erin', guest: true}, kind: 'guest'}))", shortLived);
    page.driver.navigate().refresh();
    page.waitFor("online with the short-lived token", () -> "online".equals(page.status()));
    page.waitFor("in General", () -> "General".equals(page.byId("room-title").getText()));
    page.restartStates();

    for (int i = 0; i < 3; i++) {
      sent.add(post(http, bot, "before " + i));
    }
    page.waitFor("the page shows the first messages", () -> page.messages().containsAll(sent));

    // the page renews its stored token at 80 % of the lifetime, and the server closes the page's
    // connection when the token it was opened with expires, 2 s later: messages go on from the renewal
    // until the page is back online, and a few after
    page.waitFor("the page renews its token ahead of expiry", () -> !shortLived.equals(page.storedSession().get("token")));
    long deadline = System.currentTimeMillis() + 15_000;
    int around = 0;
    while (!Browser.backOnline(page.states()) && System.currentTimeMillis() < deadline) {
      sent.add(post(http, bot, "around " + around++));
      Thread.sleep(50); // spreads the messages over the close and the reconnect (pacing, not a wait for an event)
    }
    assertTrue(Browser.backOnline(page.states()), "the page went offline and came back: " + page.states());
    for (int i = 0; i < 3; i++) {
      sent.add(post(http, bot, "after " + i));
    }

    page.waitFor("every message is shown", () -> page.messages().containsAll(sent));
    List<String> shown = page.messages();
    for (String text : sent) {
      assertEquals(1, Collections.frequency(shown, text), text + " shown once: " + shown);
    }
    assertEquals(sent.size(), shown.size(), shown.toString());
    assertEquals("online", page.status());
    // a new token and at once a new connection: the page never waited to retry, nor said it was offline
    List<String> log = page.states();
    assertFalse(log.contains("reconnecting") || log.contains("offline") || log.contains("stopped"),
        "renewed and reconnected at once: " + log);
    assertTrue(page.byId("connection-note").getAttribute("hidden") != null, "no connection problem shown");
    assertFalse(shortLived.equals(page.storedSession().get("token")), "the page holds a new token");
    assertEquals(Map.of("id", "g-expiring001", "name", "erin", "guest", true), page.storedSession().get("user"),
        "for the same guest");
  }

  private static String post(Http http, String token, String text) {
    assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", text)).statusCode());
    return text;
  }

  @Test
  void aTokenTheBridgeRefusesIsReplacedAndThePageComesOnline(Vertx vertx) throws Exception {
    // a stored token that is not expired but that the server no longer trusts (signed with a secret it
    // does not have, as after a secret rotation): the handshake is refused 401
    JWTAuth other = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("another-secret-another-secret-another-secret-01")));
    long now = System.currentTimeMillis() / 1000;
    String untrusted = other.generateToken(new JsonObject().put("sub", "g-untrusted01").put("name", "fay").put("iat", now)
        .put("exp", now + 3600), new JWTOptions().setAlgorithm("HS256").setIssuer("vertx-chat").setAudience(List.of("vertx-chat")));
    Browser page = browser();
    page.recordStates();
    page.js("sessionStorage.setItem('vertx-chat.session', JSON.stringify({token: arguments[0],"
        + " user: {id: 'g-untrusted01', name: 'fay', guest: true}, kind: 'guest'}))", untrusted);
    page.driver.navigate().refresh();
    // the guest gets a new token (signing in again under the same name) and connects
    page.waitFor("online with a new token", () -> "online".equals(page.status()));
    String stored = (String) page.js("return JSON.parse(sessionStorage.getItem('vertx-chat.session')).token");
    assertFalse(untrusted.equals(stored), "the page holds a new token");
    assertEquals(List.of("offline", "connecting", "online"), page.states(), "a new token and at once connected");
    page.labelled("Message").sendKeys("signed in again", Keys.ENTER);
    page.waitFor("the message is stored and shown", () -> page.messages().contains("signed in again"));
  }

  @Test
  void aRefusedOriginBehindAProxyIsShownAndThePageStopsRetrying() throws Exception {
    // a proxy set up without the original Host header: the service believes it is chat.example.com,
    // while the browser is on http://127.0.0.1:<port>, so the bridge handshake is refused 403 (2007)
    service.start(new JsonObject().put("http",
        new JsonObject().put("publicOrigin", "http://chat.example.com")));
    Browser page = browser();
    page.labelled("Name").sendKeys("dora");
    page.button("Join as guest").click(); // the REST API does not check the Origin: signing in works
    page.waitFor("the page stops", () -> "stopped".equals(page.status()));
    String why = note(page);
    assertTrue(why.contains("refuses connections from this page's address (" + service.base() + ")"), why);
    assertTrue(why.contains("Host header") && why.contains("http.publicOrigin"), why);
    assertTrue(page.button("Reload").isDisplayed());
    page.screenshot(BrowserChatTest.SCREENSHOTS.resolve("origin-refused.png"));

    page.restartStates();
    long attempts = connectionAttempts(page);
    Thread.sleep(QUIET_MS); // time passing is the behaviour: the page must stay quiet (no event to await)
    assertEquals(attempts, connectionAttempts(page), "no new connection attempt");
    assertEquals(List.of("stopped"), page.states());
  }

  @Test
  void aProtocolErrorClosesForGoodWithTheServersReason() throws Exception {
    Browser page = browser();
    page.signInAsGuest("mallory");
    page.waitFor("in General", () -> "General".equals(page.byId("room-title").getText()));
    // the page's own SockJS connection sends garbage before its next frame, until the server has had
    // enough (more than 20 malformed frames: close 4400)
    page.js("const send = SockJS.prototype.send;"
        + " SockJS.prototype.send = function (data) { SockJS.prototype.send = send;"
        + " for (let i = 0; i < 30; i++) send.call(this, 'not a frame ' + i); return send.call(this, data); };");
    page.labelled("Message").sendKeys("x"); // a typing notice: the next frame
    page.waitFor("the page stops", () -> "stopped".equals(page.status()));
    assertEquals("The server closed the connection: too many malformed frames. Reload the page.", note(page));
    assertTrue(page.button("Reload").isDisplayed());

    page.restartStates();
    long attempts = connectionAttempts(page);
    Thread.sleep(QUIET_MS); // time passing is the behaviour: the page must stay quiet (no event to await)
    assertEquals(attempts, connectionAttempts(page), "no new connection attempt");
    assertEquals(List.of("stopped"), page.states());

    page.labelled("Message").sendKeys("hello?", Keys.ENTER);
    page.waitFor("a send says why it failed", () -> page.byId("send-error").getText().contains("Reload the page."));
  }
}
