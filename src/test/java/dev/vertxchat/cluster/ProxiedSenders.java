package dev.vertxchat.cluster;

import dev.vertxchat.support.Http;
import dev.vertxchat.support.Nginx;
import dev.vertxchat.support.NodeChatClient;
import dev.vertxchat.support.ServiceCluster;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official client ({@link NodeChatClient}) over several transports, each in a Node process of its own, signed
 * in as a guest of its own and sending into one room through nginx until {@link #end}; and the checks a cluster
 * test makes at the end: every client's view equals the room's history (read from every running node), nothing
 * acknowledged is missing, nothing is stored twice.
 */
final class ProxiedSenders implements AutoCloseable {
  record Client(String name, String userId, NodeChatClient process) {
  }

  private final ServiceCluster cluster;
  private final String room;
  private final String token;
  private final List<Client> clients = new ArrayList<>();

  private ProxiedSenders(ServiceCluster cluster, String room, String token) {
    this.cluster = cluster;
    this.room = room;
    this.token = token;
  }

  /**
   * Starts one client per entry of {@code transports} (NodeChatClient's names) through {@code nginx}, each sending
   * {@code ratePerSecond} into {@code room} until {@link #end}; signs them in through nginx.
   */
  static ProxiedSenders start(ServiceCluster cluster, Nginx nginx, Http viaNginx, String room, String token,
                              List<String> transports, int ratePerSecond) {
    ProxiedSenders senders = new ProxiedSenders(cluster, room, token);
    try {
      for (int i = 0; i < transports.size(); i++) {
        String name = "c" + i + "-" + transports.get(i);
        JsonObject session = viaNginx.guest(name);
        JsonObject options = NodeChatClient.options(nginx.base(), session.getString("token"), transports.get(i), room,
                1_000_000, ratePerSecond)
            .put("stopWhenDone", false).put("settleMs", 1000).put("timeoutMs", 240_000).put("name", name);
        senders.clients.add(new Client(name, session.getJsonObject("user").getString("id"), NodeChatClient.start(options)));
      }
      return senders;
    } catch (RuntimeException | Error e) {
      senders.close();
      throw e;
    }
  }

  List<Client> clients() {
    return clients;
  }

  /** Waits (30 s at most) until every client has a bridge connection on a node; returns the clients per node. */
  Map<Integer, List<Client>> awaitConnected() {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      Map<Integer, List<Client>> byNode = new LinkedHashMap<>();
      IntStream.range(0, cluster.size()).forEach(i -> byNode.put(i, new ArrayList<>()));
      boolean all = true;
      for (Client c : clients) {
        int node = cluster.nodeOf(c.userId());
        if (node < 0) {
          all = false;
        } else {
          byNode.get(node).add(c);
        }
      }
      if (all) {
        return byNode;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not every client connected within 30 s: " + byNode + "\n" + logs());
      }
      pause(100);
    }
  }

  /** Waits (60 s at most) until the room's history, read from node {@code node}, holds at least {@code count} messages. */
  void awaitHistory(int node, int count) {
    long deadline = System.currentTimeMillis() + 60_000;
    while (cluster.historyIds(node, room, token).size() < count) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("fewer than " + count + " messages after 60 s\n" + logs());
      }
      pause(100);
    }
  }

  /** Tells every client to send no more, waits for their reports (60 s at most each). */
  Map<Client, NodeChatClient.Result> end() {
    clients.forEach(c -> c.process().end());
    Map<Client, NodeChatClient.Result> results = new LinkedHashMap<>();
    for (Client c : clients) {
      results.put(c, c.process().await(60_000));
    }
    return results;
  }

  /**
   * The end state: the history is the same from every running node, strictly increasing, each message's text
   * stored once; every client's view equals it; every acknowledged id is in it; sends failed only with one of
   * {@code allowedFailures}. Returns the history's ids.
   */
  List<Long> verify(Map<Client, NodeChatClient.Result> results, Set<Integer> allowedFailures) {
    List<JsonObject> history = null;
    for (int node = 0; node < cluster.size(); node++) {
      if (!cluster.running(node)) {
        continue;
      }
      List<JsonObject> read = cluster.history(node, room, token);
      if (history == null) {
        history = read;
      } else {
        assertEquals(ids(history), ids(read), "the history read from node " + node);
      }
    }
    assertTrue(history != null && !history.isEmpty(), "a history");
    List<Long> ids = ids(history);
    for (int i = 1; i < ids.size(); i++) {
      assertTrue(ids.get(i) > ids.get(i - 1), "history ids strictly increase at " + i);
    }
    Set<String> texts = new HashSet<>();
    for (JsonObject m : history) {
      assertTrue(texts.add(m.getString("text")), "stored twice: " + m.getString("text"));
    }
    Set<Long> stored = Set.copyOf(ids);
    for (Map.Entry<Client, NodeChatClient.Result> e : results.entrySet()) {
      NodeChatClient.Result r = e.getValue();
      String who = e.getKey().name();
      assertFalse(r.timedOut(), who + " timed out\n" + e.getKey().process().log());
      assertFalse(r.acked().isEmpty(), who + " had sends acknowledged\n" + e.getKey().process().log());
      assertTrue(stored.containsAll(r.acked()), who + ": every acknowledged message is stored");
      assertTrue(r.failed().stream().allMatch(f -> allowedFailures.contains(f.getInteger("code"))),
          () -> who + ": failures " + r.failed().stream().distinct().toList() + "; " + summary(e.getKey(), r)
              + "\n" + e.getKey().process().log());
      assertEquals(ids, r.received(), who + "'s view equals the history\n" + e.getKey().process().log());
    }
    return ids;
  }

  /** One line per client: what it sent, what failed, its outages and reconnect times, its slowest ack. */
  static String summary(Map<Client, NodeChatClient.Result> results) {
    StringBuilder b = new StringBuilder();
    results.forEach((c, r) -> b.append(summary(c, r)).append('\n'));
    return b.toString();
  }

  private static String summary(Client c, NodeChatClient.Result r) {
    return c.name() + ": acked " + r.acked().size() + ", failed " + r.failed().size() + ", unknown " + r.unknown()
        + ", received " + r.received().size() + ", outages " + r.outages() + ", reconnectMs " + r.reconnectMs()
        + ", ackMaxMs " + r.ackMaxMs();
  }

  private static List<Long> ids(List<JsonObject> messages) {
    return messages.stream().map(m -> m.getLong("id")).toList();
  }

  private String logs() {
    StringBuilder b = new StringBuilder();
    clients.forEach(c -> b.append(c.process().log()).append('\n'));
    return b.toString();
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    clients.forEach(c -> c.process().close());
  }
}
