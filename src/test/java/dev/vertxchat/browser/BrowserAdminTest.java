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
import org.openqa.selenium.WebElement;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin page in a real Chromium against the real admin API: only an operator (admin.users) sees it,
 * and what the operator does there (and with a message's Delete button) shows in another user's page.
 */
class BrowserAdminTest extends BrowserTestBase {
  private static final String OPERATOR_ID = "u-operator0001";

  /**
   * Starts the service with {@value #OPERATOR_ID} as its operator and opens the operator's page, signed
   * in with a token for that id (no account is needed to be named in admin.users).
   */
  private Browser operator(Vertx vertx) throws Exception {
    service.start(new JsonObject().put("admin", new JsonObject().put("users", new JsonArray().add(OPERATOR_ID))));
    Browser page = browser();
    String token = Tokens.expiringIn(vertx, OPERATOR_ID, "root", 3600);
    page.js("sessionStorage.setItem('vertx-chat.session', JSON.stringify({token: arguments[0],"
        + " user: {id: arguments[1], name: 'root'}, kind: 'account'}))", token, OPERATOR_ID);
    page.driver.navigate().refresh();
    page.waitFor("the operator online", () -> "online".equals(page.status()));
    page.waitFor("the admin page's button", () -> page.byId("admin-toggle").isDisplayed());
    return page;
  }

  private static void openAdminPage(Browser page) {
    page.button("Admin page").click();
    page.waitFor("the admin page", () -> page.byId("admin-view").isDisplayed() && !page.byId("chat-view").isDisplayed());
  }

  private static String userId(Browser page) {
    return (String) page.js("return JSON.parse(sessionStorage.getItem('vertx-chat.session')).user.id");
  }

  private static WebElement labelledButton(Browser page, String label) {
    return page.driver.findElement(By.cssSelector("button[aria-label=\"" + label + "\"]"));
  }

  private static List<String> notes(Browser page) {
    return page.driver.findElements(By.cssSelector("#notes li .note-text")).stream().map(WebElement::getText).toList();
  }

  private static List<String> rooms(Browser page) {
    return page.driver.findElements(By.cssSelector("nav[aria-label=Rooms] li .name")).stream().map(WebElement::getText).toList();
  }

  private static String adminStatus(Browser page) {
    return page.byId("admin-status").getText();
  }

  @Test
  void onlyAnOperatorSeesTheAdminPage(Vertx vertx) throws Exception {
    Browser root = operator(vertx);
    Browser bob = browser();
    bob.signInAsGuest("bob");
    // the page asked the server who bob is; give its answer's continuation a turn, then look
    bob.waitFor("bob's page asked GET /api/me", () -> (Boolean) bob.js(
        "return performance.getEntriesByType('resource').some(e => new URL(e.name).pathname === '/api/me' && e.responseEnd > 0)"));
    bob.driver.executeAsyncScript("setTimeout(arguments[arguments.length - 1], 200)");
    assertFalse(bob.byId("admin-toggle").isDisplayed(), "a non-operator is offered the admin page");
    assertTrue(bob.driver.findElements(By.cssSelector("button.delete-message")).isEmpty());
    // and the server refuses bob's requests anyway
    String bobToken = (String) bob.js("return JSON.parse(sessionStorage.getItem('vertx-chat.session')).token");
    assertEquals(2003, Http.errorCode(service.http().get("/api/admin/connections", bobToken)));

    openAdminPage(root);
    root.waitFor("bob among the users online", () -> {
      List<WebElement> rows = root.driver.findElements(By.cssSelector("#online-users tr[data-user='" + userId(bob) + "']"));
      return !rows.isEmpty() && rows.get(0).getText().contains("bob");
    });
    root.waitFor("the connections listed", () -> root.byId("connections").getText().contains("bob"));
    root.screenshot(BrowserChatTest.SCREENSHOTS.resolve("admin-page.png"));
    root.button("Back to chat").click();
    root.waitFor("the chat again", () -> root.byId("chat-view").isDisplayed() && !root.byId("admin-view").isDisplayed());
  }

  @Test
  void theOperatorDisconnectsThenBansAUser(Vertx vertx) throws Exception {
    Browser root = operator(vertx);
    Browser bob = browser();
    bob.signInAsGuest("bob");
    String bobId = userId(bob);
    openAdminPage(root);
    root.waitFor("bob listed", () -> !root.driver.findElements(By.cssSelector("#online-users tr[data-user='" + bobId + "']")).isEmpty());

    labelledButton(root, "Disconnect bob").click();
    root.waitFor("the operator is told", () -> adminStatus(root).equals("Disconnected bob: 1 connection closed."));
    bob.waitFor("bob is told an operator disconnected him", () -> notes(bob).contains("An operator disconnected you."));
    bob.waitFor("bob reconnects by himself", () -> "online".equals(bob.status()));

    root.button("Refresh").click();
    root.waitFor("bob listed again", () -> !root.driver.findElements(By.cssSelector("#online-users tr[data-user='" + bobId + "']")).isEmpty());
    labelledButton(root, "Ban bob").click();
    assertEquals(bobId, root.labelled("User id").getAttribute("value"));
    root.labelled("Reason").sendKeys("spamming");
    root.button("Ban user").click();
    root.waitFor("the operator is told", () -> adminStatus(root).equals("Banned " + bobId + "."));
    bob.waitFor("bob's page stopped", () -> "stopped".equals(bob.status()));
    String why = bob.byId("connection-why").getText();
    assertTrue(why.contains("An operator banned you"), why);
    assertTrue(notes(bob).stream().anyMatch(n -> n.startsWith("An operator banned you")), notes(bob).toString());
    root.waitFor("the ban listed with its reason", () -> root.byId("bans").getText().contains(bobId)
        && root.byId("bans").getText().contains("spamming"));

    labelledButton(root, "Unban " + bobId).click();
    root.waitFor("unbanned", () -> adminStatus(root).equals("Unbanned " + bobId + ".") && root.byId("no-bans").isDisplayed());
  }

  @Test
  void theOperatorDeletesAMessageAndOthersSeeTheTombstone(Vertx vertx) throws Exception {
    Browser root = operator(vertx);
    Browser bob = browser();
    bob.signInAsGuest("bob");
    bob.labelled("Message").sendKeys("something rude", Keys.ENTER);
    bob.labelled("Message").sendKeys("something fine", Keys.ENTER);
    root.labelled("Message").sendKeys("the operator's own", Keys.ENTER);
    root.waitFor("the operator sees both", () -> root.messages().containsAll(List.of("something rude", "something fine")));
    bob.waitFor("bob sees the operator's", () -> bob.messages().contains("the operator's own"));
    assertFalse(bob.messageActions("the operator's own").contains("Delete"), "bob is offered Delete of another's message");
    bob.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE); // closes the menu

    root.messageAction("something rude", "Delete");

    for (Browser b : List.of(bob, root)) {
      b.waitFor("the tombstone", () -> !b.messages().contains("something rude")
          && b.driver.findElements(By.cssSelector("[role=log] .message.deleted .tombstone")).size() == 1);
      assertTrue(b.messages().contains("something fine"), b.messages().toString());
    }
    root.screenshot(BrowserChatTest.SCREENSHOTS.resolve("admin-tombstone.png"));
    // history agrees: a page loaded now shows the tombstone too
    bob.driver.navigate().refresh();
    bob.waitFor("online again", () -> "online".equals(bob.status()));
    bob.waitFor("history with the tombstone", () -> bob.messages().contains("something fine")
        && !bob.messages().contains("something rude")
        && bob.driver.findElements(By.cssSelector("[role=log] .message.deleted")).size() == 1);
  }

  @Test
  void theOperatorDeletesARoomAndItsMembersLoseIt(Vertx vertx) throws Exception {
    Browser root = operator(vertx);
    Browser bob = browser();
    bob.signInAsGuest("bob");
    bob.labelled("Room id").sendKeys("doomed");
    bob.button("Create room").click();
    bob.waitFor("bob in doomed", () -> "doomed".equals(bob.byId("room-title").getText()) && bob.members().contains("bob (you)"));

    openAdminPage(root);
    root.labelled("Room to delete").sendKeys("doomed");
    root.button("Delete room").click();
    root.waitFor("the operator is told", () -> adminStatus(root).equals("Deleted the room doomed."));

    bob.waitFor("doomed gone from bob's list", () -> !rooms(bob).contains("doomed") && rooms(bob).contains("General"));
    bob.waitFor("a note says why", () -> notes(bob).contains("The room doomed was deleted by an operator."));
    bob.waitFor("bob is back in general", () -> "General".equals(bob.byId("room-title").getText()));

    root.labelled("Room to delete").sendKeys("doomed");
    root.button("Delete room").click();
    root.waitFor("a second delete is refused, readably", () -> root.byId("admin-error").getText().startsWith("There is no such room"));
  }

  @Test
  void theOperatorPostsNoticesToEveryoneAndToARoom(Vertx vertx) throws Exception {
    Browser root = operator(vertx);
    Browser bob = browser();
    bob.signInAsGuest("bob");
    openAdminPage(root);

    root.labelled("Notice").sendKeys("maintenance at noon");
    root.button("Post notice").click();
    root.waitFor("the operator is told", () -> adminStatus(root).equals("Posted the notice to everyone."));
    bob.waitFor("bob sees the global notice", () -> notes(bob).contains("maintenance at noon"));

    bob.waitFor("bob in general", () -> bob.members().contains("bob (you)"));
    root.labelled("Notice").sendKeys("general is moderated");
    root.labelled("Notice room").sendKeys("general");
    root.button("Post notice").click();
    root.waitFor("the operator is told", () -> adminStatus(root).equals("Posted the notice to the room general."));
    bob.waitFor("bob sees the room notice in the room", () -> bob.driver.findElements(By.cssSelector("[role=log] .server-notice .notice-text"))
        .stream().anyMatch(e -> e.getText().equals("general is moderated")));
    bob.screenshot(BrowserChatTest.SCREENSHOTS.resolve("admin-notices.png"));

    root.labelled("Notice room").clear();
    root.button("Post notice").click();
    root.waitFor("an empty notice is not sent", () -> root.byId("admin-error").getText().equals("Write the text of the notice."));
  }

  @Test
  void theOperatorSwitchesGuestSignInOff(Vertx vertx) throws Exception {
    Browser root = operator(vertx);
    Browser carol = browser(); // her page was loaded while guests were welcome
    carol.waitFor("the guest button offered", () -> carol.byId("join-guest").isDisplayed());
    openAdminPage(root);
    WebElement guests = root.labelled("Guest sign-in");
    root.waitFor("the settings read", () -> guests.isSelected() && root.labelled("Registration").isSelected());
    guests.sendKeys(Keys.SPACE); // keyboard, as a user without a mouse would
    root.waitFor("the operator is told", () -> adminStatus(root).equals("Guest sign-in is now off."));
    assertFalse(guests.isSelected());

    // a page loaded now does not offer what the server refuses
    Browser dave = browser();
    dave.waitFor("no guest button on a new page", () -> !dave.byId("join-guest").isDisplayed()
        && dave.byId("sign-in-intro").getText().contains("switched off"));
    assertTrue(dave.button("Sign in").isDisplayed());

    carol.labelled("Name").sendKeys("carol");
    carol.button("Join as guest").click();
    carol.waitFor("the refusal shown", () -> carol.byId("sign-in-error").getText()
        .equals("Guest sign-in is switched off on this server. Sign in with an account."));

    assertFalse(carol.byId("join-guest").isDisplayed(), "the guest button is hidden once the server said no");
    assertTrue(carol.byId("sign-in-intro").getText().contains("switched off"), carol.byId("sign-in-intro").getText());

    guests.sendKeys(Keys.SPACE);
    root.waitFor("on again", () -> adminStatus(root).equals("Guest sign-in is now on."));
    carol.driver.navigate().refresh(); // a page loaded now offers guest sign-in again
    carol.waitFor("the guest button again", () -> carol.byId("join-guest").isDisplayed());
    carol.labelled("Name").sendKeys("carol");
    carol.button("Join as guest").click();
    carol.waitFor("carol is in", () -> "online".equals(carol.status()));
  }
}
