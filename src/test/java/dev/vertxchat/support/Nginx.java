package dev.vertxchat.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real nginx started from the shipped sample {@code conf/nginx.conf} in front of the given node ports, for
 * as long as a test holds it. The sample is changed only mechanically ({@link #rewrite}): its listen line
 * becomes a free loopback port, its upstream server lines the given nodes, its pid, logs and temporary
 * directories a temporary directory of its own, and one worker process. A sample that no longer has one of
 * those lines fails the rewrite, naming the line, so the sample and the tests cannot drift apart. nginx runs
 * in the foreground ({@code daemon off}) as a child of the test and is stopped by its PID.
 *
 * <pre>
 * try (Nginx nginx = Nginx.start(List.of(node1.port(), node2.port()))) {
 *   BridgeClient.connect(vertx, nginx.port(), token, transport) ...
 * }
 * </pre>
 */
public final class Nginx implements AutoCloseable {
  public static final Path SAMPLE = Path.of("conf/nginx.conf");
  public static final String INSTALL = "apt-get install -y nginx";

  private static final Pattern LISTEN = Pattern.compile("(?m)^(\\s*)listen 8000;$");
  private static final Pattern UPSTREAM_SERVER = Pattern.compile("(?m)^(\\s*)server 127\\.0\\.0\\.1:\\d+([^;\\n]*);\\n");
  private static final Pattern PID = Pattern.compile("(?m)^pid [^;\\n]+;$");
  private static final Pattern ERROR_LOG = Pattern.compile("(?m)^error_log [^;\\n]+;$");
  private static final Pattern ACCESS_LOG = Pattern.compile("(?m)^(\\s*)access_log \\S+ chat;$");
  private static final Pattern WORKERS = Pattern.compile("(?m)^worker_processes [^;\\n]+;$");
  private static final Pattern HTTP = Pattern.compile("(?m)^http \\{$");

  private final Process process;
  private final Path dir;
  private final int port;

  private Nginx(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** Whether an {@code nginx} program is on the PATH. */
  public static boolean installed() {
    try {
      Process p = new ProcessBuilder("nginx", "-v").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Skips the test (fails it in CI) when nginx is not installed, with the install line. */
  public static void require() {
    Tools.require(installed(), INSTALL);
  }

  /** {@code nginx -t -c conf}: the exit status and what it printed. */
  public static Result check(Path conf) throws IOException, InterruptedException {
    return run(List.of("nginx", "-t", "-c", conf.toAbsolutePath().toString()));
  }

  /** What a run of the nginx program answered. */
  public record Result(int exitCode, String output) {
  }

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("nginx did not answer within 20 s: " + command);
    }
    return new Result(p.exitValue(), out);
  }

  /**
   * The sample rewritten to listen on {@code 127.0.0.1:listenPort}, proxy to {@code 127.0.0.1:<nodePort>}
   * for each node (with the sample's server parameters), and keep its pid, logs ({@code error.log},
   * {@code access.log}, the sample's format) and temporary files in {@code dir}.
   *
   * @throws IllegalStateException when the sample lacks a line this rewrites
   */
  public static String rewrite(String sample, int listenPort, List<Integer> nodePorts, Path dir) {
    if (nodePorts.isEmpty()) {
      throw new IllegalArgumentException("no node to proxy to");
    }
    String conf = replaceOnce(sample, LISTEN, "listen 8000;", m -> m.group(1) + "listen 127.0.0.1:" + listenPort + ";");
    Matcher servers = UPSTREAM_SERVER.matcher(conf);
    if (!servers.find()) {
      throw new IllegalStateException(SAMPLE + " has no upstream line \"server 127.0.0.1:<port> ...;\" to point at the nodes");
    }
    String indent = servers.group(1);
    String params = servers.group(2);
    String lines = nodePorts.stream().map(p -> indent + "server 127.0.0.1:" + p + params + ";\n").collect(Collectors.joining());
    conf = conf.substring(0, servers.start()) + lines + UPSTREAM_SERVER.matcher(conf.substring(servers.end())).replaceAll("");
    String d = dir.toAbsolutePath().toString();
    conf = replaceOnce(conf, PID, "pid ...;", m -> "pid " + d + "/nginx.pid;");
    conf = replaceOnce(conf, ERROR_LOG, "error_log ...;", m -> "error_log " + d + "/error.log warn;");
    conf = replaceOnce(conf, ACCESS_LOG, "access_log ... chat;", m -> m.group(1) + "access_log " + d + "/access.log chat;");
    conf = replaceOnce(conf, WORKERS, "worker_processes ...;", m -> "worker_processes 1;");
    return replaceOnce(conf, HTTP, "http {", m -> "http {\n"
        + Stream.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            .map(t -> "  " + t + "_temp_path " + d + "/temp/" + t + ";\n").collect(Collectors.joining()));
  }

  private static String replaceOnce(String conf, Pattern pattern, String what,
                                    java.util.function.Function<Matcher, String> replacement) {
    Matcher m = pattern.matcher(conf);
    if (!m.find()) {
      throw new IllegalStateException(SAMPLE + " no longer has the line \"" + what + "\" that the tests rewrite");
    }
    int start = m.start();
    int end = m.end();
    String with = replacement.apply(m);
    if (m.find()) {
      throw new IllegalStateException(SAMPLE + " has the line \"" + what + "\" more than once");
    }
    return conf.substring(0, start) + with + conf.substring(end);
  }

  /** Starts nginx from the sample in front of {@code nodePorts} and waits (10 s at most) until it listens. */
  public static Nginx start(List<Integer> nodePorts) {
    require();
    try {
      String sample = Files.readString(SAMPLE);
      AssertionError last = null;
      for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between its choice and nginx's bind
        Path dir = Files.createTempDirectory("vertx-chat-nginx-");
        // started as root, nginx's workers run as its default user: they must reach the temporary directory
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("temp"));
        int port = freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, rewrite(sample, port, nodePorts, dir));
        Process p = new ProcessBuilder("nginx", "-p", dir + "/", "-e", dir + "/error.log", "-c", conf.toString(),
            "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Nginx nginx = new Nginx(p, dir, port);
        try {
          nginx.awaitListening();
          return nginx;
        } catch (AssertionError e) {
          nginx.close();
          last = e;
        }
      }
      throw last;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitListening() {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("nginx exited with " + process.exitValue() + ": " + errorLog());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
    throw new AssertionError("nginx does not listen on " + port + " after 10 s: " + errorLog());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The port nginx listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String base() {
    return "http://127.0.0.1:" + port;
  }

  /** The PID of nginx's master process. */
  public long pid() {
    return process.pid();
  }

  /** The configuration nginx runs. */
  public Path config() {
    return dir.resolve("nginx.conf");
  }

  /** The lines of nginx's access log so far (the sample's format). */
  public List<String> accessLog() {
    return lines(dir.resolve("access.log"));
  }

  /** nginx's error log so far. */
  public String errorLog() {
    return String.join("\n", lines(dir.resolve("error.log")));
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops nginx (SIGTERM to its master: a fast shutdown; SIGKILL to it and its workers after 10 s) and deletes its directory. */
  @Override
  public void close() {
    List<ProcessHandle> workers = new ArrayList<>(process.descendants().toList());
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        workers.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
