package dev.vertxchat.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads the launcher's {@code -conf} option from this process's command line.
 *
 * <p>Needed because the Vert.x launcher only warns about a {@code -conf} file that is not valid JSON
 * and then starts with an empty configuration; the service instead refuses to start, so a typo in
 * the config file can never silently run the defaults.
 */
public final class LauncherArgs {
  private LauncherArgs() {}

  /** Blocking (reads /proc): call it from a worker thread. */
  public static Optional<String> confOption() {
    return commandLine().flatMap(LauncherArgs::confOption);
  }

  /**
   * The process's arguments. On Linux from {@code /proc/self/cmdline}, which holds them whole (the
   * JDK's {@link ProcessHandle.Info#arguments()} gives up on a command line longer than a page,
   * which a long class path easily is); elsewhere from {@link ProcessHandle}.
   */
  static Optional<List<String>> commandLine() {
    Path proc = Path.of("/proc/self/cmdline");
    if (Files.isReadable(proc)) {
      try {
        String all = new String(Files.readAllBytes(proc), StandardCharsets.UTF_8);
        return Optional.of(List.of(all.split("\0")));
      } catch (IOException e) {
        // fall back to what the JDK offers
      }
    }
    return ProcessHandle.current().info().arguments().map(List::of);
  }

  static Optional<String> confOption(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if ((arg.equals("-conf") || arg.equals("--conf")) && i + 1 < args.size()) {
        return Optional.of(args.get(i + 1));
      }
      if (arg.startsWith("-conf=") || arg.startsWith("--conf=")) {
        return Optional.of(arg.substring(arg.indexOf('=') + 1));
      }
    }
    return Optional.empty();
  }
}
