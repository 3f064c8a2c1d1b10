package dev.vertxchat.browser;

import dev.vertxchat.support.Browser;
import dev.vertxchat.support.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The browser app in a real headless Chromium, against the real service. */
class BrowserChatTest extends BrowserTestBase {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final String XSS = "<img src=x onerror=alert(1)>";

  private static void say(Browser b, String text) {
    b.labelled("Message").sendKeys(text, Keys.ENTER);
  }

  private static long count(List<String> list, String text) {
    return Collections.frequency(list, text);
  }

  @Test
  void twoPeopleChatAndMarkupIsShownAsText() throws Exception {
    Browser alice = browser();
    Browser bob = browser();
    alice.signInAsGuest("alice");
    bob.signInAsGuest("bob");
    alice.waitFor("alice sees bob in Members", () -> alice.members().contains("bob"));
    bob.waitFor("bob sees alice in Members", () -> bob.members().contains("alice"));

    say(alice, "hello bob");
    bob.waitFor("bob receives it", () -> bob.messages().contains("hello bob"));
    alice.waitFor("alice's input is cleared once stored", () -> alice.labelled("Message").getAttribute("value").isEmpty());
    say(bob, "hi alice, how are you?");
    say(alice, XSS);
    bob.waitFor("the markup message arrives", () -> bob.messages().contains(XSS) && alice.messages().contains(XSS));
    say(alice, "last one");
    bob.waitFor("the last message arrives", () -> bob.messages().contains("last one"));

    for (Browser b : List.of(alice, bob)) {
      List<String> log = b.messages();
      assertEquals(1, count(log, "hello bob"), log.toString());
      assertEquals(1, count(log, XSS), log.toString());
      assertTrue(b.driver.findElements(By.cssSelector("[role=log] img")).isEmpty(), "the markup was not interpreted");
      assertThrows(NoAlertPresentException.class, () -> b.driver.switchTo().alert());
    }
    // own messages are marked, the sender's name is shown on the other side
    assertTrue(alice.driver.findElement(By.cssSelector("[role=log] .message.own")).getText().contains("hello bob"));
    assertTrue(bob.driver.findElement(By.cssSelector("[role=log] .message:not(.own) .sender")).getText().contains("alice"));

    bob.screenshot(SCREENSHOTS.resolve("conversation.png"));

    // nothing was requested from another origin
    for (Browser b : List.of(alice, bob)) {
      @SuppressWarnings("unchecked")
      List<String> urls = (List<String>) b.js("return performance.getEntriesByType('resource').map(e => e.name)"
          + ".concat([location.href])");
      for (String url : urls) {
        assertTrue(url.startsWith(service.base() + "/"), "request to another origin: " + url);
      }
    }
  }

  @Test
  void scrollingUpLoadsOlderMessages() throws Exception {
    service.start(new JsonObject().put("limits",
        new JsonObject().put("messagesPerSecond", 10_000).put("messageBurst", 10_000)));
    Http http = service.http();
    String token = http.guestToken("archivist");
    for (int i = 0; i < 120; i++) {
      assertEquals(201, http.post("/api/rooms/general/messages", token, new JsonObject().put("text", "m" + i)).statusCode());
    }
    Browser reader = browser();
    reader.signInAsGuest("reader");
    reader.waitFor("the latest page", () -> reader.messages().size() == 50 && reader.messages().get(49).equals("m119"));
    assertEquals("m70", reader.messages().get(0));

    reader.js("document.getElementById('log-scroller').scrollTop = 0");
    reader.waitFor("the page before", () -> reader.messages().size() == 100);
    reader.js("document.getElementById('log-scroller').scrollTop = 0");
    reader.waitFor("the first page", () -> reader.messages().size() == 120);
    List<String> all = reader.messages();
    for (int i = 0; i < 120; i++) {
      assertEquals("m" + i, all.get(i));
    }
  }

  @Test
  void pagesComeBackAfterARestartWithoutLosingOrRepeatingMessages() throws Exception {
    Browser alice = browser();
    Browser bob = browser();
    alice.signInAsGuest("alice");
    bob.signInAsGuest("bob");
    say(alice, "before the restart");
    bob.waitFor("bob has it", () -> bob.messages().contains("before the restart"));

    service.stop();
    alice.waitFor("alice sees the connection is down", () -> !"online".equals(alice.status()));
    bob.waitFor("bob sees the connection is down", () -> !"online".equals(bob.status()));

    Http http = service.restart().http(); // on the same port, as the pages expect
    assertEquals(201, http.post("/api/rooms/general/messages", http.guestToken("bot"),
        new JsonObject().put("text", "while you were away")).statusCode());

    for (Browser b : List.of(alice, bob)) {
      b.waitFor("online again", () -> "online".equals(b.status()));
      b.waitFor("the missed message", () -> b.messages().contains("while you were away"));
    }
    say(bob, "after the restart");
    alice.waitFor("live again", () -> alice.messages().contains("after the restart"));
    for (Browser b : List.of(alice, bob)) {
      List<String> log = b.messages();
      assertEquals(1, count(log, "before the restart"), log.toString());
      assertEquals(1, count(log, "while you were away"), log.toString());
      assertEquals(1, count(log, "after the restart"), log.toString());
    }
  }
}
