package dev.vertxchat.auth;

import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import dev.vertxchat.store.DataFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The HS256 secret the service signs its own tokens with: {@code auth.jwt.secret} when configured,
 * else one generated once and kept, readable by the owner only, in {@code <data.dir>/jwt-secret} so
 * tokens survive a restart. A value of its own, never written into the configuration.
 */
public final class JwtSecret {
  private static final Logger LOG = LoggerFactory.getLogger(JwtSecret.class);
  public static final String FILE = "jwt-secret";
  private static final int MIN_BYTES = 32;

  private JwtSecret() {}

  /**
   * Blocking (may read or create the file): call it from a worker, once per start. The data directory
   * must exist ({@link DataFiles#prepareDataDir}).
   *
   * @throws ConfigException naming {@code auth.jwt.secret} when the kept secret is unusable
   */
  public static String resolve(ChatConfig config) {
    if (!config.jwtSecret().isEmpty()) {
      return config.jwtSecret();
    }
    Path file = Path.of(config.dataDir()).toAbsolutePath().resolve(FILE);
    try {
      String secret = read(file);
      if (secret == null) {
        secret = create(file);
      }
      if (secret == null) {
        secret = read(file); // another process created it at the same moment
        if (secret == null) {
          throw new IOException("it was created and removed again meanwhile");
        }
      }
      DataFiles.restrict(file);
      return secret;
    } catch (IOException e) {
      throw new ConfigException(ConfigKeys.JWT_SECRET, "cannot keep a generated secret in " + file + " (" + e.getMessage() + ")");
    }
  }

  private static String read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_BYTES) {
      throw new ConfigException(ConfigKeys.JWT_SECRET, file + " holds fewer than " + MIN_BYTES
          + " bytes; delete it to generate a new secret");
    }
    LOG.warn("No auth.jwt.secret configured: using the generated secret kept in {}", file);
    return secret;
  }

  /**
   * Writes a new secret to a temporary file (owner-only from its first byte), then links it to its name,
   * which fails when the name exists: a reader never sees a half-written secret. Null when another
   * process created the file meanwhile.
   */
  private static String create(Path file) throws IOException {
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Path dir = file.getParent();
    Path temp = Files.createTempFile(dir, ".jwt-secret", ".tmp", DataFiles.ownerOnlyFile(dir));
    try {
      Files.writeString(temp, secret, StandardCharsets.UTF_8);
      try {
        Files.createLink(file, temp);
      } catch (FileAlreadyExistsException e) {
        return null;
      } catch (UnsupportedOperationException | IOException e) {
        // no hard links on this file system: a plain exclusive create
        try {
          Files.writeString(Files.createFile(file, DataFiles.ownerOnlyFile(dir)), secret, StandardCharsets.UTF_8);
        } catch (FileAlreadyExistsException raced) {
          return null;
        }
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    LOG.warn("No auth.jwt.secret configured: generated a new secret and kept it in {}; set CHAT_AUTH_JWT_SECRET in production", file);
    return secret;
  }
}
