package dev.vertxchat.chat;

import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.ChatService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A room's messages reach every subscriber in id order, with no gap compared with the history, however
 * they are sent: several senders at once over the bridge (raw WebSocket and SockJS) and the REST API,
 * with two chat and two HTTP verticle instances, with and without a group-commit delay, and subscribers
 * on every transport. The order holds by construction (one send pipeline per service, publishing each
 * stored batch from one context before the next is written); this test hammers it.
 */
class RoomOrderTest {
  private static final int BRIDGE_SENDERS = 4;
  private static final int PER_SENDER = 150;
  private static final int REST_MESSAGES = 100;
  private static final int WINDOW = 50;

  @RegisterExtension
  final ChatService service = new ChatService();

  @ParameterizedTest(name = "commitDelayMs={0}")
  @ValueSource(ints = {0, 3})
  void everySubscriberSeesEveryMessageOnceInIdOrderWithNoGap(int commitDelayMs, Vertx vertx) {
    JsonObject overrides = new JsonObject()
        .put("deployments", new JsonArray()
            .add(new JsonObject().put("verticle", "dev.vertxchat.chat.ChatVerticle").put("instances", 2))
            .add(new JsonObject().put("verticle", "dev.vertxchat.http.HttpVerticle").put("instances", 2)))
        .put("limits", new JsonObject().put("messagesPerSecond", 100_000).put("messageBurst", 100_000)
            .put("globalMessagesPerSecond", 100_000))
        .put("store", new JsonObject().put("commitDelayMs", commitDelayMs).put("batchMaxSize", 16));
    service.start(overrides);
    Http http = service.http();
    WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()));
    try {
      List<BridgeClient> subscribers = new ArrayList<>();
      for (Transport transport : Transport.values()) {
        JsonObject session = http.guest("reader-" + transport.name().toLowerCase().replace('_', '-'));
        BridgeClient c = service.connect(session.getString("token"), transport);
        c.join("general", session.getJsonObject("user").getString("id"));
        subscribers.add(c);
      }
      List<BridgeClient> senders = new ArrayList<>();
      for (int s = 0; s < BRIDGE_SENDERS; s++) {
        JsonObject session = http.guest("writer-" + s);
        Transport transport = s % 2 == 0 ? Transport.RAW : Transport.SOCKJS_WEBSOCKET;
        BridgeClient c = service.connect(session.getString("token"), transport);
        c.join("general", session.getJsonObject("user").getString("id"));
        senders.add(c);
      }
      String restToken = http.guestToken("writer-rest");

      // everything at once: REST posts all in flight together, bridge frames interleaved over the senders in
      // windows of WINDOW unanswered requests each (the bridge answers more than 100 in flight with 4001)
      List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
      for (int i = 0; i < REST_MESSAGES; i++) {
        posts.add(web.post("/api/rooms/general/messages").putHeader("Authorization", "Bearer " + restToken)
            .sendJsonObject(new JsonObject().put("text", "r:" + i)));
      }
      for (int from = 0; from < PER_SENDER; from += WINDOW) {
        int to = Math.min(PER_SENDER, from + WINDOW);
        for (int i = from; i < to; i++) {
          for (int s = 0; s < BRIDGE_SENDERS; s++) {
            senders.get(s).write(new JsonObject().put("type", "send").put("address", "chat.send").put("replyAddress", "ack-" + i)
                .put("body", new JsonObject().put("room", "general").put("text", "b" + s + ":" + i)));
          }
        }
        for (BridgeClient sender : senders) {
          String last = "ack-" + (to - 1);
          JsonObject ack = sender.awaitFrame(f -> last.equals(f.getString("address")));
          assertEquals(null, ack.getValue("failureCode"), "accepted: " + ack);
        }
      }
      for (Future<HttpResponse<Buffer>> post : posts) {
        assertEquals(201, await(post).statusCode());
      }

      // every subscriber has received each sender's last message: everything is stored by now
      for (int k = 0; k < subscribers.size(); k++) {
        BridgeClient c = subscribers.get(k);
        for (int s = 0; s < BRIDGE_SENDERS; s++) {
          String last = "b" + s + ":" + (PER_SENDER - 1);
          c.awaitFrame(f -> last.equals(BridgeClient.body(f).getString("text")));
        }
        c.awaitFrame(f -> ("r:" + (REST_MESSAGES - 1)).equals(BridgeClient.body(f).getString("text")));
      }
      int total = BRIDGE_SENDERS * PER_SENDER + REST_MESSAGES;
      List<Long> history = historyIds(http, restToken);
      assertEquals(total, history.size(), "every message is in the history");
      for (int i = 1; i < history.size(); i++) {
        if (history.get(i) <= history.get(i - 1)) {
          fail("history out of order at " + i);
        }
      }
      for (int k = 0; k < subscribers.size(); k++) {
        BridgeClient c = subscribers.get(k);
        List<Long> seen = c.chats("general").stream().map(e -> e.getLong("id")).toList();
        assertEquals(history, seen, Transport.values()[k] + ": the messages delivered are the history's, once each, in its order");
      }
    } finally {
      web.close();
    }
  }

  /** Every id in the room's history, oldest first, paged with {@code after}. */
  private static List<Long> historyIds(Http http, String token) {
    List<Long> ids = new ArrayList<>();
    long after = 0;
    while (true) {
      JsonArray page = http.get("/api/rooms/general/messages?limit=200&after=" + after, token).bodyAsJsonObject()
          .getJsonArray("messages");
      if (page.isEmpty()) {
        return ids;
      }
      for (int i = 0; i < page.size(); i++) {
        ids.add(page.getJsonObject(i).getLong("id"));
      }
      after = ids.get(ids.size() - 1);
    }
  }
}
