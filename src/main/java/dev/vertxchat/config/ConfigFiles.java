package dev.vertxchat.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The start-up checks that touch the file system; blocking, so MainVerticle runs them on a worker.
 * Prepares the data directory and makes sure a JWT secret exists.
 */
public final class ConfigFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFiles.class);
  public static final String SECRET_FILE = "jwt-secret";

  private ConfigFiles() {}

  /** @return the configuration with {@code auth.jwt.secret} filled in (generated and kept when not configured) */
  public static ChatConfig prepare(ChatConfig config) {
    Path dir = Path.of(config.dataDir()).toAbsolutePath();
    try {
      Files.createDirectories(dir);
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
      String secret;
      if (Files.exists(secretFile)) {
        secret = Files.readString(secretFile, StandardCharsets.UTF_8).trim();
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
          throw new ConfigException(ConfigKeys.JWT_SECRET, secretFile + " holds fewer than 32 bytes; delete it to generate a new secret");
        }
        LOG.warn("No auth.jwt.secret configured: using the generated secret kept in {}", secretFile);
      } else {
        byte[] bytes = new byte[48];
        new SecureRandom().nextBytes(bytes);
        secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.writeString(secretFile, secret, StandardCharsets.UTF_8);
        try {
          Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          LOG.debug("file system without POSIX permissions; {} keeps its default permissions", secretFile);
        }
        LOG.warn("No auth.jwt.secret configured: generated a new secret and kept it in {}; set CHAT_AUTH_JWT_SECRET in production", secretFile);
      }
      config.json().getJsonObject("auth").getJsonObject("jwt").put("secret", secret);
      return config;
    } catch (IOException e) {
      throw new ConfigException(ConfigKeys.JWT_SECRET, "cannot keep a generated secret in " + secretFile + " (" + e.getMessage() + ")");
    }
  }
}
