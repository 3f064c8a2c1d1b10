package dev.vertxchat.bus;

import io.vertx.core.json.JsonObject;

/**
 * What {@code chat.room.<id>} carries: {@code {"id","room","type","user","text","ts"}}.
 * Only {@code chat} envelopes have {@code id} and {@code text}; {@code id} is null otherwise, except in
 * a {@code deleted} tombstone (the deleted message's id, no text). A {@code notice} has text and no id;
 * one sent to everyone on {@code chat.user.<id>} has no {@code room}. A deleted message read from
 * history has no {@code user}. Absent fields are left out of the JSON.
 */
public record Envelope(Long id, String room, String type, UserRef user, String text, long ts) {
  public static final String CHAT = "chat";
  public static final String JOIN = "join";
  public static final String LEFT = "left";
  public static final String TYPING = "typing";
  /** The room was deleted by an operator; its members are removed from it. */
  public static final String ROOM_DELETED = "room.deleted";
  /** A message deleted by an operator (a tombstone: its id, no text). */
  public static final String DELETED = "deleted";
  /** A server notice from an operator. */
  public static final String NOTICE = "notice";

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
    if (room != null) {
      json.put("room", room);
    }
    json.put("type", type);
    if (user != null) {
      json.put("user", user.toJson());
    }
    if (text != null) {
      json.put("text", text);
    }
    return json.put("ts", ts);
  }

  public static Envelope fromJson(JsonObject json) {
    return new Envelope(json.getLong("id"), json.getString("room"), json.getString("type"),
        json.getJsonObject("user") == null ? null : UserRef.fromJson(json.getJsonObject("user")),
        json.getString("text"), json.getLong("ts"));
  }
}
