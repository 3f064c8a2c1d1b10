package dev.vertxchat.bridge;

import dev.vertxchat.bus.ChatException;
import io.vertx.core.json.JsonObject;

/**
 * The frames the server writes, in the SockJS event-bus bridge protocol that {@code vertx-eventbus.js}
 * speaks, as text (the raw WebSocket endpoint sends text frames for text). Errors carry the stock bridge's {@code body} word plus our numeric {@code failureCode}.
 */
public final class BridgeFrames {
  private BridgeFrames() {}

  // the stock bridge's error words (the "body" of an err frame)
  public static final String ACCESS_DENIED = "access_denied";
  public static final String ADDRESS_REQUIRED = "address_required";
  public static final String UNKNOWN_TYPE = "unknown_type";
  public static final String INVALID_JSON = "invalid_json";
  public static final String REJECTED = "rejected";
  public static final String FRAME_TOO_LARGE = "frame_too_large";

  /**
   * A fan-out message whose body is already-encoded JSON text (encoded once for all subscribers).
   * The address is a server-validated fan-out address, so it needs no escaping.
   */
  public static String message(String address, String bodyJson) {
    return "{\"type\":\"message\",\"address\":\"" + address + "\",\"body\":" + bodyJson + "}";
  }

  /** A successful reply to a client request. */
  public static String reply(String replyAddress, Object body) {
    return new JsonObject().put("type", "message").put("address", replyAddress).put("send", true)
        .put("body", body).encode();
  }

  /** A failed reply: the client's reply handler receives {failureCode, failureType, message}. */
  public static String failure(String replyAddress, ChatException e) {
    return new JsonObject().put("type", "err").put("address", replyAddress)
        .put("failureCode", e.code()).put("failureType", "RECIPIENT_FAILURE").put("message", e.getMessage())
        .encode();
  }

  /**
   * A refused frame without a reply address. With {@code address} set, a handler the client registered
   * for that address receives the failure; otherwise it reaches the client's {@code onerror}.
   */
  public static String err(String address, String word, ChatException e) {
    JsonObject json = new JsonObject().put("type", "err");
    if (address != null) {
      json.put("address", address);
    }
    return json.put("body", word).put("failureCode", e.code()).put("failureType", word)
        .put("message", e.getMessage()).encode();
  }
}
