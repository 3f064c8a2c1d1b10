package dev.vertxchat.browser;

import dev.vertxchat.support.Browser;
import dev.vertxchat.support.TestServer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Browser tests: skipped, with the install hint, where Debian's Chromium is absent; each test starts
 * its own service and closes its browsers.
 */
@ExtendWith(VertxExtension.class)
abstract class BrowserTestBase {
  @TempDir
  Path dataDir;
  final List<Browser> browsers = new ArrayList<>();
  TestServer server;

  @BeforeAll
  static void chromium() {
    assumeTrue(Browser.available(), Browser.INSTALL_HINT);
  }

  @AfterEach
  void close() {
    browsers.forEach(Browser::close);
    if (server != null) {
      server.stop();
    }
  }

  /** A new browser with a fresh profile, on the app's page. */
  Browser browser() throws Exception {
    Browser b = new Browser();
    browsers.add(b);
    b.open(server.base() + "/");
    return b;
  }
}
