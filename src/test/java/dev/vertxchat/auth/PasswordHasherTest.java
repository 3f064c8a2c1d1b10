package dev.vertxchat.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PBKDF2 password hashes: round trip, salt, stored format and malformed stored values. */
class PasswordHasherTest {
  /** Cheap hashes where the cost does not matter; the format and checks are the same. */
  private final PasswordHasher fast = new PasswordHasher(1000);

  @Test
  void theDefaultCostIsOwaspsAndItsHashesVerify() {
    assertEquals(600_000, PasswordHasher.ITERATIONS);
    PasswordHasher hasher = new PasswordHasher();
    String stored = hasher.hash("correct horse battery staple");
    assertTrue(stored.startsWith("pbkdf2-sha256$600000$"), stored);
    assertTrue(hasher.verify("correct horse battery staple", stored));
    assertFalse(hasher.verify("correct horse battery stapler", stored));
  }

  @Test
  void theStoredFormIsSchemeIterationsSaltAndHash() {
    String stored = fast.hash("secret password");
    String[] parts = stored.split("\\$", -1);
    assertEquals(4, parts.length, stored);
    assertEquals("pbkdf2-sha256", parts[0]);
    assertEquals("1000", parts[1]);
    assertEquals(16, Base64.getDecoder().decode(parts[2]).length, "16-byte salt");
    assertEquals(32, Base64.getDecoder().decode(parts[3]).length, "256-bit hash");
    assertFalse(stored.contains("secret password"));
  }

  @Test
  void roundTripIncludingNonAsciiPasswords() {
    for (String password : new String[] {"12345678", "pässwörd ✓ 密码", " spaces around ", "a".repeat(256)}) {
      String stored = fast.hash(password);
      assertTrue(fast.verify(password, stored), password);
    }
  }

  @Test
  void aWrongPasswordDoesNotVerify() {
    String stored = fast.hash("the right one");
    assertFalse(fast.verify("the wrong one", stored));
    assertFalse(fast.verify("The right one", stored), "case matters");
    assertFalse(fast.verify("the right one ", stored), "no trimming");
    assertFalse(fast.verify("", stored));
  }

  @Test
  void twoHashesOfTheSamePasswordDifferBecauseOfTheSalt() {
    String first = fast.hash("same password");
    String second = fast.hash("same password");
    assertNotEquals(first, second);
    assertNotEquals(first.split("\\$")[2], second.split("\\$")[2], "salts differ");
    assertTrue(fast.verify("same password", first));
    assertTrue(fast.verify("same password", second));
  }

  @Test
  void theCostIsReadFromTheStoredHashSoItCanBeRaisedLater() {
    String old = new PasswordHasher(1000).hash("kept password");
    PasswordHasher raised = new PasswordHasher(2000);
    assertTrue(raised.verify("kept password", old));
    assertTrue(raised.hash("kept password").startsWith("pbkdf2-sha256$2000$"));
  }

  @Test
  void aTamperedHashDoesNotVerify() {
    String stored = fast.hash("tamper proof");
    String[] parts = stored.split("\\$");
    byte[] hash = Base64.getDecoder().decode(parts[3]);
    hash[0] ^= 1;
    String flipped = parts[0] + "$" + parts[1] + "$" + parts[2] + "$" + Base64.getEncoder().withoutPadding().encodeToString(hash);
    assertFalse(fast.verify("tamper proof", flipped));
    String otherCost = parts[0] + "$1001$" + parts[2] + "$" + parts[3];
    assertFalse(fast.verify("tamper proof", otherCost), "the iteration count is part of what is checked");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "plain text",
      "pbkdf2-sha256",
      "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA",
      "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$",
      "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA$extra",
      "bcrypt$1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      "pbkdf2-sha256$many$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      "pbkdf2-sha256$0$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      "pbkdf2-sha256$-5$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      "pbkdf2-sha256$1000$!!not base64!!$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$!!not base64!!",
      "pbkdf2-sha256$1000$$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
      "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$$",
  })
  void aMalformedStoredHashNeverMatchesAndDoesNotThrow(String stored) {
    assertFalse(fast.verify("password", stored));
    assertFalse(fast.verify("", stored));
  }
}
