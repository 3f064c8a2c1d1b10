package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An edit reaches every member of the room like a message, so it takes a token from the author's message bucket
 * ({@code limits.messagesPerSecond}, {@code limits.messageBurst}): beyond it 429 {@code 4001}, the text unchanged.
 */
class EditLimitTest {
  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("limits", new JsonObject().put("messagesPerSecond", 1).put("messageBurst", 3)));

  @Test
  void editsCountAgainstTheMessageRate() {
    Http http = service.http();
    String token = http.guestToken("editor");
    HttpResponse<Buffer> posted = http.send(HttpMethod.POST, "/api/rooms/general/messages", token, new JsonObject().put("text", "v0"));
    assertEquals(201, posted.statusCode(), posted.bodyAsString());
    String message = "/api/rooms/general/messages/" + posted.bodyAsJsonObject().getLong("id");

    int accepted = 0;
    HttpResponse<Buffer> res = null;
    for (int i = 1; i <= 10; i++) {
      res = http.send(HttpMethod.PATCH, message, token, new JsonObject().put("text", "v" + i));
      if (res.statusCode() != 200) {
        break;
      }
      accepted++;
    }
    assertEquals(429, res.statusCode(), res.bodyAsString());
    assertEquals(ErrorCodes.RATE_LIMITED, Http.errorCode(res));
    // the burst of 3 was one post and two edits (plus what refilled meanwhile: at most a few at 1 a second)
    assertEquals(true, accepted >= 2 && accepted < 10, "edits accepted before the limit: " + accepted);
    String text = http.get("/api/rooms/general/messages", token).bodyAsJsonObject().getJsonArray("messages")
        .getJsonObject(0).getString("text");
    assertEquals("v" + accepted, text, "the refused edit changed nothing");
  }
}
