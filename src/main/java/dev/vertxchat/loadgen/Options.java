package dev.vertxchat.loadgen;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options of the load generator: {@code --name value} or {@code --name=value}.
 * Longer than 300 lines because the usage text lives here, next to the parsing it documents.
 */
final class Options {
  static final String USAGE = """
      vertx-chat load generator: drives a running vertx-chat service over the event-bus bridge.

        java -jar target/vertx-chat-loadgen.jar --scenario fanout|rooms|idle|durable [options]

      The service must run with raised send limits for the send scenarios, e.g.
        CHAT_LIMITS_MESSAGESPERSECOND=100000 CHAT_LIMITS_MESSAGEBURST=100000 \\
        CHAT_LIMITS_GLOBALMESSAGESPERSECOND=1000000 java -jar target/vertx-chat.jar
      (otherwise every user may send 10 msg/s, burst 20, refused as errors "4001", and the whole
      service takes 1000 msg/s, refused as errors "4005").

      Target
        --url URL[,URL..]          service base URL(s), loopback only (default http://127.0.0.1:8080); with several
                                   (the nodes of a cluster), connection g goes to URL g mod N (sign-ins likewise,
                                   rooms are created on the first)
        --transport raw|sockjs     raw WebSocket /eventbus/websocket or SockJS /eventbus/<n>/<id>/websocket (default raw)
        --server-pid PID[,PID..]   service process(es) for CPU/RSS figures, one per URL (default: found with
                                   `ss -ltnp` per URL port, else skipped); CPU is reported in total and per node
        --source-addresses LIST    local addresses to connect from, round-robin (default 127.0.0.1); about
                                   28,000 ephemeral ports per address
      Scenarios
        fanout   --clients C (200) in one room, --senders S (min(C,20)) of them sending at the aggregate --rates
        rooms    --rooms K (1000) rooms of --room-size M (10); --senders per room (default all) at aggregate --rates
        idle     --clients C connections, joined to rooms of --room-size M (10), held --hold-seconds (30);
                 --processes N spreads them over N generator processes (one process: at most ~20,000 files);
                 --warmup-connections N (200) per process are opened, joined and closed before the timed phase;
                 --server-heap: also the live heap per connection (runs jcmd PID GC.run on the service, outside
                 the timed phase)
        durable  --clients S connections in rooms of --room-size M (1), every chat.send acknowledged;
                 closed loop with --window W1,W2.. outstanding per connection (max 100), or paced at --rates
        presence --joins N (100) joins, one at a time, of a fresh guest on URL i mod N into one room; an observer
                 connection on every other URL asks chat.presence every --poll-ms (5) until the guest is listed
                 (join convergence), then the guest closes and the observers ask until it is gone (leave)
        failover --clients C (300) in one room spread over the URLs, --senders S sending at the first of --rates;
                 after --kill-after-seconds (10) this generator sends SIGKILL to --kill-pid PID (a node it was
                 given), the closed connections reconnect (the same URL when only one is given, e.g. nginx;
                 otherwise the next URL), register and catch up with chat.history after their last id; reports
                 the time from the kill to each reconnect and catch-up, then compares every client's ids with
                 the room's history (missing, duplicated, out of order)
      Steps
        --rates R1,R2,..           aggregate sends per second, one step each (default 1000,2000,5000; rooms: 1000,2000)
        --step-seconds N           length of each step (default 10)
        --warmup-seconds N         unreported first step at the first rate/window (default 5; 0 = none)
        --drain-seconds N          after each step, sending stops and arrivals are still counted (default 2)
      Measurement
        --sample N                 connections that parse every frame and record latency (default 50); the others
                                   only count chat frames
        --event-loops N            generator event loops (default: available processors)
        --connect-concurrency N    connections (and sign-ins) being opened at once (default 200)
        --connect-timeout-seconds N  bound on the whole connect-and-join phase (default 120)
        --json FILE                write every figure as JSON too
        --max-seconds N            safety stop: exit after N seconds whatever happens (default 600)
        --name-prefix P            guest names P-<n> (default lg), rooms <room-prefix>-<i> (default lg-room)
        --help                     this text
      Output, one row per step (the warm-up is not reported)
        target/s   aggregate sends/s asked for; sent/s what was sent (skipped sends are counted in the JSON)
        expected/s target x room members (every member, the sender too, receives each message); deliv/s chat
                   frames received during the step and its drain / step seconds; deliv% = deliv/expected
        p50..max   delivery latency in ms at the sample connections (send time carried in the text);
                   durable: ack latency (send to reply) and acked/s
        srv CPU%   service CPU while sending, % of one core (/proc/PID/stat); us/deliv (us/ack) its CPU time
                   per delivery (per ack) over step + drain; gen CPU% the same for this generator, with a
                   warning above 80% of its cores
        errors     err frames by failureCode (err-N, send-N for acknowledged sends, join-N), unexpected closes
                   (closed-CODE), connect/sign-in failures
      """;

