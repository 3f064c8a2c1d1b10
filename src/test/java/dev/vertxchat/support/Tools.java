package dev.vertxchat.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that need a program of the machine (Chromium, openssl): on a developer's machine without it they are
 * reported as skipped with the hint; in CI (environment variable {@code CI} set, as {@code .ci/run} does) a missing
 * program fails them, so a skipped test is never counted as passing there.
 */
public final class Tools {
  private Tools() {
  }

  public static void require(boolean available, String hint) {
    if (!available && System.getenv("CI") != null) {
      fail("required by this test and missing in CI: " + hint);
    }
    assumeTrue(available, hint);
  }
}
