package dev.vertxchat.browser;

import dev.vertxchat.support.Browser;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13 in the browser: direct messages, private rooms and invitations, edit, delete, reactions and
 * replies seen live, mentions (badge, tab title, desktop notification), read markers across tabs, search.
 */
class BrowserConversationsTest extends BrowserTestBase {
  private static final String ROOMS = "room-list";
  private static final String DMS = "dm-list";

  private static void say(Browser b, String text) {
    b.labelled("Message").sendKeys(text, Keys.ENTER);
  }

  /** The accessible name of the entry called {@code name} in a list ("bob, 1 unread"), or "" when not listed. */
  private static String entry(Browser b, String list, String name) {
    return (String) b.js("const b = [...document.querySelectorAll('#' + arguments[0] + ' li button')]"
        + ".find(b => b.querySelector('.name').textContent === arguments[1]);"
        + " return b ? b.getAttribute('aria-label') : '';", list, name);
  }

  private static void open(Browser b, String list, String name) {
    b.waitFor(name + " listed", () -> !entry(b, list, name).isEmpty());
    b.js("[...document.querySelectorAll('#' + arguments[0] + ' li button')]"
        + ".find(b => b.querySelector('.name').textContent === arguments[1]).click()", list, name);
    b.waitFor("in " + name, () -> name.equals(b.byId("room-title").getText()));
  }

  /** Opens the actions of a member in the members pane and chooses one. */
  private static void memberAction(Browser b, String member, String action) {
    b.waitFor(member + " in Members", () -> b.members().contains(member));
    b.driver.findElement(By.cssSelector("button[aria-label='Actions for " + member + "']")).click();
    b.waitFor("the menu", () -> !b.menuItems().isEmpty());
    b.chooseMenuItem(action);
  }

