package dev.vertxchat.bridge;

import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The room fan-out: complete, ordered and duplicate-free for every subscriber; bounded for slow ones. */
@ExtendWith(VertxExtension.class)
class FanOutTest {
  @TempDir
  Path dataDir;
  TestServer server;
  Http http;
  final List<BridgeClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(BridgeClient::close);
    server.stop();
  }

  private void start(Vertx vertx, JsonObject limits) {
    server = TestServer.start(vertx, dataDir, new JsonObject().put("limits",
        limits.copy().put("messagesPerSecond", 100_000).put("messageBurst", 100_000)));
    http = new Http(vertx, server.port);
  }

  /** A member of room general over the raw WebSocket or the SockJS WebSocket transport. */
  private BridgeClient member(Vertx vertx, String name, boolean sockJs) {
    JsonObject session = http.guest(name);
    String token = session.getString("token");
    BridgeClient c = sockJs ? BridgeClient.connectSockJs(vertx, server.port, token) : BridgeClient.connect(vertx, server.port, token);
    clients.add(c);
    c.join("general", session.getJsonObject("user").getString("id"));
    return c;
  }

  private static void sendNoWait(BridgeClient c, String text) {
    c.write(new JsonObject().put("type", "send").put("address", "chat.send").put("replyAddress", "r-" + text)
        .put("body", new JsonObject().put("room", "general").put("text", text)));
  }

  @Test
  void everySubscriberGetsEveryMessageOnceInOrderUnderConcurrentSenders(Vertx vertx) {
    start(vertx, new JsonObject());
    List<BridgeClient> senders = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      BridgeClient c = member(vertx, "member" + i, i % 2 == 1);
      if (i < 5) {
        senders.add(c);
      }
    }
    int perSender = 40;
    for (int n = 0; n < perSender; n++) {
      for (int s = 0; s < senders.size(); s++) {
        sendNoWait(senders.get(s), s + ":" + n);
      }
    }
    int total = perSender * senders.size();
    for (BridgeClient c : clients) {
      for (int s = 0; s < senders.size(); s++) {
        String last = s + ":" + (perSender - 1);
        c.awaitFrame(f -> last.equals(body(f).getString("text")));
      }
      List<JsonObject> chats = c.chats("general");
      assertEquals(total, chats.size(), "every message once");
      for (int i = 1; i < chats.size(); i++) {
        assertTrue(chats.get(i).getLong("id") > chats.get(i - 1).getLong("id"), "in id order");
      }
      for (int s = 0; s < senders.size(); s++) {
        String prefix = s + ":";
        List<String> own = chats.stream().map(e -> e.getString("text")).filter(t -> t.startsWith(prefix)).toList();
        for (int n = 0; n < perSender; n++) {
          assertEquals(prefix + n, own.get(n), "each sender's messages in the order sent");
        }
      }
    }
  }

  @Test
  void aClientThatStopsReadingIsDisconnectedWhileTheOthersGetEverything(Vertx vertx) {
    start(vertx, new JsonObject().put("maxQueuedBytes", 1_048_576));
    BridgeClient slow = member(vertx, "slow", false);
    BridgeClient fastRaw = member(vertx, "fast1", false);
    BridgeClient fastSockJs = member(vertx, "fast2", true);
    slow.pause();

    // about 9 MB per subscriber: more than the socket buffers and the server's 1 MiB allowance hold
    String token = http.guestToken("poster");
    String filler = "x".repeat(3000);
    int count = 3000;
    WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.port),
        new PoolOptions().setHttp1MaxSize(8));
    try {
      for (int start = 0; start < count; start += 100) {
        List<Future<?>> posts = new ArrayList<>();
        for (int n = start; n < start + 100; n++) {
          posts.add(web.post("/api/rooms/general/messages").putHeader("Authorization", "Bearer " + token)
              .sendJsonObject(new JsonObject().put("text", n + " " + filler))
              .expecting(HttpResponseExpectation.SC_CREATED));
        }
        TestServer.await(Future.all(posts));
      }
    } finally {
      web.close();
    }
    String last = (count - 1) + " " + filler;
    for (BridgeClient c : List.of(fastRaw, fastSockJs)) {
      c.awaitFrame(f -> last.equals(body(f).getString("text")));
      assertEquals(count, c.chats("general").size(), "the others miss nothing");
    }
    slow.resume();
    assertEquals(CloseCodes.SLOW_CONSUMER, slow.awaitClose());
    int got = slow.chats("general").size();
    assertTrue(got < count, "the slow client's backlog was cut off, it got " + got);
    // nothing the slow client missed is lost: it is all in the history
    var history = http.get("/api/rooms/general/messages?limit=1", token).bodyAsJsonObject();
    assertEquals(last, history.getJsonArray("messages").getJsonObject(0).getString("text"));
  }
}
