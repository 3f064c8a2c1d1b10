package dev.vertxchat.support;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.vertxchat.support.TestServer.await;

/**
 * A throwaway PostgreSQL for tests. With the environment variable {@value #ENV} (a URL whose user may
 * create databases) every {@link #freshDatabaseUrl()} is a new database on that server; otherwise one
 * server per JVM is started on first use from Debian's binaries ({@code /usr/lib/postgresql/<version>/bin}),
 * on 127.0.0.1 and a free port, its data in a temporary directory, stopped and deleted when the JVM exits.
 * Without those binaries the tests that need it are skipped with the install line (failed under CI).
 *
 * <p>A test that stops and starts the database itself (an outage) makes its own {@link Server}.
 */
public final class Postgres {
  public static final String ENV = "CHAT_TEST_POSTGRES_URL";
  private static final String INSTALL = "apt-get install -y postgresql";
  private static final String USER = "chat";
  private static final String PASSWORD = "chat-test-password";
  private static Server shared; // guarded by Postgres.class

  private Postgres() {}

  /**
   * A URL of a new, empty database: on {@value #ENV}'s server when set, else on this JVM's own server.
   * Skips the calling test (fails it under CI) when neither is possible.
   */
  public static String freshDatabaseUrl() {
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return createDatabase(env.strip());
    }
    return sharedServer().freshDatabaseUrl();
  }

  private static synchronized Server sharedServer() {
    if (shared == null) {
      shared = Server.start();
    }
    return shared;
  }

  /** The directory of Debian's PostgreSQL programs (the newest version), or null when none is installed. */
  static Path binaries() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
          .max(Comparator.comparing(bin -> versionOf(bin.getParent())))
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Creates a database with a unique name on the server of {@code url}; returns the URL of the new one. */
  static String createDatabase(String url) {
    String name = "chat_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Vertx vertx = Vertx.vertx();
    try {
      SqlClient client = PgBuilder.client().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
      try {
        await(client.query("CREATE DATABASE " + name).execute());
      } finally {
        await(client.close());
      }
    } finally {
      await(vertx.close());
    }
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/" + name + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  /**
   * A PostgreSQL server of the test's own: {@link #start()} runs initdb into a new temporary directory and
   * starts it on a free port; {@link #stop()} and {@link #restart()} stop and start it again on the same
   * port and data; {@link #close()} stops it and deletes its directory (also done when the JVM exits).
   * Under root, initdb and postgres (which refuse root) run as user {@code postgres}, else {@code nobody}.
   */
  public static final class Server implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final String runAs;
    private final Thread hook;
    private boolean running; // guarded by this

    private Server(Path bin, Path dir, int port, String runAs) {
      this.bin = bin;
      this.dir = dir;
      this.data = dir.resolve("data");
      this.port = port;
      this.runAs = runAs;
      this.hook = new Thread(this::destroy, "postgres-test-server-stop");
    }

    /** A new server, initialized and running; skips the calling test when PostgreSQL is not installed. */
    public static Server start() {
      Path bin = binaries();
      Tools.require(bin != null, INSTALL);
      try {
        Path dir = Files.createTempDirectory("chat-pg-");
        String runAs = runAsUser();
        Server server = new Server(bin, dir, freePort(), runAs);
        Runtime.getRuntime().addShutdownHook(server.hook);
        server.init();
        server.restart();
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public int port() {
      return port;
    }

    /** The URL of {@code database} on this server (user and password included). */
    public String url(String database) {
      return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + database;
    }

    /** A new, empty database on this server. */
    public String freshDatabaseUrl() {
      return createDatabase(url("postgres"));
    }

    /** Stops the server (fast: open connections are closed at once). */
    public synchronized void stop() {
      if (running) {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
        running = false;
      }
    }

    /** Starts the stopped server again, same port, same data; returns once it accepts connections. */
    public synchronized void restart() {
      if (!running) {
        String options = "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c fsync=off -c full_page_writes=off"
            + " -c max_connections=200";
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
            "-w", "-t", "60", "-o", options, "start"));
        running = true;
      }
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
      destroy();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // the JVM is exiting: the hook runs anyway
      }
    }

    private synchronized void destroy() {
      try {
        if (running) {
          run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
          running = false;
        }
      } finally {
        deleteTree(dir);
      }
    }

    private void init() throws IOException {
      Path pwfile = dir.resolve("pwfile");
      Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
      if (runAs != null) {
        exec(List.of("chown", "-R", runAs, dir.toString()));
      }
      run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + pwfile,
          "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"));
    }

    /** Runs a PostgreSQL program, as {@link #runAs} when this is root. */
    private void run(List<String> command) {
      List<String> full = new ArrayList<>();
      if (runAs != null) {
        full.addAll(List.of("runuser", "-u", runAs, "--"));
      }
      full.addAll(command);
      exec(full);
    }
  }

  /** The user to run PostgreSQL as: null when this is not root, else postgres when it exists, else nobody. */
  private static String runAsUser() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return null;
    }
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("postgres:")) ? "postgres" : "nobody";
    } catch (IOException e) {
      return "nobody";
    }
  }

  private static void exec(List<String> command) {
    try {
      Path output = Files.createTempFile("chat-pg-cmd-", ".log");
      try {
        Process process = new ProcessBuilder(command).directory(Path.of(System.getProperty("java.io.tmpdir")).toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("timed out: " + String.join(" ", command));
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ":\n"
              + Files.readString(output, StandardCharsets.UTF_8));
        }
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a temporary directory
        }
      });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: a temporary directory
    }
  }
}
