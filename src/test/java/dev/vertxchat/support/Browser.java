package dev.vertxchat.support;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
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

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  public void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Polls until the condition holds; fails naming it after 15 s. */
  public static void waitFor(String what, Supplier<Boolean> condition) {
    long deadline = System.currentTimeMillis() + 15_000;
    RuntimeException last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (Boolean.TRUE.equals(condition.get())) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("timed out waiting for " + what, last);
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
