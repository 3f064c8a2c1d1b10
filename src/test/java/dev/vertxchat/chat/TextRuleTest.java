package dev.vertxchat.chat;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.Http.errorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Message text must be well-formed Unicode with something to see: a lone UTF-16 surrogate (stored as
 * sent, it turned into {@code ?} after a journal replay) and text made only of invisible characters are
 * refused with 1004 over REST and over the bridge, and nothing of them is stored.
 *
 * <p>The refused texts travel as JSON {@code \\u} escapes written by hand: a Java string with a lone
 * surrogate cannot be encoded to UTF-8 at all (the client would send {@code ?} instead).
 */
class TextRuleTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  /** JSON string literals (without quotes), as a client would send them. */
  static final List<String> REFUSED = List.of(
      "\\ud800", "a\\udc00b", "hello \\ud83d", "\\ude00 x",             // unpaired surrogates
      "\\u200b", "\\u00a0", " \\u200b\\u00a0\\u2060\\ufeff ",          // zero-width space, NBSP, word joiner, BOM
      "\\u3164", "\\u115f\\u1160", "\\uffa0", "\\u2800",               // Hangul fillers, blank braille
      "\\u202e\\u200d\\u00ad", "\\u0007\\u001b", "\\u3000\\u2007\\u202f", // bidi/joiner/soft hyphen, controls, spaces
      "\\ufe0f", "\\udb40\\udc20\\udb40\\udc7f");                      // variation selector, tag characters
  /** Accepted, with what is stored (trimmed). */
  static final List<String[]> ACCEPTED = List.of(
      new String[] {"ok \\ud83d\\udc4d", "ok \uD83D\uDC4D"},
      new String[] {"a\\u200bb", "a\u200Bb"},
      new String[] {"\\u00a0x\\u00a0", "\u00A0x\u00A0"},
      new String[] {"\\u3164\\uac00", "\u3164\uAC00"});

  private List<String> storedTexts(String token) {
    JsonArray messages = service.http().get("/api/rooms/general/messages?limit=200", token).bodyAsJsonObject().getJsonArray("messages");
    return messages.stream().map(m -> ((JsonObject) m).getString("text")).toList();
  }

  @Test
  void refusedOverRestAndNothingIsStored(Http http) {
    String token = http.guestToken("rest");
    for (String text : REFUSED) {
      HttpResponse<Buffer> res = http.post("/api/rooms/general/messages", token, "{\"text\":\"" + text + "\"}");
      assertEquals(400, res.statusCode(), text + ": " + res.bodyAsString());
      assertEquals(ErrorCodes.INVALID_TEXT, errorCode(res), text);
    }
    assertEquals(List.of(), storedTexts(token));
    for (String[] ok : ACCEPTED) {
      HttpResponse<Buffer> res = http.post("/api/rooms/general/messages", token, "{\"text\":\"" + ok[0] + "\"}");
      assertEquals(201, res.statusCode(), ok[0] + ": " + res.bodyAsString());
    }
    assertEquals(ACCEPTED.stream().map(ok -> ok[1]).toList(), storedTexts(token));
  }

  @Test
  void refusedOverTheBridgeAndNothingIsStored(Http http) {
    JsonObject session = http.guest("bridge");
    BridgeClient client = service.connect(session.getString("token"));
    client.join("general", session.getJsonObject("user").getString("id"));
    for (String text : REFUSED) {
      JsonObject reply = send(client, text);
      assertEquals("err", reply.getString("type"), text + ": " + reply.encode());
      assertEquals(ErrorCodes.INVALID_TEXT, reply.getInteger("failureCode"), text);
    }
    JsonObject history = client.request("chat.history", new JsonObject().put("room", "general"));
    assertEquals(0, body(history).getJsonArray("messages").size(), history.encode());
    JsonObject ok = send(client, "still \\ud83d\\ude00 fine");
    assertEquals("message", ok.getString("type"), ok.encode());
    assertEquals(List.of("still \uD83D\uDE00 fine"), storedTexts(session.getString("token")));
  }

  @Test
  void roomNamesAndTopicsMustBeWellFormedAndNamesVisible(Http http) {
    String token = http.guestToken("rooms");
    for (String body : List.of("{\"id\":\"r1\",\"name\":\"x\\ud800\"}", "{\"id\":\"r2\",\"topic\":\"\\udfff\"}",
        "{\"id\":\"r3\",\"name\":\"\\u200b\\u3164\"}")) {
      HttpResponse<Buffer> res = http.post("/api/rooms", token, body);
      assertEquals(400, res.statusCode(), body + ": " + res.bodyAsString());
      assertEquals(ErrorCodes.INVALID_ROOM, errorCode(res), body);
    }
    assertEquals(404, http.get("/api/rooms/r1/messages", token).statusCode());
    HttpResponse<Buffer> ok = http.post("/api/rooms", token, "{\"id\":\"r4\",\"name\":\"caf\\u00e9 \\ud83d\\ude00\"}");
    assertEquals(201, ok.statusCode(), ok.bodyAsString());
  }

  /** A chat.send frame written as raw JSON text, so escapes reach the server as written. */
  private static JsonObject send(BridgeClient client, String jsonText) {
    String reply = "r-" + UUID.randomUUID();
    client.write("{\"type\":\"send\",\"address\":\"chat.send\",\"replyAddress\":\"" + reply
        + "\",\"body\":{\"room\":\"general\",\"text\":\"" + jsonText + "\"}}");
    return client.awaitFrame(f -> reply.equals(f.getString("address")));
  }
}