  private static final List<String> FLAGS = List.of("url", "transport", "server-pid", "source-addresses", "scenario",
      "clients", "senders", "rooms", "room-size", "hold-seconds", "warmup-connections", "server-heap", "processes", "window", "rates", "step-seconds",
      "warmup-seconds", "drain-seconds", "sample", "event-loops", "connect-concurrency", "connect-timeout-seconds",
      "json", "max-seconds", "name-prefix", "room-prefix", "shard", "child", "joins", "poll-ms", "kill-pid",
      "kill-after-seconds");

  final Map<String, String> raw = new LinkedHashMap<>();
  final List<String> args;
  /** One service URL (a node of a cluster, or nginx in front of them). */
  record Target(String url, String host, int port) {}

  String url = "http://127.0.0.1:8080";
  /** The first target's host and port. */
  String host;
  int port;
  List<Target> targets = List.of();
  boolean sockjs;
  /** Service processes for CPU/RSS, as given (may be empty: found from the ports, or unknown). */
  List<Long> serverPids = List.of();
  List<String> sourceAddresses = List.of("127.0.0.1");
  String scenario;
  int clients;
  int senders;
  int rooms;
  int roomSize;
  int holdSeconds = 30;
  int warmupConnections = 200;
  boolean serverHeap;
  int processes = 1;
  List<Integer> windows = List.of();
  List<Integer> rates;
  int stepSeconds = 10;
  int warmupSeconds = 5;
  int drainSeconds = 2;
  int sample = 50;
  int eventLoops = Runtime.getRuntime().availableProcessors();
  int connectConcurrency = 200;
  int connectTimeoutSeconds = 120;
  String json;
  int maxSeconds = 600;
  String namePrefix = "lg";
  String roomPrefix = "lg-room";
  int shard = 0;
  int shards = 1;
  boolean child;
  boolean help;
  int joins = 100;
  int pollMs = 5;
  long killPid = -1;
  int killAfterSeconds = 10;

  private Options(List<String> args) {
    this.args = args;
  }

  static Options parse(String[] argv) {
    Options o = new Options(Arrays.asList(argv));
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (a.equals("--help") || a.equals("-h")) {
        o.help = true;
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + a);
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (name.equals("child") || name.equals("server-heap")) {
        value = "true";
      } else if (i + 1 < argv.length) {
        value = argv[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      if (!FLAGS.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + " (see --help)");
      }
      o.raw.put(name, value);
    }
    if (!o.help) {
      o.apply();
    }
    return o;
  }

