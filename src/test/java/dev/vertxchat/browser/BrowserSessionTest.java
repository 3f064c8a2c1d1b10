package dev.vertxchat.browser;

import dev.vertxchat.support.Browser;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts, rooms, unread counts, typing, refused sends and token renewal in the browser app. */
class BrowserSessionTest extends BrowserTestBase {
  /** The accessible name of a room's button ("side, 2 unread"), or "" when the room is not listed. */
  private static String roomButton(Browser b, String name) {
    return (String) b.js("const b = [...document.querySelectorAll('nav[aria-label=Rooms] li button')]"
        + ".find(b => b.querySelector('.name').textContent === arguments[0]);"
        + " return b ? b.getAttribute('aria-label') : '';", name);
  }

  /** Clicks a room in the list (the list is redrawn often, so it is looked up and clicked at once). */
  private static void openRoom(Browser b, String name) {
    b.waitFor("room " + name + " listed", () -> !roomButton(b, name).isEmpty());
    b.js("[...document.querySelectorAll('nav[aria-label=Rooms] li button')]"
        + ".find(b => b.querySelector('.name').textContent === arguments[0]).click()", name);
    b.waitFor("in room " + name, () -> name.equals(b.byId("room-title").getText()));
  }

  @Test
  void accountsRoomsUnreadCountsTypingAndRefusedSends() throws Exception {
    service.start(new JsonObject().put("limits", new JsonObject().put("maxTextLength", 40)));
    Browser alice = browser();
    Browser bob = browser();
    alice.signInAsGuest("alice");

    // bob registers, signs out, and signs in again with his password
    bob.labelled("Name").sendKeys("bob");
    bob.labelled("Password").sendKeys("correct horse");
    bob.button("Register").click();
    bob.waitFor("bob online", () -> "online".equals(bob.status()));
    bob.button("Sign out").click();
    bob.waitFor("the sign-in form again", () -> bob.byId("sign-in-view").isDisplayed());
    bob.labelled("Name").clear();
    bob.labelled("Name").sendKeys("bob");
    bob.labelled("Password").sendKeys("correct horse");
    bob.button("Sign in").click();
    bob.waitFor("bob online again", () -> "online".equals(bob.status()));

    // alice creates a room and goes there; bob visits it, then goes back to General
    alice.labelled("Room id").sendKeys("side");
    alice.button("Create room").click();
    alice.waitFor("alice is in side", () -> "side".equals(alice.byId("room-title").getText()));
    openRoom(bob, "side"); // listed at once: the directory announces new public rooms
    alice.waitFor("alice sees bob join", () -> alice.members().contains("bob"));
    openRoom(bob, "General");

    // alice types: bob, in the room, sees it; then she posts twice in side while bob reads General
    alice.labelled("Message").sendKeys("typing...");
    alice.labelled("Message").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    alice.labelled("Message").sendKeys("one", Keys.ENTER);
    alice.labelled("Message").sendKeys("two", Keys.ENTER);
    bob.waitFor("bob sees 2 unread in side", () -> roomButton(bob, "side").equals("side, 2 unread"));
    openRoom(bob, "side");
    bob.waitFor("bob reads them", () -> bob.messages().equals(List.of("one", "two")));
    assertEquals("side", roomButton(bob, "side"), "read: no unread count");

    bob.labelled("Message").sendKeys("hello");
    alice.waitFor("alice sees bob typing", () -> alice.byId("typing").getText().equals("bob is typing…"));
    alice.waitFor("and the notice goes away", () -> alice.byId("typing").getText().isEmpty());

    // a refused send says why and keeps the text; Shift+Enter makes a new line
    bob.labelled("Message").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    String tooLong = "x".repeat(41);
    bob.labelled("Message").sendKeys(tooLong, Keys.ENTER);
    bob.waitFor("the reason", () -> bob.byId("send-error").getText().contains("too long"));
    assertEquals(tooLong, bob.labelled("Message").getAttribute("value"));
    bob.labelled("Message").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    bob.labelled("Message").sendKeys("line 1", Keys.chord(Keys.SHIFT, Keys.ENTER), "line 2", Keys.ENTER);
    alice.waitFor("a two-line message", () -> alice.messages().contains("line 1\nline 2"));
  }

