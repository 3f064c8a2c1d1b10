package dev.vertxchat.config;

import dev.vertxchat.store.DataFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The start-up checks that touch the file system; blocking, so MainVerticle runs them on a worker.
 * Prepares the data directory (owner-only when created here) and makes sure a JWT secret exists,
 * readable by the owner only.
 */
public final class ConfigFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFiles.class);
  public static final String SECRET_FILE = "jwt-secret";

  private ConfigFiles() {}

  /** @return the configuration with {@code auth.jwt.secret} filled in (generated and kept when not configured) */
  public static ChatConfig prepare(ChatConfig config) {
    Path dir = Path.of(config.dataDir()).toAbsolutePath();
    try {
      DataFiles.createDirectory(dir); // owner-only when created here: it will hold password hashes
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new ConfigException(ConfigKeys.DATA_DIR, "directory " + dir + " is not writable (" + e.getClass().getSimpleName() + ")");
    }
    if (!config.publicKeyFile().isEmpty()) {
      Path key = Path.of(config.publicKeyFile());
      if (!Files.isReadable(key)) {
        throw new ConfigException(ConfigKeys.JWT_PUBLIC_KEY_FILE, "cannot read " + key.toAbsolutePath());
      }
    }
    if (!config.jwtSecret().isEmpty()) {
      return config;
    }
    Path secretFile = dir.resolve(SECRET_FILE);
    try {
      String secret = readSecret(secretFile);
      if (secret == null) {
        secret = createSecret(secretFile);
      }
      if (secret == null) {
        secret = readSecret(secretFile); // another process created it at the same moment
      }
      DataFiles.restrict(secretFile);
      config.json().getJsonObject("auth").getJsonObject("jwt").put("secret", secret);
      return config;
    } catch (IOException e) {
      throw new ConfigException(ConfigKeys.JWT_SECRET, "cannot keep a generated secret in " + secretFile + " (" + e.getMessage() + ")");
    }
  }

  private static String readSecret(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException(ConfigKeys.JWT_SECRET, file + " holds fewer than 32 bytes; delete it to generate a new secret");
    }
    LOG.warn("No auth.jwt.secret configured: using the generated secret kept in {}", file);
    return secret;
  }

  /** Creates the file only if absent, readable by the owner only from its first byte; null if it appeared meanwhile. */
  private static String createSecret(Path file) throws IOException {
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    try {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      return null;
    }
    Files.writeString(file, secret, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    LOG.warn("No auth.jwt.secret configured: generated a new secret and kept it in {}; set CHAT_AUTH_JWT_SECRET in production", file);
    return secret;
  }
}
