package dev.vertxchat.config;

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

  public static Optional<String> confOption() {
    return ProcessHandle.current().info().arguments().flatMap(args -> confOption(List.of(args)));
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
