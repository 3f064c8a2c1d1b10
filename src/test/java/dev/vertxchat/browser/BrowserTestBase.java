package dev.vertxchat.browser;

import dev.vertxchat.support.Tools;
import dev.vertxchat.support.Browser;
import dev.vertxchat.support.ChatService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;


/**
 * Browser tests: skipped, with the install hint, where Debian's Chromium is absent; each test starts
 * its own service, and its browsers are closed after it.
 */
abstract class BrowserTestBase {
  @RegisterExtension
  final ChatService service = new ChatService();

  @BeforeAll
  static void chromium() {
    Tools.require(Browser.available(), Browser.INSTALL_HINT);
  }

  /** A new browser with a fresh profile, on the app's page (the service is started first if it is not yet). */
  Browser browser() throws Exception {
    Browser b = service.closeAfter(new Browser());
    b.open(service.base() + "/");
    return b;
  }
}
