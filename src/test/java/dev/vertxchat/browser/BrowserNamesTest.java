package dev.vertxchat.browser;

import dev.vertxchat.support.Browser;
import dev.vertxchat.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guests are marked as guests, and users who share a display name get a tag from their id (issue 8, case 7). */
class BrowserNamesTest extends BrowserTestBase {
  /** Each member as the list shows it: {name, guest, tag}. */
  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> members(Browser b) {
    List<Map<String, Object>> rows = (List<Map<String, Object>>) b.js(
        "return [...document.querySelectorAll('ul[aria-label=Members] li')].map(li => ({"
            + " name: li.querySelector('.name').textContent, guest: li.querySelector('.guest-mark') !== null,"
            + " tag: li.querySelector('.id-tag') ? li.querySelector('.id-tag').textContent : ''}))");
    return rows.stream().collect(java.util.stream.Collectors.toMap(r -> (String) r.get("name"), r -> r));
  }

  /** The sender line of the message with this text: {sender, guest, tag}. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> sender(Browser b, String text) {
    return (Map<String, Object>) b.js(
        "const m = [...document.querySelectorAll('[role=log] .message')].find(m => m.querySelector('.text').textContent === arguments[0]);"
            + " return m ? {sender: m.querySelector('.sender').textContent, guest: m.querySelector('.guest-mark') !== null,"
            + " tag: m.querySelector('.id-tag') ? m.querySelector('.id-tag').textContent : ''} : null", text);
  }

  private static String userId(Browser b) {
    return (String) b.js("return JSON.parse(sessionStorage.getItem('vertx-chat.session')).user.id");
  }

  @Test
  void guestsAreMarkedAndUsersOfTheSameNameAreToldApart() throws Exception {
    Browser one = browser();
    Browser two = browser();
    Browser dana = browser();
    one.signInAsGuest("sam");
    two.signInAsGuest("Sam");
    dana.labelled("Name").sendKeys("dana");
    dana.labelled("Password").sendKeys("danas password");
    dana.button("Register").click();
    dana.waitFor("dana online", () -> "online".equals(dana.status()));
    one.waitFor("three members", () -> one.members().size() == 3);

    String oneTag = "#" + userId(one).substring(userId(one).length() - 4);
    String twoTag = "#" + userId(two).substring(userId(two).length() - 4);
    assertNotEquals(oneTag, twoTag);
    Map<String, Map<String, Object>> seen = members(one);
    assertEquals(Map.of("name", "sam (you)", "guest", true, "tag", oneTag), seen.get("sam (you)"), seen.toString());
    assertEquals(Map.of("name", "Sam", "guest", true, "tag", twoTag), seen.get("Sam"), seen.toString());
    assertEquals(Map.of("name", "dana", "guest", false, "tag", ""), seen.get("dana"), seen.toString());

    two.labelled("Message").sendKeys("hello from the other sam", Keys.ENTER);
    dana.labelled("Message").sendKeys("hello from an account", Keys.ENTER);
    one.waitFor("both messages", () -> one.messages().contains("hello from the other sam") && one.messages().contains("hello from an account"));
    assertEquals(Map.of("sender", "Sam", "guest", true, "tag", twoTag), sender(one, "hello from the other sam"));
    assertEquals(Map.of("sender", "dana", "guest", false, "tag", ""), sender(one, "hello from an account"));
    one.screenshot(BrowserChatTest.SCREENSHOTS.resolve("guests-and-same-names.png"));
  }

  @Test
  void aGuestWhoseNameAnAccountTookIsToldToChooseAnother(Vertx vertx) throws Exception {
    Browser page = browser();
    String shortLived = Tokens.expiringIn(vertx, "g-takenname01", "carol", 8);
    page.js("sessionStorage.setItem('vertx-chat.session', JSON.stringify({token: arguments[0],"
        + " user: {id: 'g-takenname01', name: 'carol', guest: true}, kind: 'guest'}))", shortLived);
    page.driver.navigate().refresh();
    page.waitFor("online as the guest carol", () -> "online".equals(page.status()));

    assertEquals(201, service.http().post("/api/auth/register", null,
        new JsonObject().put("name", "Carol").put("password", "carols password")).statusCode());
    // the page renews at 80 % of the token's lifetime: the renewal is refused (the name is an account's
    // now, see NameSpoofTest), and so would a new guest sign-in under that name be
    page.waitFor("back at the sign-in form", () -> page.byId("sign-in-view").isDisplayed());
    String why = page.byId("sign-in-error").getText();
    assertTrue(why.contains("carol now belongs to a registered account"), why);
  }
}
