package dev.vertxchat.support;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Debian's headless Chromium driven through /usr/bin/chromedriver, with a fresh profile per browser.
 * No test tool downloads a browser or a driver.
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final String INSTALL_HINT =
      "Chromium is not installed: run 'apt-get install -y chromium chromium-driver' to run the browser tests";

  /** The longest a {@link #waitFor} goes without checking its condition again. */
  private static final long RECHECK_MS = 250;

  public final ChromeDriver driver;
  private final Path profile;

  public static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  public Browser() throws IOException {
    profile = Files.createTempDirectory("chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,860", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }

  /** The element labelled {@code label} (a {@code <label for>}), as assistive technology finds it. */
  public WebElement labelled(String label) {
    for (WebElement l : driver.findElements(By.tagName("label"))) {
      if (label.equals(l.getText().trim()) || label.equals(l.getAttribute("textContent").trim())) {
        return driver.findElement(By.id(l.getAttribute("for")));
      }
    }
    throw new AssertionError("no field labelled " + label);
  }

  /** The button whose visible name is {@code name}. */
  public WebElement button(String name) {
    for (WebElement b : driver.findElements(By.tagName("button"))) {
      if (b.isDisplayed() && name.equals(b.getText().trim())) {
        return b;
      }
    }
    throw new AssertionError("no visible button named " + name);
  }

  public void signInAsGuest(String name) {
    labelled("Name").sendKeys(name);
    button("Join as guest").click();
    waitFor("status online", () -> "online".equals(status()));
  }

  /**
   * Records every state the page's status shows, from the first byte of every page load on
   * ({@link #states()}, in order): the app connects as soon as its module runs.
   */
  public void recordStates() {
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "window.stateLog = []; new MutationObserver(() => { const s = document.getElementById('status');"
            + " if (s && window.stateLog[window.stateLog.length - 1] !== s.textContent) window.stateLog.push(s.textContent); })"
            + ".observe(document, {childList: true, characterData: true, subtree: true});"));
  }

  /** Starts the state log afresh with the state shown now. */
  public void restartStates() {
    js("window.stateLog = [document.getElementById('status').textContent]");
  }

  /** The states recorded since the page loaded or {@link #restartStates()}. */
  @SuppressWarnings("unchecked")
  public List<String> states() {
    return (List<String>) js("return window.stateLog");
  }

  /** The state log shows the connection went away after being online, then came back online. */
  public static boolean backOnline(List<String> log) {
    int away = -1;
    for (int i = 1; i < log.size(); i++) {
      if (!"online".equals(log.get(i)) && away < 0) {
        away = i;
      }
    }
    return away > 0 && "online".equals(log.get(log.size() - 1));
  }

  /** The session the page keeps for its tab: {@code {token, user, kind}}, or null. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> storedSession() {
    return (Map<String, Object>) js("return JSON.parse(sessionStorage.getItem('vertx-chat.session'))");
  }

  public String status() {
    return driver.findElement(By.cssSelector("[role=status]")).getText().trim();
  }

  /** The names in the member list ("bob", "alice (you)"), without the guest and id marks that follow them. */
  public List<String> members() {
    return driver.findElements(By.cssSelector("ul[aria-label=Members] li .name")).stream().map(e -> e.getText().trim()).toList();
  }

  /** The texts of the messages in the log, in display order. */
  public List<String> messages() {
    return driver.findElements(By.cssSelector("[role=log] .message .text")).stream().map(WebElement::getText).toList();
  }

  /** The texts of the messages the log marks as the signed-in user's own, in display order. */
  public List<String> ownMessages() {
    return driver.findElements(By.cssSelector("[role=log] .message.own .text")).stream().map(WebElement::getText).toList();
  }

  /**
   * Clicks the "Message actions" button of the newest message in the log whose text is {@code text},
   * and returns the names of the menu's items ("Reply", "React", "Edit", "Delete": those allowed).
   */
  public List<String> messageActions(String text) {
    waitFor("the actions of message " + text, () -> Boolean.TRUE.equals(js(
        "const li = [...document.querySelectorAll('[role=log] .message')].reverse()"
            + ".find(li => li.querySelector('.text') && li.querySelector('.text').textContent === arguments[0]);"
            + " if (!li) return false; li.querySelector('button[aria-label=\"Message actions\"]').click(); return true;", text)));
    waitFor("the menu open", () -> !driver.findElements(By.cssSelector("[role=menu] [role=menuitem]")).isEmpty());
    return menuItems();
  }

  /** The names of the items of the open menu. */
  public List<String> menuItems() {
    return driver.findElements(By.cssSelector("[role=menu] [role=menuitem]")).stream().map(e -> e.getText().trim()).toList();
  }

  /** Clicks the item of the open menu whose text or accessible name is {@code name}. */
  public void chooseMenuItem(String name) {
    for (WebElement item : driver.findElements(By.cssSelector("[role=menu] [role=menuitem]"))) {
      if (name.equals(item.getText().trim()) || name.equals(item.getAttribute("aria-label"))) {
        item.click();
        return;
      }
    }
    throw new AssertionError("no menu item " + name + " in " + menuItems());
  }

  /** Opens a message's actions and chooses one ("Edit", "Delete", "Reply", "React"). */
  public void messageAction(String text, String action) {
    List<String> items = messageActions(text);
    if (!items.contains(action)) {
      throw new AssertionError("no " + action + " among the actions of " + text + ": " + items);
    }
    chooseMenuItem(action);
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  public void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Waits until the condition holds, checking it again whenever this page's document changes (and at
   * least every {@value #RECHECK_MS} ms, for what no DOM change shows, such as storage or another page);
   * fails naming it after 15 s.
   */
  public void waitFor(String what, Supplier<Boolean> condition) {
    waitFor(what, 15_000, condition);
  }

  /** As {@link #waitFor(String, Supplier)}, failing after {@code timeoutMs}. */
  public void waitFor(String what, long timeoutMs, Supplier<Boolean> condition) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    RuntimeException last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(condition.get())) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.currentTimeMillis() >= deadline) {
        throw new AssertionError("timed out waiting for " + what, last);
      }
      nextChange();
    }
  }

  /** Returns when the page's document next changes, or after {@value #RECHECK_MS} ms. */
  private void nextChange() {
    try {
      driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
          + " const timer = setTimeout(() => { observer.disconnect(); done(); }, arguments[0]);"
          + " const observer = new MutationObserver(() => { observer.disconnect(); clearTimeout(timer); done(); });"
          + " observer.observe(document, {childList: true, subtree: true, characterData: true, attributes: true});",
          RECHECK_MS);
    } catch (WebDriverException navigatedAway) {
      // the page was replaced while waiting (a reload): the condition is checked again at once
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temporary profile is harmless
      }
    }
  }
}
