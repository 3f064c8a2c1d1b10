package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Scrape;
import dev.vertxchat.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The room fan-out: complete, ordered and duplicate-free for every subscriber; bounded for slow ones. */
class FanOutTest {
  @RegisterExtension
  final ChatService service = new ChatService();
  Http http;
  final List<BridgeClient> members = new ArrayList<>();

  private void start(JsonObject limits) {
    http = service.start(new JsonObject().put("limits",
        limits.copy().put("messagesPerSecond", 100_000).put("messageBurst", 100_000).put("globalMessagesPerSecond", 100_000))).http();
  }

  /** A member of room general over the raw WebSocket or the SockJS WebSocket transport. */
  private BridgeClient member(String name, boolean sockJs) {
    JsonObject session = http.guest(name);
    BridgeClient c = service.connect(session.getString("token"),
        sockJs ? BridgeClient.Transport.SOCKJS_WEBSOCKET : BridgeClient.Transport.RAW);
    members.add(c);
    c.join("general", session.getJsonObject("user").getString("id"));
    return c;
  }

  private static void sendNoWait(BridgeClient c, String text) {
    c.write(new JsonObject().put("type", "send").put("address", "chat.send").put("replyAddress", "r-" + text)
        .put("body", new JsonObject().put("room", "general").put("text", text)));
  }

  /** A client that negotiated permessage-deflate (browsers do) reads both the shared and its own frames. */
  @Test
  void aCompressingClientReadsSharedAndOwnFrames(Vertx vertx) {
    start(new JsonObject());
    JsonObject session = http.guest("deflater");
    BridgeClient c = service.closeAfter(BridgeClient.connectCompressed(vertx, service.port(), session.getString("token")));
    c.join("general", session.getJsonObject("user").getString("id"));
    BridgeClient other = member("plain", false);
    JsonObject reply = c.request("chat.send", new JsonObject().put("room", "general").put("text", "squeezed " + "z".repeat(500)));
    assertTrue(body(reply).containsKey("id"), reply.encode());
    other.request("chat.send", new JsonObject().put("room", "general").put("text", "from the other one"));
    c.awaitFrame(f -> "from the other one".equals(body(f).getString("text")));
    assertEquals(List.of("squeezed " + "z".repeat(500), "from the other one"),
        c.chats("general").stream().map(e -> e.getString("text")).toList());
    JsonObject presence = c.request("chat.presence", new JsonObject().put("room", "general"));
    assertEquals(2, body(presence).getJsonArray("users").size());
  }

  /**
   * Raw WebSocket members get the room's frames as prebuilt bytes; every length encoding of a frame
   * header (7-bit, 16-bit and 64-bit) and multi-byte text must reach the client intact.
   */
  @Test
  void messagesOfEveryFrameSizeArriveIntactOverBothTransports() {
    start(new JsonObject().put("maxTextLength", 40_000).put("maxFrameBytes", 400_000));
    BridgeClient raw = member("rawreader", false);
    BridgeClient sockJs = member("sockreader", true);
    BridgeClient senderClient = member("sizer", false);
    List<String> texts = List.of("a", "é€😀 ".repeat(20), "b".repeat(3_000), "€".repeat(30_000));
    for (String text : texts) {
      JsonObject reply = senderClient.request("chat.send", new JsonObject().put("room", "general").put("text", text));
      assertTrue(body(reply).containsKey("id"), reply.encode());
    }
    // the raw endpoint gets all four, the last one (90,000 bytes) as two fragments; the SockJS transport
    // sends one frame per message, more than the 64 KiB this test client accepts, so it is checked on
    // the first three (browsers accept larger frames)
    for (BridgeClient c : List.of(raw, sockJs)) {
      List<String> expected = c == raw ? texts : texts.subList(0, 3);
      String lastText = expected.get(expected.size() - 1);
      c.awaitFrame(f -> lastText.equals(body(f).getString("text")));
      List<String> got = c.chats("general").stream().map(e -> e.getString("text")).limit(expected.size()).toList();
      // compared by length and hash: a failure message with 30,000 characters helps nobody
      assertEquals(expected.stream().map(t -> t.strip().length() + "/" + t.strip().hashCode()).toList(),
          got.stream().map(t -> t == null ? "null" : t.length() + "/" + t.hashCode()).toList());
    }
  }

  @Test
  void everySubscriberGetsEveryMessageOnceInOrderUnderConcurrentSenders() {
    start(new JsonObject());
    List<BridgeClient> senders = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      BridgeClient c = member("member" + i, i % 2 == 1);
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
    for (BridgeClient c : members) {
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
    start(new JsonObject().put("maxQueuedBytes", 1_048_576));
    BridgeClient slow = member("slow", false);
    BridgeClient fastRaw = member("fast1", false);
    BridgeClient fastSockJs = member("fast2", true);
    slow.pause();

    // about 9 MB per subscriber: more than the socket buffers and the server's 1 MiB allowance hold
    String token = http.guestToken("poster");
    String filler = "x".repeat(3000);
    int count = 3000;
    WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()),
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
    for (BridgeClient c : List.of(fastRaw, fastSockJs)) {
      c.awaitFrames(count, f -> "chat".equals(BridgeClient.bodyType(f)) && "chat.room.general".equals(f.getString("address")));
      assertEquals(count, c.chats("general").size(), "the others miss nothing");
    }
    // the posts ran concurrently, so the message stored last (highest id) is the last one delivered
    List<JsonObject> delivered = fastRaw.chats("general");
    String last = delivered.get(delivered.size() - 1).getString("text");
    slow.resume();
    assertEquals(CloseCodes.SLOW_CONSUMER, slow.awaitClose());
    int got = slow.chats("general").size();
    assertTrue(got < count, "the slow client's backlog was cut off, it got " + got);
    // nothing the slow client missed is lost: it is all in the history
    var history = http.get("/api/rooms/general/messages?limit=1", token).bodyAsJsonObject();
    assertEquals(last, history.getJsonArray("messages").getJsonObject(0).getString("text"));
    // and the operator sees it: one slow consumer, closed with 4101, every message accepted
    Scrape metrics = Scrape.awaitUntil(vertx, service.adminPort(), m -> m.count("chat_slow_consumers_total") == 1,
        "the slow consumer counted");
    assertEquals(1, metrics.count("chat_bridge_closes_total", "transport", "websocket", "code", "4101"));
    assertEquals(count, metrics.count("chat_messages_accepted_total"));
  }
}
