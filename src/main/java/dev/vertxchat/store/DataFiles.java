package dev.vertxchat.store;

import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Keeps what the service stores (password hashes, messages, the generated JWT secret) readable by the
 * service's own user only: directories it creates are {@code rwx------}, its files {@code rw-------},
 * and group and other permissions found on existing ones are taken away at start. On a file system
 * without POSIX permissions every step is skipped (logged at debug). Blocking: call from a worker.
 */
public final class DataFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DataFiles.class);
  private static final Set<PosixFilePermission> GROUP_AND_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  private static final FileAttribute<?>[] NONE = new FileAttribute<?>[0];

  private DataFiles() {}

  /**
   * Makes sure the data directory exists (created owner-only here: it will hold password hashes) and
   * that this process can write in it.
   *
   * @return its absolute path
   * @throws ConfigException naming {@code data.dir} when it cannot be created or written
   */
  public static Path prepareDataDir(String dataDir) {
    Path dir;
    try {
      dir = Path.of(dataDir).toAbsolutePath();
    } catch (InvalidPathException e) {
      throw new ConfigException(ConfigKeys.DATA_DIR, "'" + dataDir + "' is not a valid path");
    }
    try {
      createDirectory(dir);
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new ConfigException(ConfigKeys.DATA_DIR, "directory " + dir + " is not writable (" + e.getClass().getSimpleName() + ")");
    }
    return dir;
  }

  /** Creates {@code dir} and its missing parents owner-only; an existing directory is left as it is. */
  public static void createDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    Files.createDirectories(dir, posix(existing == null ? dir : existing)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
        : NONE);
  }

  /** The attributes that create a file readable and writable by the owner only, where the file system has them. */
  public static FileAttribute<?>[] ownerOnlyFile(Path dir) {
    return posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : NONE;
  }

  /** Takes group and other permissions away from a file or directory; nothing when it does not exist. */
  public static void restrict(Path path) {
    if (!posix(path)) {
      return;
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
      if (permissions.removeAll(GROUP_AND_OTHERS)) {
        Files.setPosixFilePermissions(path, permissions);
        LOG.info("Made {} readable by its owner only", path);
      }
    } catch (NoSuchFileException e) {
      // nothing to protect
    } catch (IOException | SecurityException e) {
      LOG.warn("Could not make {} readable by its owner only ({}); check its permissions", path, e.toString());
    }
  }

  /** {@link #restrict} for every file in {@code dir} whose name matches. */
  public static void restrictFiles(Path dir, Predicate<String> names) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> names.test(p.getFileName().toString())).forEach(DataFiles::restrict);
    } catch (IOException e) {
      LOG.warn("Could not list {} to check its permissions ({})", dir, e.toString());
    }
  }

  private static boolean posix(Path path) {
    boolean supported = path.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!supported) {
      LOG.debug("{}: the file system has no POSIX permissions; leaving them to it", path);
    }
    return supported;
  }
}