  /** The failure code of a bridge request the page makes ("ok" when it succeeded). */
  private static String request(Browser b, String address, String json) {
    return (String) b.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + " window.vertxChat.request(arguments[0], JSON.parse(arguments[1]))"
        + ".then(() => done('ok'), (e) => done(String(e.failureCode)));", address, json);
  }

  private static String dmRoomOf(Browser b, String withName) {
    return (String) b.js("const r = [...window.vertxChat.state.rooms.values()].find(r => r.kind === 'dm' && r.name === arguments[0]);"
        + " return r ? r.id : null;", withName);
  }

  @Test
  void aDirectMessageTheThirdCannotSeeMentionsEditsReactionsRepliesAndDeletions() throws Exception {
    Browser alice = browser();
    Browser bob = browser();
    Browser carol = browser();
    alice.signInAsGuest("alice");
    bob.signInAsGuest("bob");
    carol.signInAsGuest("carol");

    // alice opens a DM with bob from the member list and writes to him
    memberAction(alice, "bob", "Direct message");
    alice.waitFor("alice in the DM", () -> "bob".equals(alice.byId("room-title").getText()) && !entry(alice, DMS, "bob").isEmpty());
    say(alice, "just between us");
    alice.waitFor("stored", () -> alice.messages().contains("just between us"));
    assertEquals("Direct messages", alice.driver.findElement(By.id(DMS)).getAttribute("aria-label"));

    bob.waitFor("bob's DM list shows alice with 1 unread", () -> entry(bob, DMS, "alice").equals("alice, 1 unread"));
    open(bob, DMS, "alice");
    bob.waitFor("bob reads it", () -> bob.messages().equals(List.of("just between us")));
    bob.waitFor("and it is read", () -> entry(bob, DMS, "alice").equals("alice"));

    // carol has no such DM, and the server refuses her its history
    String dm = dmRoomOf(alice, "bob");
    assertTrue(dm.startsWith("dm-"), dm);
    assertTrue(carol.driver.findElements(By.cssSelector("#" + DMS + " li")).isEmpty(), "carol lists a DM");
    assertEquals("3001", request(carol, "chat.history", "{\"room\":\"" + dm + "\",\"limit\":10}"));
    assertFalse(carol.messages().contains("just between us"));

    // carol mentions alice in General while alice reads the DM: badge and title count
    say(carol, "@alice are you there?");
    alice.waitFor("the mention badge", () -> entry(alice, ROOMS, "General").equals("General, 1 unread, 1 mention"));
    alice.waitFor("the title counts it", () -> alice.driver.getTitle().startsWith("(1) "));

    // with the tab hidden (and notifications allowed), a mention is shown as a desktop notification
    alice.js("Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
        + " window.shownNotes = []; window.Notification = class { constructor(title, options) { window.shownNotes.push(title + ': ' + options.body); }"
        + " static get permission() { return 'granted'; } };");
    say(carol, "@alice ping");
    alice.waitFor("a notification", () -> String.valueOf(alice.js("return window.shownNotes")).contains("carol mentioned you in General: @alice ping"));
    alice.waitFor("two mentions", () -> entry(alice, ROOMS, "General").equals("General, 2 unread, 2 mentions"));

    open(bob, ROOMS, "General");
    bob.waitFor("bob sees the mention as plain text, not highlighted for him",
        () -> bob.messages().contains("@alice ping") && bob.driver.findElements(By.cssSelector("[role=log] .message.mentioned")).isEmpty());
    alice.js("delete document.hidden");
    open(alice, ROOMS, "General");
    alice.waitFor("alice's mentions are highlighted", () -> alice.driver.findElements(By.cssSelector("[role=log] .message.mentioned")).size() == 2);
    alice.waitFor("read: no count in the list or the title", () -> entry(alice, ROOMS, "General").equals("General")
        && !alice.driver.getTitle().startsWith("("));

    // in General: an edit, a reaction, a reply and a deletion, each seen live by the other
    say(alice, "frist post");
    bob.waitFor("bob has it", () -> bob.messages().contains("frist post"));
    assertFalse(bob.messageActions("frist post").contains("Edit"), "bob is offered Edit of alice's message");
    bob.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);

    // alice fixes the typo: same message, new text, marked edited, for bob too
    alice.messageAction("frist post", "Edit");
    alice.labelled("Message").sendKeys(Keys.chord(Keys.CONTROL, "a"), "first post", Keys.ENTER);
    bob.waitFor("bob sees the edit", () -> bob.messages().contains("first post") && !bob.messages().contains("frist post")
        && bob.driver.findElement(By.cssSelector("[role=log] .message .edited")).isDisplayed());

    // bob reacts; alice sees the count and who reacted
    bob.messageAction("first post", "React");
    bob.chooseMenuItem("React with 🎉");
    alice.waitFor("alice sees bob's reaction", () -> {
      List<WebElement> r = alice.driver.findElements(By.cssSelector("[role=log] .reaction"));
      return r.size() == 1 && r.get(0).getText().equals("🎉 1") && r.get(0).getAttribute("title").contains("bob");
    });

    // bob replies: a quote of the original, and the original counts one reply
    bob.messageAction("first post", "Reply");
    say(bob, "welcome!");
    alice.waitFor("the reply with its quote", () -> alice.messages().contains("welcome!")
        && alice.driver.findElement(By.cssSelector("[role=log] .message .quote")).getText().contains("Reply to alice: first post"));
    alice.waitFor("the reply count", () -> alice.driver.findElement(By.cssSelector("[role=log] .message .replies")).getText().equals("1 reply"));

    // alice deletes her message: a tombstone for both, in its place
    alice.messageAction("first post", "Delete");
    for (Browser b : List.of(alice, bob)) {
      b.waitFor("the tombstone", () -> !b.messages().contains("first post") && b.messages().contains("welcome!")
          && b.driver.findElements(By.cssSelector("[role=log] .message.deleted")).size() == 1
          && b.driver.findElement(By.cssSelector("[role=log] .message .quote")).getText().equals("Reply to a deleted message"));
    }
  }

  @Test
  void aPrivateRoomWithAnInviteReadMarkersAcrossTabsAndSearch() throws Exception {
    Browser alice = browser();
    alice.labelled("Name").sendKeys("alice");
    alice.labelled("Password").sendKeys("alice's password");
    alice.button("Register").click();
    alice.waitFor("alice online", () -> "online".equals(alice.status()));
    Browser bob = browser();
    Browser carol = browser();
    bob.signInAsGuest("bob");
    carol.signInAsGuest("carol");

    // alice creates a private room and invites bob (by name: she sees him in General)
    alice.byId("new-room").sendKeys("secret");
    alice.byId("new-room-name").sendKeys("Secret");
    alice.byId("new-room-topic").sendKeys("plans");
    alice.labelled("Private").click();
    alice.button("Create room").click();
    alice.waitFor("alice in Secret", () -> "Secret".equals(alice.byId("room-title").getText()));
    assertEquals("Secret, private", entry(alice, ROOMS, "Secret"));
    alice.labelled("Invite (name or user id)").sendKeys("bob", Keys.ENTER);
    bob.waitFor("Secret appears for bob", () -> entry(bob, ROOMS, "Secret").startsWith("Secret, private"));

    // carol does not see it, and cannot read it
    carol.labelled("Filter rooms").sendKeys("secret");
    carol.waitFor("nothing found", () -> carol.byId("no-rooms").isDisplayed());
    assertEquals("3001", request(carol, "chat.history", "{\"room\":\"secret\",\"limit\":10}"));

    // alice's second tab (same account) knows Secret from the counts
    Browser alice2 = browser();
    alice2.labelled("Name").sendKeys("alice");
    alice2.labelled("Password").sendKeys("alice's password");
    alice2.button("Sign in").click();
    alice2.waitFor("the second tab online", () -> "online".equals(alice2.status()));
    alice2.waitFor("Secret listed", () -> entry(alice2, ROOMS, "Secret").startsWith("Secret"));
    open(alice, ROOMS, "General");

    open(bob, ROOMS, "Secret");
    say(bob, "psst, the plan is ready");
    for (Browser b : List.of(alice, alice2)) {
      b.waitFor("1 unread in Secret", () -> entry(b, ROOMS, "Secret").equals("Secret, private, 1 unread"));
    }
    open(alice, ROOMS, "Secret");
    alice2.waitFor("read in the other tab: the count is gone there too", () -> entry(alice2, ROOMS, "Secret").equals("Secret, private"));

    // the second tab searches and opens the message in its room
    alice2.labelled("Search").sendKeys("plan is", Keys.ENTER);
    alice2.waitFor("a result", () -> !alice2.driver.findElements(By.cssSelector("#results .result")).isEmpty());
    assertTrue(alice2.byId("results").getText().contains("psst, the plan is ready"));
    alice2.driver.findElement(By.cssSelector("#results .result")).click();
    alice2.waitFor("the message in its room", () -> "Secret".equals(alice2.byId("room-title").getText())
        && !alice2.driver.findElements(By.cssSelector("[role=log] .message.highlight")).isEmpty());
    assertEquals("psst, the plan is ready", alice2.driver.findElement(By.cssSelector("[role=log] .message.highlight .text")).getText());

    // the owner removes bob: the room leaves his page at once, with a note saying so
    memberAction(alice, "bob", "Remove from room");
    bob.waitFor("Secret gone from bob's list", () -> entry(bob, ROOMS, "Secret").isEmpty()
        && bob.byId("notes").getText().contains("alice removed you from Secret."));
    bob.waitFor("bob back in General", () -> "General".equals(bob.byId("room-title").getText()));
  }
}