  /**
   * Stores a guest session with {@code token} for the page, as if it had signed in, and loads the app with
   * it (the app takes a stored token that is valid for more than 5 s).
   */
  private static void signedInWith(Browser page, String token, String userId, String name) {
    page.js("sessionStorage.setItem('vertx-chat.session', JSON.stringify({token: arguments[0],"
        + " user: {id: arguments[1], name: arguments[2], guest: true}, kind: 'guest'}))", token, userId, name);
    page.driver.navigate().refresh();
    page.waitFor("online with the short token", () -> "online".equals(page.status()));
    page.waitFor("in General", () -> "General".equals(page.byId("room-title").getText()));
  }

  /** The ids of the users who sent the messages of room general, oldest first, as the server stored them. */
  private List<String> storedSenders() {
    Http http = service.http();
    JsonArray messages = http.get("/api/rooms/general/messages", http.guestToken("auditor")).bodyAsJsonObject().getJsonArray("messages");
    return messages.stream().map(m -> ((JsonObject) m).getJsonObject("user").getString("id")).toList();
  }

  /**
   * Renewal keeps the guest: after the page renewed its token ahead of expiry, and after the server
   * closed the connection the old token opened (4200), the page is the same user (id and name), so the
   * messages it sent before and after are its own, presence shows one user, and the server stored both
   * under the same id.
   */
  @Test
  void aGuestWhoseTokenRunsOutIsRenewedAsTheSameUserAndStaysOnline(Vertx vertx) throws Exception {
    Browser page = browser();
    page.recordStates();
    String shortLived = Tokens.expiringIn(vertx, "g-shortlived1", "erin", 12);
    signedInWith(page, shortLived, "g-shortlived1", "erin");
    page.restartStates();
    page.labelled("Message").sendKeys("before the renewal", Keys.ENTER);
    page.waitFor("the message is shown as own", () -> page.ownMessages().contains("before the renewal"));

    // the page renews at 80 % of the token's lifetime
    page.waitFor("renewed", () -> !shortLived.equals(page.storedSession().get("token")));
    assertEquals(Map.of("id", "g-shortlived1", "name", "erin", "guest", true), page.storedSession().get("user"), "the same guest");
    // at the old token's expiry the server closes the connection it opened (4200); the page reconnects with the new one
    page.waitFor("offline at the old token's expiry and online again", () -> Browser.backOnline(page.states()));

    page.labelled("Message").sendKeys("still here", Keys.ENTER);
    page.waitFor("the message is stored and shown", () -> page.messages().contains("still here"));
    assertEquals(List.of("before the renewal", "still here"), page.ownMessages(), "both are the guest's own");
    assertEquals(List.of("erin (you)"), page.members(), "one user in the room, the page's own");
    assertEquals(List.of("g-shortlived1", "g-shortlived1"), storedSenders());
  }

