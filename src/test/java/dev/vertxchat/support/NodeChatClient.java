package dev.vertxchat.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The official client ({@code @vertx/eventbus-bridge-client.js} over {@code sockjs-client}, from
 * webroot/node_modules) in a Node process of its own, running {@code src/test/js/chat-client.js}: it joins a
 * room, catches up, sends {@code count} messages at a rate, reconnects on every close (new EventBus, join,
 * catch up with {@code chat.history after}), and reports what it saw ({@link Result}). Options are those of
 * the script (see its header), e.g. from {@link #options}.
 *
 * <pre>
 * NodeChatClient client = NodeChatClient.start(NodeChatClient.options(base, token, "xhr-polling", "general", 50, 20));
 * ...
 * client.stop();                                  // with stopWhenDone false: finish once the sends are done
 * NodeChatClient.Result result = client.await(30_000);
 * </pre>
 */
public final class NodeChatClient implements AutoCloseable {
  public static final Path SCRIPT = Path.of("src/test/js/chat-client.js");
  public static final String INSTALL = "Node.js 18 or newer (README, Quick start): apt-get install -y nodejs";
  /** The transports the script takes: SockJS's three, and "raw" (the same EventBus over /eventbus/websocket). */
  public static final List<String> TRANSPORTS = List.of("websocket", "xhr-streaming", "xhr-polling", "raw");

  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  private final Thread outReader;

  /**
   * What the client reports at its end: the ids of its view of the room in order, the ids of its acknowledged
   * sends, the failures answered to sends, sends whose connection closed before the answer (unknown outcome),
   * for each outage (a connection it was caught up on closed) the ms from the close until it was caught up
   * again, connections that opened and closed, attempts that closed before opening, messages that came again,
   * the slowest answer to a send, and whether its timeout ended it.
   */
  public record Result(List<Long> received, List<Long> acked, List<JsonObject> failed, int unknown, List<Long> reconnectMs,
                       int outages, int closes, int failedAttempts, int duplicates, long ackMaxMs, boolean timedOut) {
    static Result of(JsonObject json) {
      return new Result(longs(json.getJsonArray("received")), longs(json.getJsonArray("acked")),
          json.getJsonArray("failed").stream().map(JsonObject.class::cast).toList(), json.getInteger("unknown"),
          longs(json.getJsonArray("reconnectMs")), json.getInteger("outages"), json.getInteger("closes"),
          json.getInteger("failedAttempts"), json.getInteger("duplicates"),
          json.getLong("ackMaxMs"), json.getBoolean("timedOut"));
    }

    private static List<Long> longs(JsonArray array) {
      return array.stream().map(v -> ((Number) v).longValue()).toList();
    }
  }

  private NodeChatClient(Process process) {
    this.process = process;
    this.outReader = reader(process.getInputStream(), stdout, "node-client-stdout");
    reader(process.getErrorStream(), stderr, "node-client-stderr");
  }

  private static Thread reader(InputStream in, List<String> lines, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        r.lines().forEach(line -> {
          synchronized (lines) {
            lines.add(line);
          }
        });
      } catch (IOException | UncheckedIOException ignored) {
        // the process ended
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Whether a {@code node} program is on the PATH. */
  public static boolean installed() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Skips the test (fails it in CI) when Node or the installed browser libraries are missing. */
  public static void require() {
    Tools.require(installed(), INSTALL);
    Tools.require(Files.isDirectory(Path.of("webroot/node_modules/sockjs-client")), "the browser libraries: (cd webroot && npm ci)");
  }

  /**
   * The script's options: the service (or proxy) at {@code base}, signed in with {@code token}, over
   * {@code transport} ({@link #TRANSPORTS}), {@code count} messages at {@code ratePerSecond} into
   * {@code room}, finishing on its own once done (stopWhenDone), at most 60 s.
   */
  public static JsonObject options(String base, String token, String transport, String room, int count, int ratePerSecond) {
    return new JsonObject().put("base", base).put("token", token).put("transport", transport).put("room", room)
        .put("count", count).put("ratePerSecond", ratePerSecond).put("stopWhenDone", true).put("settleMs", 500)
        .put("timeoutMs", 60_000).put("name", transport);
  }

  /** Starts the script with {@code options} (see the script's header). */
  public static NodeChatClient start(JsonObject options) {
    require();
    try {
      Process p = new ProcessBuilder("node", SCRIPT.toString(), options.encode()).start();
      return new NodeChatClient(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Node process's PID (to kill it, or to find it). */
  public long pid() {
    return process.pid();
  }

  /** Tells a client started with stopWhenDone false to finish once its sends are done and it heard nothing for settleMs. */
  public void stop() {
    try {
      OutputStream in = process.getOutputStream();
      in.write("stop\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      // the process is gone: await says how it ended
    }
  }

  /** Waits (at most {@code ms}) for the client to end and returns its report. */
  public Result await(long ms) {
    try {
      if (!process.waitFor(ms, TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the Node client did not finish within " + ms + " ms; its log:\n" + log());
      }
      outReader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    String last;
    synchronized (stdout) {
      last = stdout.isEmpty() ? null : stdout.get(stdout.size() - 1);
    }
    if (last == null || !last.startsWith("{")) {
      throw new AssertionError("the Node client ended with " + process.exitValue() + " without its report; its log:\n" + log());
    }
    return Result.of(new JsonObject(last));
  }

  /** What the script wrote to stderr so far (progress: closes, catch-ups, failures). */
  public String log() {
    synchronized (stderr) {
      return String.join("\n", stderr);
    }
  }

  /** Kills the client if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
