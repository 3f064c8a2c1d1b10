package dev.vertxchat.support;

import dev.vertxchat.MainVerticle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The service started as production starts it, in its own JVM: the jar's Main-Class (the launcher) with
 * {@link MainVerticle} and {@code -conf FILE}, on the test classpath (so logback-test.xml applies). Its
 * stdout and stderr are collected line by line by a reader thread; every wait is bounded.
 */
public final class ServiceProcess {
  public static final Pattern LISTENING = Pattern.compile("HTTP server listening on 127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private boolean eof;

  private ServiceProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(this::add);
      } catch (IOException | UncheckedIOException ignored) {
        // the process was killed
      } finally {
        add(null);
      }
    }, "service-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts the launcher in {@code workDir} (choose one without conf/config.json) with the given
   * environment added to this one's, minus every inherited {@code CHAT_*} variable.
   */
  public static ServiceProcess start(Path workDir, Path config, Map<String, String> env) throws IOException {
    return start(workDir, config, env, List.of());
  }

  /** {@link #start(Path, Path, Map)} with more launcher arguments, e.g. {@code -instances 2}. */
  public static ServiceProcess start(Path workDir, Path config, Map<String, String> env, List<String> launcherArgs)
      throws IOException {
    return start(workDir, config, env, launcherArgs, List.of());
  }

  /** {@link #start(Path, Path, Map, List)} with JVM options, e.g. {@code -Dlogback.configurationFile=...}. */
  public static ServiceProcess start(Path workDir, Path config, Map<String, String> env, List<String> launcherArgs,
                                     List<String> jvmArgs) throws IOException {
    return start(workDir, config, env, launcherArgs, jvmArgs, List.of());
  }

  /**
   * {@link #start(Path, Path, Map, List, List)} run by a wrapper that ends with the java command line as
   * its arguments and {@code exec}s it (so {@link #process()} is the JVM), e.g. a shell that ignores SIGHUP.
   */
  public static ServiceProcess start(Path workDir, Path config, Map<String, String> env, List<String> launcherArgs,
                                     List<String> jvmArgs, List<String> wrapper) throws IOException {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        launcherClass(), MainVerticle.class.getName(), "-conf", config.toString()));
    command.addAll(launcherArgs);
    ProcessBuilder builder = new ProcessBuilder(command).directory(Files.createDirectories(workDir).toFile())
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("CHAT_"));
    builder.environment().putAll(env);
    return new ServiceProcess(builder.start());
  }

  /** The jar's Main-Class (pom property launcher.class), so the test starts what {@code java -jar} starts. */
  private static String launcherClass() throws IOException {
    Matcher m = Pattern.compile("<launcher\\.class>([^<]+)</launcher\\.class>").matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "pom.xml defines launcher.class");
    return m.group(1).trim();
  }

  private synchronized void add(String line) {
    if (line == null) {
      eof = true;
    } else {
      lines.add(line);
    }
    notifyAll();
  }

  public Process process() {
    return process;
  }

  /** Waits until a line matches or the output ends (process gone), at most {@code ms}; returns the line or null. */
  public synchronized String awaitLine(Predicate<String> match, long ms) throws InterruptedException {
    long deadline = System.currentTimeMillis() + ms;
    for (int seen = 0; ; ) {
      for (; seen < lines.size(); seen++) {
        if (match.test(lines.get(seen))) {
          return lines.get(seen);
        }
      }
      long left = deadline - System.currentTimeMillis();
      if (eof || left <= 0) {
        return null;
      }
      wait(left);
    }
  }

  /** Waits (30 s at most) for the "HTTP server listening" line and returns the port it reports. */
  public int awaitPort() throws InterruptedException {
    String line = awaitLine(l -> LISTENING.matcher(l).find(), 30_000);
    assertNotNull(line, "no 'HTTP server listening' line; output:\n" + output());
    Matcher m = LISTENING.matcher(line);
    assertTrue(m.find());
    return Integer.parseInt(m.group(1));
  }

  /** Waits for the process to end by itself; fails (and kills it) when it has not within {@code ms}. */
  public int awaitExit(long ms) throws InterruptedException {
    if (!process.waitFor(ms, TimeUnit.MILLISECONDS)) {
      kill();
      fail("the process did not end within " + ms + " ms; output:\n" + output());
    }
    awaitLine(l -> false, 5_000); // the rest of the output
    return process.exitValue();
  }

  public synchronized String output() {
    return String.join("\n", lines);
  }

  /** SIGKILL, then waits (10 s at most) for the process to be gone. */
  public void kill() {
    try {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