  /**
   * A page that could not renew before its token expired (asleep, or offline for a moment) renews it
   * afterwards, within a token lifetime, and is still the same guest: the renewal gets through only
   * 6 s after the expiry, past the few seconds' leeway every other check allows.
   */
  @Test
  void aGuestThatCouldNotRenewBeforeItsTokenExpiredIsRenewedAfterwardsAsTheSameUser(Vertx vertx) throws Exception {
    Browser page = browser();
    int lifetime = 10;
    long expiresAtMs = (System.currentTimeMillis() / 1000 + lifetime) * 1000;
    String shortLived = Tokens.expiringIn(vertx, "g-sleeper0001", "sam", lifetime);
    page.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "window.refreshAttempts = 0; const fetch0 = window.fetch; window.fetch = function (input, init) {"
            + " if (String(input).startsWith('/api/auth/refresh')) { window.refreshAttempts++;"
            + " if (Date.now() < " + (expiresAtMs + 6_000) + ") return Promise.reject(new TypeError('the network is down')); }"
            + " return fetch0.apply(this, arguments); };"));
    signedInWith(page, shortLived, "g-sleeper0001", "sam");
    page.labelled("Message").sendKeys("before the expiry", Keys.ENTER);
    page.waitFor("the message is shown as own", () -> page.ownMessages().contains("before the expiry"));

    // the page's own renewal fails; the server closes the connection at the expiry (4200); the page
    // retries with backoff until the renewal gets through
    page.waitFor("renewed after the expiry", 40_000, () -> !shortLived.equals(page.storedSession().get("token")));
    assertTrue(System.currentTimeMillis() >= expiresAtMs + 6_000, "renewed only after the expiry");
    assertTrue((Long) page.js("return window.refreshAttempts") >= 2, "the renewals before failed");
    assertEquals(Map.of("id", "g-sleeper0001", "name", "sam", "guest", true), page.storedSession().get("user"), "the same guest");
    assertEquals(0L, page.js("return performance.getEntriesByType('resource')"
        + ".filter(e => new URL(e.name).pathname === '/api/auth/guest').length"), "no new guest sign-in");

    page.waitFor("online again", () -> "online".equals(page.status()));
    page.labelled("Message").sendKeys("after the expiry", Keys.ENTER);
    page.waitFor("the message is stored and shown", () -> page.messages().contains("after the expiry"));
    assertEquals(List.of("before the expiry", "after the expiry"), page.ownMessages(), "both are the guest's own");
    assertEquals(List.of("g-sleeper0001", "g-sleeper0001"), storedSenders());
  }

  /** The names of the rooms in the list, in display order. */
  @SuppressWarnings("unchecked")
  private static List<String> listedRooms(Browser b) {
    return (List<String>) b.js("return [...document.querySelectorAll('nav[aria-label=Rooms] li button .name')].map(n => n.textContent)");
  }

  @Test
  void aRoomBeyondTheFirstPageIsFoundBySearchOrByMore() throws Exception {
    service.start(new JsonObject().put("limits", new JsonObject().put("roomsPerUser", 200)));
    Http http = service.http();
    String token = http.guestToken("builder");
    // general, then lobby-000 ... lobby-119 fill more than the first page of 100; the zoo comes last
    for (int i = 0; i < 120; i++) {
      assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", String.format("lobby-%03d", i))).statusCode());
    }
    assertEquals(201, http.post("/api/rooms", token, new JsonObject().put("id", "zoo").put("name", "Zebra <b>Lounge</b>")).statusCode());

    Browser page = browser();
    page.signInAsGuest("visitor");
    page.waitFor("the first page is listed", () -> listedRooms(page).size() == 100);
    page.waitFor("in General", () -> "General".equals(page.byId("room-title").getText()));
    assertFalse(listedRooms(page).contains("Zebra <b>Lounge</b>"));
    assertTrue(page.byId("more-rooms").isDisplayed(), "more rooms can be listed");

    // a search by part of the name, in another case, finds it; the name is shown as text
    page.labelled("Filter rooms").sendKeys("LOUNGE");
    page.waitFor("only the match is listed", () -> listedRooms(page).equals(List.of("Zebra <b>Lounge</b>")));
    assertTrue(page.driver.findElements(By.cssSelector("nav[aria-label=Rooms] b")).isEmpty(), "the markup was not interpreted");
    openRoom(page, "Zebra <b>Lounge</b>");
    page.labelled("Message").sendKeys("found it", Keys.ENTER);
    page.waitFor("the message is stored and shown", () -> page.messages().contains("found it"));

    // nothing matches: it says so
    page.labelled("Filter rooms").sendKeys(Keys.chord(Keys.CONTROL, "a"), "no-such-room");
    page.waitFor("no match", () -> page.byId("no-rooms").isDisplayed() && listedRooms(page).isEmpty());

    // without a search: the first page, the room joined, and the rest one click away
    page.labelled("Filter rooms").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    page.waitFor("the first page again", () -> listedRooms(page).size() == 101 && listedRooms(page).contains("Zebra <b>Lounge</b>"));
    page.byId("more-rooms").click();
    page.waitFor("every room", () -> listedRooms(page).size() == 122);
    assertFalse(page.byId("more-rooms").isDisplayed(), "nothing more to list");
    assertEquals("lobby-119", listedRooms(page).get(120));
  }
}
