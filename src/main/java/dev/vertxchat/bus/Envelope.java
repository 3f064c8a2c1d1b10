package dev.vertxchat.bus;

import io.vertx.core.json.JsonObject;

/**
 * What {@code chat.room.<id>} carries: {@code {"id","room","type","user","text","ts"}}.
 * Only {@code chat} envelopes have {@code id} and {@code text}; {@code id} is null otherwise.
 */
public record Envelope(Long id, String room, String type, UserRef user, String text, long ts) {
  public static final String CHAT = "chat";
  public static final String JOIN = "join";
  public static final String LEFT = "left";
  public static final String TYPING = "typing";

  public static Envelope chat(long id, String room, UserRef user, String text, long ts) {
    return new Envelope(id, room, CHAT, user, text, ts);
  }

  public static Envelope event(String type, String room, UserRef user, long ts) {
    return new Envelope(null, room, type, user, null, ts);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (id != null) {
      json.put("id", id);
    }
    json.put("room", room).put("type", type).put("user", user.toJson());
    if (text != null) {
      json.put("text", text);
    }
    return json.put("ts", ts);
  }

  public static Envelope fromJson(JsonObject json) {
    return new Envelope(json.getLong("id"), json.getString("room"), json.getString("type"),
        UserRef.fromJson(json.getJsonObject("user")), json.getString("text"), json.getLong("ts"));
  }
}