  private void apply() {
    url = raw.getOrDefault("url", url);
    List<Target> ts = new ArrayList<>();
    for (String u : url.split(",")) {
      ts.add(target(u.trim()));
    }
    targets = List.copyOf(ts);
    host = targets.get(0).host();
    port = targets.get(0).port();
    String transport = raw.getOrDefault("transport", "raw");
    if (!transport.equals("raw") && !transport.equals("sockjs")) {
      throw new IllegalArgumentException("--transport must be raw or sockjs");
    }
    sockjs = transport.equals("sockjs");
    if (raw.containsKey("server-pid")) {
      List<Long> pids = new ArrayList<>();
      for (String p : raw.get("server-pid").split(",")) {
        try {
          pids.add(Long.parseLong(p.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--server-pid must be a comma-separated list of process ids");
        }
      }
      serverPids = List.copyOf(pids);
    }
    if (raw.containsKey("source-addresses")) {
      sourceAddresses = List.of(raw.get("source-addresses").split(","));
      for (String s : sourceAddresses) {
        if (!s.startsWith("127.") && !s.equals("::1")) {
          throw new IllegalArgumentException("source address " + s + " is not a loopback address");
        }
      }
    }
    scenario = raw.get("scenario");
    if (scenario == null || !List.of("fanout", "rooms", "idle", "durable", "presence", "failover").contains(scenario)) {
      throw new IllegalArgumentException("--scenario fanout|rooms|idle|durable|presence|failover is required");
    }
    clients = integer("clients", switch (scenario) {
      case "idle" -> 1000;
      case "durable" -> 20;
      case "failover" -> 300;
      default -> 200;
    }, 1, 200_000);
    rooms = integer("rooms", 1000, 1, 100_000);
    roomSize = integer("room-size", scenario.equals("durable") ? 1 : 10, 1, 200_000);
    senders = integer("senders", scenario.equals("fanout") || scenario.equals("failover") ? Math.min(clients, 20) : roomSize,
        1, 200_000);
    holdSeconds = integer("hold-seconds", holdSeconds, 0, 86_400);
    processes = integer("processes", processes, 1, 64);
    warmupConnections = integer("warmup-connections", warmupConnections, 0, 200_000);
    windows = list("window", List.of());
    for (int w : windows) {
      if (w < 1 || w > 100) {
        throw new IllegalArgumentException("--window values must be 1..100 (the server allows 100 requests awaiting a reply)");
      }
    }
    rates = list("rates", scenario.equals("rooms") ? List.of(1000, 2000)
        : scenario.equals("failover") ? List.of(100) : List.of(1000, 2000, 5000));
    for (int r : rates) {
      if (r < 1 || r > 10_000_000) {
        throw new IllegalArgumentException("--rates values must be 1..10000000");
      }
    }
    stepSeconds = integer("step-seconds", stepSeconds, 1, 3600);
    warmupSeconds = integer("warmup-seconds", warmupSeconds, 0, 3600);
    drainSeconds = integer("drain-seconds", drainSeconds, 0, 60);
    sample = integer("sample", sample, 0, 200_000);
    eventLoops = integer("event-loops", Math.max(1, eventLoops), 1, 256);
    connectConcurrency = integer("connect-concurrency", connectConcurrency, 1, 10_000);
    connectTimeoutSeconds = integer("connect-timeout-seconds", connectTimeoutSeconds, 1, 3600);
    json = raw.get("json");
    maxSeconds = integer("max-seconds", maxSeconds, 1, 86_400);
    namePrefix = raw.getOrDefault("name-prefix", namePrefix);
    roomPrefix = raw.getOrDefault("room-prefix", roomPrefix);
    if (!namePrefix.matches("[A-Za-z0-9_.-]{1,20}") || !roomPrefix.matches("[a-z0-9][a-z0-9-]{0,40}")) {
      throw new IllegalArgumentException("--name-prefix must be 1-20 of [A-Za-z0-9_.-], --room-prefix 1-41 of [a-z0-9-]");
    }
    if (raw.containsKey("shard")) {
      String[] s = raw.get("shard").split("/");
      shard = Integer.parseInt(s[0]);
      shards = Integer.parseInt(s[1]);
    } else {
      shards = processes; // the parent process is shard 0
    }
    joins = integer("joins", joins, 1, 100_000);
    pollMs = integer("poll-ms", pollMs, 1, 10_000);
    killAfterSeconds = integer("kill-after-seconds", killAfterSeconds, 1, 3600);
    if (raw.containsKey("kill-pid")) {
      try {
        killPid = Long.parseLong(raw.get("kill-pid").trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--kill-pid must be a process id");
      }
    }
    if (scenario.equals("failover") && killPid <= 0) {
      throw new IllegalArgumentException("--scenario failover needs --kill-pid (the node to kill)");
    }
    if (scenario.equals("presence") && targets.size() < 2) {
      throw new IllegalArgumentException("--scenario presence needs at least two --url values (the nodes)");
    }
    child = raw.containsKey("child");
    serverHeap = raw.containsKey("server-heap");
    if (scenario.equals("failover")) {
      sample = clients; // every connection checks ids and order
    }
    if (scenario.equals("fanout") || scenario.equals("failover")) {
      rooms = 1;
      roomSize = clients;
      senders = Math.min(senders, clients);
    } else if (scenario.equals("rooms")) {
      clients = rooms * roomSize;
      senders = Math.min(senders, roomSize);
    } else {
      rooms = (clients + roomSize - 1) / roomSize;
    }
    if (!scenario.equals("idle") && processes > 1) {
      throw new IllegalArgumentException("--processes is for the idle scenario (the others measure latency in one process)");
    }
  }

  private static Target target(String u) {
    URI uri;
    try {
      uri = URI.create(u);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url " + u + " is not a URL");
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("--url must be http://<loopback host>:<port>[,http://...]");
    }
    String h = uri.getHost();
    if (!loopback(h)) {
      throw new IllegalArgumentException("refusing " + h + ": only loopback hosts (127.0.0.0/8, ::1, localhost)");
    }
    if (h.startsWith("[")) {
      h = h.substring(1, h.length() - 1);
    }
    return new Target(u, h, uri.getPort() < 0 ? 80 : uri.getPort());
  }

  /** The target of the connection (and guest) with global index {@code g}: round-robin over the URLs. */
  Target targetOf(int g) {
    return targets.get(g % targets.size());
  }

  static boolean loopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.equals("::1") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private int integer(String name, int def, int min, int max) {
    String v = raw.get(name);
    if (v == null) {
      return def;
    }
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("--" + name + " must be " + min + ".." + max);
    }
    return n;
  }

  private List<Integer> list(String name, List<Integer> def) {
    String v = raw.get(name);
    if (v == null) {
      return def;
    }
    List<Integer> out = new ArrayList<>();
    for (String part : v.split(",")) {
      try {
        out.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a comma-separated list of whole numbers");
      }
    }
    if (out.isEmpty() || out.size() > 100) {
      throw new IllegalArgumentException("--" + name + " needs 1 to 100 values");
    }
    return out;
  }

  /** Global index of this process's n-th connection (connections are dealt round-robin to shards). */
  int globalIndex(int n) {
    return n * shards + shard;
  }

  /** How many of the {@code clients} connections this process opens. */
  int localClients() {
    return (clients - shard + shards - 1) / shards;
  }
}
