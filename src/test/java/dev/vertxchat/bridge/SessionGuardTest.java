package dev.vertxchat.bridge;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.http.AccessLog;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * SockJS sessions on the HTTP transports: the server remembers an owner only for a session SockJS
 * really opened, and no other spelling of a session's path reaches it with another user's token.
 */
class SessionGuardTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  WebClient web;

  @BeforeEach
  void startClient() {
    web = WebClient.create(service.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.port()).setKeepAlive(false));
  }

  @AfterEach
  void closeClient() {
    web.close();
  }

  private HandshakeGuard.Owners owners() {
    return service.vertx().sharedData().<String, HandshakeGuard.Owners>getLocalMap("vertxchat.sockjs").get("owners");
  }

  private HttpResponse<Buffer> post(String uri, String body) {
    var request = web.request(HttpMethod.POST, uri);
    return await(body == null ? request.send() : request.putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer(body)));
  }

  private static int code(HttpResponse<Buffer> res) {
    return res.bodyAsJsonObject().getJsonObject("error").getInteger("code");
  }

  @Test
  void requestsThatOpenNoSessionLeaveNothingBehind(Http http) {
    String token = http.guestToken("prober");
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      // a websocket transport URL without an Upgrade header: SockJS answers 400 and opens nothing
      sent.add(web.get("/eventbus/0/" + UUID.randomUUID().toString().replace("-", "") + "/websocket?token=" + token).send());
      if (sent.size() == 100) {
        sent.forEach(f -> assertEquals(400, await(f).statusCode()));
        sent.clear();
      }
    }
    assertEquals(0, owners().bySession.size(), "owners remembered for sessions that were never opened");

    HttpResponse<Buffer> longId = await(web.get("/eventbus/0/" + "a".repeat(65) + "/websocket?token=" + token).send());
    assertEquals(400, longId.statusCode());
    assertEquals(ErrorCodes.BAD_REQUEST, code(longId));
    HttpResponse<Buffer> unknown = post("/eventbus/0/neveropened/xhr_send?token=" + token, "[\"{}\"]");
    assertEquals(404, unknown.statusCode());
    assertEquals(0, owners().bySession.size());

    assertEquals("o\n", post("/eventbus/0/realsession/xhr?token=" + token, null).bodyAsString());
    // SockJS writes "o" just before it hands the session to the bridge, which binds it
    long deadline = System.currentTimeMillis() + 5000;
    while (owners().bySession.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, owners().bySession.size(), "a session SockJS opened has its owner");
  }

  @Test
  void noOtherSpellingOfAVictimsSessionReachesIt(Http http) {
    JsonObject victim = http.guest("victim");
    String v = victim.getString("token");
    String a = http.guestToken("attacker");
    String sid = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    assertEquals("o\n", post("/eventbus/000/" + sid + "/xhr?token=" + v, null).bodyAsString());
    String register = new JsonArray().add(new JsonObject().put("type", "register").put("address", "chat.room.general").encode()).encode();
    assertEquals(204, post("/eventbus/000/" + sid + "/xhr_send?token=" + v, register).statusCode());
    // the join is effective once the victim's poll shows it
    String polled = post("/eventbus/000/" + sid + "/xhr?token=" + v, null).bodyAsString();
    assertTrue(polled.startsWith("a["), polled);

    String forged = new JsonArray().add(new JsonObject().put("type", "send").put("address", "chat.send")
        .put("body", new JsonObject().put("room", "general").put("text", "sent as the victim")).encode()).encode();
    String encodedSid = "%" + Integer.toHexString(sid.charAt(0)).toUpperCase() + sid.substring(1);
    List<String> sends = List.of(
        "/eventbus/000/" + sid + "/xhr_send",
        "/eventbus//000/" + sid + "/xhr_send",
        "/eventbus/000//" + sid + "/xhr_send",
        "/eventbus/000/" + sid + "/xhr%5Fsend",
        "/eventbus/000/" + encodedSid + "/xhr_send",
        "/eventbus/000/./" + sid + "/xhr_send",
        "/eventbus/x/../000/" + sid + "/xhr_send");
    for (String path : sends) {
      HttpResponse<Buffer> res = post(path + "?token=" + a, forged);
      assertTrue(res.statusCode() == 400 || res.statusCode() == 403, path + " answered " + res.statusCode() + " " + res.bodyAsString());
    }
    for (String path : List.of("/eventbus//000/" + sid + "/xhr", "/eventbus/000/" + sid + "/%78hr", "/eventbus/000/" + sid + "/xhr")) {
      HttpResponse<Buffer> res = post(path + "?token=" + a, null);
      assertTrue(res.statusCode() == 400 || res.statusCode() == 403, path + " answered " + res.statusCode() + " " + res.bodyAsString());
    }

    JsonObject history = http.get("/api/rooms/general/messages", v).bodyAsJsonObject();
    assertEquals(0, history.getJsonArray("messages").size(), "stored as the victim: " + history.encode());
    // the victim's own session still works
    assertEquals(204, post("/eventbus/000/" + sid + "/xhr_send?token=" + v, forged).statusCode());
  }

  @Test
  void sessionIdsAreRedactedInTheAccessLog() {
    assertEquals("/eventbus/123/REDACTED/xhr_send?token=REDACTED", AccessLog.redact("/eventbus/123/abcdefgh/xhr_send?token=secret"));
    assertEquals("/eventbus//000/REDACTED/xhr", AccessLog.redact("/eventbus//000/abcdefgh/xhr"));
    assertEquals("/eventbus/info?token=REDACTED", AccessLog.redact("/eventbus/info?token=secret"));
    assertEquals("/eventbus/websocket", AccessLog.redact("/eventbus/websocket"));
  }
}
