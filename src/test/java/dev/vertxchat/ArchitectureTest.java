package dev.vertxchat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shape docs/ARCHITECTURE.md describes, checked on the sources: dependencies between the service's
 * packages run one way (http -> bridge -> auth, chat -> store -> config -> bus, metrics), only store opens the
 * database, and a class longer
 * than about 300 lines says at its top why.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/vertxchat");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.vertxchat\\.([a-z]+)\\.", Pattern.MULTILINE);
  /**
   * The layers, lowest first; a package may import the packages of lower layers only (the root package,
   * the composition root, may import all). auth and chat share a layer and do not import each other.
   */
  private static final List<Set<String>> LAYERS = List.of(
      Set.of("bus", "metrics"), Set.of("config"), Set.of("store", "cluster"), Set.of("auth", "chat"), Set.of("bridge"), Set.of("http"));
  /** The load generator is a tool of its own: it talks to the service over the network only. */
  private static final Set<String> STANDALONE = Set.of("loadgen");

  private static Set<String> allowedFor(String pkg) {
    if (STANDALONE.contains(pkg)) {
      return Set.of();
    }
    Set<String> below = new java.util.HashSet<>();
    for (Set<String> layer : LAYERS) {
      if (layer.contains(pkg)) {
        return below;
      }
      below.addAll(layer);
    }
    return null;
  }
  private static final int LONG_CLASS = 300;
  private static final String WHY_LONG = "Longer than 300 lines because";

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  private static String packageOf(Path file) {
    Path rel = MAIN.relativize(file);
    return rel.getNameCount() == 1 ? "" : rel.getName(0).toString();
  }

  @Test
  void noPackageImportsOneAboveIt() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path file : sources()) {
      String pkg = packageOf(file);
      if (pkg.isEmpty()) {
        continue; // the composition root knows every package
      }
      Set<String> allowed = allowedFor(pkg);
      assertTrue(allowed != null, "package " + pkg + " has no place in the layering of ArchitectureTest (and ARCHITECTURE.md)");
      Matcher m = IMPORT.matcher(Files.readString(file));
      while (m.find()) {
        String target = m.group(1);
        if (!target.equals(pkg) && !allowed.contains(target)) {
          violations.add(MAIN.relativize(file) + " imports " + target);
        }
      }
    }
    assertTrue(violations.isEmpty(), "imports against the direction of dependencies: " + violations);
  }

  @Test
  void aLongClassSaysWhy() throws IOException {
    List<String> unexplained = new ArrayList<>();
    for (Path file : sources()) {
      List<String> lines = Files.readAllLines(file);
      if (lines.size() > LONG_CLASS && !String.join("\n", lines.subList(0, Math.min(lines.size(), 80))).contains(WHY_LONG)) {
        unexplained.add(MAIN.relativize(file) + " (" + lines.size() + " lines)");
      }
    }
    assertTrue(unexplained.isEmpty(), "classes over " + LONG_CLASS + " lines without \"" + WHY_LONG + " ...\" at the top: " + unexplained);
  }

  @Test
  void onlyTheStoreOpensTheDatabase() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path file : sources()) {
      String pkg = packageOf(file);
      String text = Files.readString(file);
      boolean opens = text.contains("Database.pool(") || text.contains("DriverManager.getConnection(")
          || text.contains("JDBCPool.pool(");
      if (opens && !pkg.equals("store") && !pkg.isEmpty()) {
        violations.add(MAIN.relativize(file).toString());
      }
    }
    assertTrue(violations.isEmpty(), "the database is opened outside package store (the composition root asks store to open it): " + violations);
  }
}
