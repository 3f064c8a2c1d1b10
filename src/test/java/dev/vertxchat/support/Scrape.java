package dev.vertxchat.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One {@code /metrics} answer in Prometheus's text format, parsed: every series (name and labels) with
 * its value, and the metric families the {@code # TYPE} lines declare.
 */
public final class Scrape {
  private static final Pattern SERIES = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  /** A series: its metric name and labels (sorted by name). */
  public record Series(String name, Map<String, String> labels) {
    @Override
    public String toString() {
      return name + labels;
    }
  }

  public final String text;
  private final Map<Series, Double> values = new LinkedHashMap<>();
  private final Map<String, String> types = new TreeMap<>();

  public Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
        continue;
      }
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SERIES.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus text line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      values.put(new Series(m.group(1), labels), Double.parseDouble(m.group(3)));
    }
  }

  /** GET {@code /metrics} on 127.0.0.1:{@code port}; it must answer 200 in the text format. */
  public static Scrape of(Vertx vertx, int port) {
    WebClient client = WebClient.create(vertx);
    try {
      HttpResponse<Buffer> res = await(client.get(port, "127.0.0.1", "/metrics").send());
      assertEquals(200, res.statusCode(), res.bodyAsString());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", res.getHeader("Content-Type"));
      return new Scrape(res.bodyAsString());
    } finally {
      client.close();
    }
  }

  /**
   * Scrapes until {@code condition} holds (the server counts some things, such as a closed connection,
   * after the client has moved on), at most 10 s; returns the scrape that satisfied it.
   */
  public static Scrape awaitUntil(Vertx vertx, int port, Predicate<Scrape> condition, String what) {
    long deadline = System.currentTimeMillis() + 10_000;
    Scrape last;
    do {
      last = of(vertx, port);
      if (condition.test(last)) {
        return last;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("not within 10 s: " + what + "; last scrape:\n" + last.text);
  }

  /** The value of the series with exactly these labels (name, value, name, value ...); null when absent. */
  public Double value(String name, String... labels) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    return values.get(new Series(name, wanted));
  }

  /** As {@link #value}, 0 when the series is absent. */
  public double count(String name, String... labels) {
    Double v = value(name, labels);
    return v == null ? 0 : v;
  }

  /** The sum over every series of {@code name}, whatever their labels. */
  public double sum(String name) {
    return values.entrySet().stream().filter(e -> e.getKey().name().equals(name)).mapToDouble(Map.Entry::getValue).sum();
  }

  /** The sum over the series of {@code name} whose labels match. */
  public double sum(String name, Predicate<Map<String, String>> labels) {
    return values.entrySet().stream().filter(e -> e.getKey().name().equals(name) && labels.test(e.getKey().labels()))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  public Set<Series> series() {
    return values.keySet();
  }

  /** Every series name (a histogram's {@code _bucket}, {@code _count}, {@code _sum} each count). */
  public Set<String> names() {
    Set<String> out = new TreeSet<>();
    values.keySet().forEach(s -> out.add(s.name()));
    return out;
  }

  /** The metric families' types, from the {@code # TYPE} lines. */
  public Map<String, String> types() {
    return types;
  }
}
