package dev.vertxchat.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The chat's own metrics, one instance per service (made by the composition root, handed to the parts
 * that count). Every label has a bounded set of values: a transport, a close code, an error code, a
 * sign-in kind, a refusal reason, a limit; never a user, a room or an address. A value outside a label's
 * set is counted as {@code other}, so no caller can grow the number of series.
 *
 * <p>Cheap on hot paths: a meter is looked up in a small map at most (close codes, error codes), the
 * fan-out adds its deliveries with one counter add per message, whatever the number of sockets.
 * Thread-safe: counted from every event loop.
 *
 * <p>Names follow Prometheus conventions once exported ({@code chat_..._total} counters, units in the
 * names of histograms); {@code docs/OPERATIONS.md} lists them all.
 */
public final class ChatMetrics {
  /** The transports of {@code chat_bridge_connections}; as the bridge names them. */
  public static final List<String> TRANSPORTS = List.of("websocket", "sockjs-websocket", "xhr-streaming", "xhr-polling");
  /** Sign-in kinds: the four REST routes that answer with a token. */
  public static final List<String> SIGN_IN_KINDS = List.of("guest", "register", "login", "refresh");
  /** Why a token or a bridge handshake was refused. */
  public static final List<String> REFUSAL_REASONS = List.of("missing", "malformed", "expired", "invalid", "issuer",
      "audience", "subject", "name", "origin", "session", "banned", "operator");
  /** The rate limits and caps whose refusals are counted. */
  public static final List<String> LIMITS = List.of("messages", "global_messages", "typing", "sign_ins", "guest_sign_ins",
      "failed_logins", "connections");
  private static final String OTHER = "other";
  /** Prometheus's default histogram buckets, from 0.5 ms (an acknowledged send takes about that on a quiet server). */
  private static final Duration[] ACK_BUCKETS = seconds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1, 2.5, 5, 10);
  private static final Duration[] COPY_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
      2.5, 5, 10, 30);

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Map<String, AtomicLong> open = new ConcurrentHashMap<>();
  private final Map<String, Counter> connects = new ConcurrentHashMap<>();
  private final Map<String, Counter> closes = new ConcurrentHashMap<>();
  private final Map<Integer, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> signIns = new ConcurrentHashMap<>();
  private final Map<String, Counter> signInFailures = new ConcurrentHashMap<>();
  private final Map<String, Counter> authRefusals = new ConcurrentHashMap<>();
  private final Map<String, Counter> rateLimited = new ConcurrentHashMap<>();
  private final Counter joins;
  private final Counter accepted;
  private final Counter deliveries;
  private final Counter slowConsumers;
  private final Timer ack;
  private final Timer copy;

  private ChatMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String transport : withOther(TRANSPORTS)) {
      AtomicLong count = new AtomicLong();
      open.put(transport, count);
      keep(Gauge.builder("chat.bridge.connections", count, AtomicLong::get).tag("transport", transport)
          .description("Bridge connections open, by transport").strongReference(true).register(registry));
      connects.put(transport, keep(Counter.builder("chat.bridge.connects").tag("transport", transport)
          .description("Bridge connections opened, by transport").register(registry)));
    }
    for (String kind : withOther(SIGN_IN_KINDS)) {
      signIns.put(kind, keep(Counter.builder("chat.auth.sign.ins").tag("kind", kind)
          .description("Sign-ins answered with a token, by kind").register(registry)));
    }
    for (String reason : withOther(REFUSAL_REASONS)) {
      authRefusals.put(reason, keep(Counter.builder("chat.auth.refusals").tag("reason", reason)
          .description("Tokens and bridge handshakes refused, by reason").register(registry)));
    }
    for (String limit : withOther(LIMITS)) {
      rateLimited.put(limit, keep(Counter.builder("chat.rate.limited").tag("limit", limit)
          .description("Requests refused by a rate limit or cap, by limit").register(registry)));
    }
    joins = keep(Counter.builder("chat.room.joins").description("Rooms joined by bridge connections").register(registry));
    accepted = keep(Counter.builder("chat.messages.accepted").description("Messages stored and acknowledged").register(registry));
    deliveries = keep(Counter.builder("chat.fanout.deliveries")
        .description("Frames written to sockets by the fan-out (one per subscribed connection and message)").register(registry));
    slowConsumers = keep(Counter.builder("chat.slow.consumers")
        .description("Connections closed as slow consumers (4101); the frame that did not fit is dropped").register(registry));
    ack = keep(Timer.builder("chat.send.ack").serviceLevelObjectives(ACK_BUCKETS)
        .description("Accepted send to acknowledgement (stored and published)").register(registry));
    copy = keep(Timer.builder("chat.journal.copy").serviceLevelObjectives(COPY_BUCKETS)
        .description("One copy of journaled messages into the database").register(registry));
  }

  /** Meters in {@code registry} (the one served on {@code /metrics}). */
  public static ChatMetrics create(MeterRegistry registry) {
    return new ChatMetrics(registry);
  }

  /** Counts nothing anyone sees (metrics off, or parts built by a test without a registry). */
  public static ChatMetrics none() {
    return new ChatMetrics(new CompositeMeterRegistry());
  }

  /** A bridge connection opened over {@code transport}. */
  public void connectionOpened(String transport) {
    String t = bounded(transport, open);
    open.get(t).incrementAndGet();
    connects.get(t).increment();
  }

  /** A bridge connection ended: {@code code} is the close code the server closed it with, 0 when the client closed it. */
  public void connectionClosed(String transport, int code) {
    String t = bounded(transport, open);
    String c = code == 0 ? "client" : Integer.toString(code);
    String key = t + ' ' + c;
    Counter counter = closes.get(key);
    if (counter == null) {
      counter = closes.computeIfAbsent(key, k -> keep(Counter.builder("chat.bridge.closes").tag("transport", t).tag("code", c)
          .description("Bridge connections closed, by transport and close code (client: the client closed it)")
          .register(registry)));
    }
    counter.increment();
    // after the close is counted: a scrape that sees the connection gone sees its close too
    open.get(t).decrementAndGet();
  }

  /** A connection joined a room. */
  public void joined() {
    joins.increment();
  }

  /** The number of rooms with at least one member, read at each scrape. */
  public void roomsWithMembers(IntSupplier count) {
    keep(Gauge.builder("chat.rooms.with.members", count, c -> c.getAsInt())
        .description("Rooms with at least one member connected").strongReference(true).register(registry));
  }

  /** A send was accepted at {@code acceptedAt} ({@link System#nanoTime}) and is now stored and acknowledged. */
  public void acknowledged(long acceptedAt) {
    accepted.increment();
    ack.record(System.nanoTime() - acceptedAt, TimeUnit.NANOSECONDS);
  }

  /** A send was refused with error code {@code code}. */
  public void refused(int code) {
    Counter counter = refused.get(code);
    if (counter == null) {
      counter = refused.computeIfAbsent(code, k -> keep(Counter.builder("chat.messages.refused").tag("code", Integer.toString(k))
          .description("Messages refused, by error code").register(registry)));
    }
    counter.increment();
  }

  /** One message written to {@code sockets} subscribed sockets. */
  public void delivered(int sockets) {
    if (sockets > 0) {
      deliveries.increment(sockets);
    }
  }

  /** A connection was closed because it did not read what it was sent. */
  public void slowConsumer() {
    slowConsumers.increment();
  }

  /** The messages journaled but not yet copied into the database, read at each scrape. */
  public void journalBacklog(IntSupplier count) {
    keep(Gauge.builder("chat.journal.backlog", count, c -> c.getAsInt()).baseUnit("messages")
        .description("Messages stored in the journal, not yet copied into the database").strongReference(true)
        .register(registry));
  }

  /** One copy into the database took {@code nanos}. */
  public void journalCopied(long nanos) {
    copy.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A sign-in of {@code kind} ({@link #SIGN_IN_KINDS}) answered with a token. */
  public void signedIn(String kind) {
    signIns.get(bounded(kind, signIns)).increment();
  }

  /** A sign-in of {@code kind} was refused with error code {@code code}. */
  public void signInFailed(String kind, int code) {
    String k = SIGN_IN_KINDS.contains(kind) ? kind : OTHER;
    String c = Integer.toString(code);
    String key = k + ' ' + c;
    Counter counter = signInFailures.get(key);
    if (counter == null) {
      counter = signInFailures.computeIfAbsent(key, x -> keep(Counter.builder("chat.auth.sign.in.failures").tag("kind", k)
          .tag("code", c).description("Sign-ins refused, by kind and error code").register(registry)));
    }
    counter.increment();
  }

  /** A token or a bridge handshake was refused ({@link #REFUSAL_REASONS}). */
  public void authRefused(String reason) {
    authRefusals.get(bounded(reason, authRefusals)).increment();
  }

  /** A request was refused by the rate limit or cap {@code limit} ({@link #LIMITS}). */
  public void rateLimited(String limit) {
    rateLimited.get(bounded(limit, rateLimited)).increment();
  }

  /**
   * Takes this service's meters out of the registry (the registry outlives a service that stops and
   * starts again in the same Vert.x; its gauges would keep reading the old one).
   */
  public void close() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  private <M extends Meter> M keep(M meter) {
    synchronized (meters) {
      meters.add(meter);
    }
    return meter;
  }

  private static String bounded(String value, Map<String, ?> known) {
    return value != null && known.containsKey(value) ? value : OTHER;
  }

  private static List<String> withOther(List<String> values) {
    List<String> out = new ArrayList<>(values);
    out.add(OTHER);
    return out;
  }

  private static Duration[] seconds(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return out;
  }
}
