package dev.vertxchat.auth;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * PBKDF2-HMAC-SHA256 password hashes, stored as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} so the
 * cost can be raised later without invalidating stored hashes. Slow on purpose: call it from a worker
 * thread ({@code executeBlocking}), never from an event loop.
 */
public final class PasswordHasher {
  private static final String SCHEME = "pbkdf2-sha256";
  /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
  public static final int ITERATIONS = 600_000;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENC = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getDecoder();

  private final int iterations;

  public PasswordHasher() {
    this(ITERATIONS);
  }

  public PasswordHasher(int iterations) {
    this.iterations = iterations;
  }

  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return SCHEME + "$" + iterations + "$" + ENC.encodeToString(salt) + "$" + ENC.encodeToString(derive(password, salt, iterations));
  }

  /** Constant-time comparison; a malformed stored hash never matches. */
  public boolean verify(String password, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !SCHEME.equals(parts[0])) {
      return false;
    }
    try {
      int iter = Integer.parseInt(parts[1]);
      byte[] expected = DEC.decode(parts[3]);
      return MessageDigest.isEqual(expected, derive(password, DEC.decode(parts[2]), iter));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
    } finally {
      spec.clearPassword();
    }
  }
}
