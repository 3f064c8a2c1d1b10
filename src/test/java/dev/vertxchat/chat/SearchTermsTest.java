package dev.vertxchat.chat;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** chat.search's terms: 1 to 5, each 2 to 64 characters once normalized (NFKC, lower case); else 1108. */
class SearchTermsTest {

  @Test
  void termsAreSplitOnWhiteSpaceAndNormalized() {
    assertEquals(List.of("release", "notes"), Conversations.terms("  Release\tNOTES "));
    assertEquals(List.of("full"), Conversations.terms("\uFF26\uFF55\uFF4C\uFF4C")); // full-width FULL
    assertEquals(List.of("50%", "a_b"), Conversations.terms("50% a_b")); // LIKE's wildcards are the store's to escape
  }

  @Test
  void tooFewTooManyTooShortOrTooLongIs1108() {
    for (Object q : new Object[] {null, 42, "", "   ", "a", "ok x", "aa bb cc dd ee ff", "y".repeat(65)}) {
      ChatException e = assertThrows(ChatException.class, () -> Conversations.terms(q), String.valueOf(q));
      assertEquals(ErrorCodes.INVALID_SEARCH, e.code(), String.valueOf(q));
    }
    assertEquals(5, Conversations.terms("aa bb cc dd ee").size());
    assertEquals(1, Conversations.terms("y".repeat(64)).size());
  }
}
