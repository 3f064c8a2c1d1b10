package dev.vertxchat.bridge;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * SockJS's framing (protocol 0.3, what sockjs-client 1.x speaks): the server sends {@code o} when a
 * session opens, {@code h} as a heartbeat, {@code a[...]} with messages (JSON strings), and
 * {@code c[code,"reason"]} when it closes the session; a client sends a JSON array of strings (or one
 * JSON string). Shared by the WebSocket and the XHR transports.
 */
public final class SockJs {
  private SockJs() {}

  static final String OPEN = "o";
  static final String HEARTBEAT = "h";
  /** SockJS's answers are never cached. */
  static final String NO_CACHE = "no-store, no-cache, no-transform, must-revalidate, max-age=0";
  /** Path of the SockJS WebSocket transport below the bridge prefix: {@code <server>/<session>/websocket}. */
  public static final Pattern WEBSOCKET_PATH = Pattern.compile("[^/]+/[^/]+/websocket");

  /** A message as the JSON string a message frame carries. */
  static String quote(String text) {
    return Json.encode(text);
  }

  /** One message frame: {@code a["<message as JSON string>"]}. */
  static String message(String text) {
    return "a[" + quote(text) + "]";
  }

  /** One frame with several messages, each already {@link #quote quoted}, oldest first. */
  static String messages(Collection<String> quoted) {
    return "a[" + String.join(",", quoted) + "]";
  }

  /** The close frame: the code and reason the client reports in its close event. */
  public static String close(int code, String reason) {
    return "c[" + code + "," + Json.encode(reason) + "]";
  }

  /**
   * The messages of a client frame, in order; an empty frame has none.
   *
   * @throws DecodeException when the frame is neither a JSON array of strings nor a JSON string
   */
  static List<String> decode(String frame) {
    String trimmed = frame.strip();
    if (trimmed.isEmpty()) {
      return List.of();
    }
    Object value = Json.decodeValue(trimmed);
    if (value instanceof String s) {
      return List.of(s);
    }
    if (!(value instanceof JsonArray array)) {
      throw new DecodeException("a SockJS frame is a JSON array of strings");
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s)) {
        throw new DecodeException("a SockJS frame is a JSON array of strings");
      }
      out.add(s);
    }
    return out;
  }
}
