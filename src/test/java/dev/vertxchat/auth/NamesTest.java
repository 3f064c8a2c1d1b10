package dev.vertxchat.auth;

import dev.vertxchat.store.AccountStore.NameKeys;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The name comparison: look-alikes in any case are the same name, different names are not. */
class NamesTest {
  private static boolean same(String a, String b) {
    NameKeys x = Names.keys(a);
    NameKeys y = Names.keys(b);
    return x.folded().equals(y.folded()) || x.upper().equals(y.upper());
  }

  private static void assertAllSame(List<String> names) {
    for (String a : names) {
      for (String b : names) {
        assertTrue(same(a, b), a + " and " + b + " should be the same name: " + Names.keys(a) + " " + Names.keys(b));
      }
    }
  }

  @Test
  void theIssuesLookAlikesAreTheSameName() {
    assertAllSame(List.of("Bobby", "bobby", "BOBBY", "\u0412\u043ebby", "\uFF42\uFF4F\uFF42\uFF42\uFF59", "B0bby",
        "\uD835\uDC01\uD835\uDC28\uD835\uDC1B\uD835\uDC1B\uD835\uDC32")); // Воbby, ｂｏｂｂｙ, mathematical bold
    assertAllSame(List.of("\u0130nci", "inci", "\u0131nci", "INCI", "Inci")); // İnci, ınci
    assertAllSame(List.of("vina", "\u03bdina")); // Greek nu: a look-alike in lower case only
    assertAllSame(List.of("Stra\u00dfe", "STRASSE"));
  }

  @Test
  void differentNamesStayDifferent() {
    for (String[] pair : new String[][] {{"Bob", "Bobby"}, {"Ali", "All"}, {"Ali", "Alo"}, {"Zo\u00eb", "Zoe"},
        {"Jos\u00e9", "Jose"}, {"anna", "anne"}, {"\u5c71\u7530", "\u5c71\u672c"}}) {
      assertFalse(same(pair[0], pair[1]), pair[0] + " and " + pair[1] + " are different names");
    }
  }

  @Test
  void aCombiningDotAboveIsDroppedOnlyOnSoftDottedLetters() {
    assertTrue(same("i\u0307", "i"));
    assertTrue(same("j\u0307", "j"));
    assertFalse(same("a\u0307", "a"), "ȧ is not a");
  }

  @Test
  void theServersNamesAreReservedInEverySpelling() {
    for (String name : List.of("server", "System", "Server notice", "server.notice", "SERVER_NOTICE", "servernotice",
        "\u0405\u0435rv\u0435r", "Syst\u0435m", "\uFF33\uFF25\uFF32\uFF36\uFF25\uFF32")) {
      assertTrue(Names.reserved(name), name);
    }
    for (String name : List.of("servers", "server fan", "systemd", "notice", "Bobby", "serve")) {
      assertFalse(Names.reserved(name), name);
    }
  }
}
