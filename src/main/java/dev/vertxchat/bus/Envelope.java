package dev.vertxchat.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * What {@code chat.room.<id>} carries: {@code {"id","room","type","user","text","ts"}} plus, for some types,
 * further fields kept in {@link #more} (see docs/PROTOCOL.md, "Envelopes").
 * Only {@code chat} envelopes have {@code id} and {@code text}; {@code id} is null otherwise, except in
 * a {@code deleted} tombstone and an {@code edit} or {@code reaction} (the message's id). A {@code notice} has
 * text and no id; one sent to everyone on {@code chat.user.<id>} has no {@code room}. A deleted message read
 * from history has no {@code user}. Absent fields are left out of the JSON.
 *
 * <p>{@code more}: the type's other fields ({@code replyTo}, {@code mentions}, {@code edited}, {@code replies},
 * {@code reactions} of a chat message; {@code emoji}, {@code count}, {@code on} of a reaction ...), or null. It is
 * never changed once the envelope exists.
 */
public record Envelope(Long id, String room, String type, UserRef user, String text, long ts, JsonObject more) {
  public static final String CHAT = "chat";
  public static final String JOIN = "join";
  public static final String LEFT = "left";
  public static final String TYPING = "typing";
  /** The room was deleted (by an operator or its owner); its members are removed from it. */
  public static final String ROOM_DELETED = "room.deleted";
  /** A room's name, topic or archived state changed: {@code more} {"name","topic","private","archived"}. */
  public static final String ROOM_UPDATED = "room.updated";
  /** A public room was created (on {@link Addresses#DIRECTORY}): {@code more} {"name","topic"}. */
  public static final String ROOM_CREATED = "room.created";
  /** A deleted message (a tombstone: its id, no text); {@code user} is who deleted it. */
  public static final String DELETED = "deleted";
  /** A message's new text: {@code id}, {@code text}, {@code more} {"edited"}. */
  public static final String EDIT = "edit";
  /** A reaction added or removed: {@code id}, {@code user}, {@code more} {"emoji","on","count"}. */
  public static final String REACTION = "reaction";
  /** A membership or moderation change: {@code user} the actor, {@code more} {"action","target", ...}. */
  public static final String MEMBER = "member";
  /** To the removed user's own connections only: they lose the room now; {@code more} {"reason"}. */
  public static final String REMOVED = "removed";
  /** A server notice from an operator. */
  public static final String NOTICE = "notice";
  /** On chat.user.<id>: the user was mentioned in a message; {@code id}, {@code room}, {@code user} the author. */
  public static final String MENTION = "mention";
  /** On chat.user.<id>: a new message in one of the user's direct conversations. */
  public static final String DM = "dm";
  /** On chat.user.<id>: the user was invited into a private room; {@code more} {"name","topic"}. */
  public static final String INVITED = "invited";
  /** On chat.user.<id>: the user's read marker of a room moved (on any device); {@code more} {"lastRead","unread","mentions"}. */
  public static final String READ = "read";

  /** The fields of the base envelope; everything else in a JSON envelope is {@link #more}. */
  private static final Set<String> BASE = Set.of("id", "room", "type", "user", "text", "ts");

  public Envelope(Long id, String room, String type, UserRef user, String text, long ts) {
    this(id, room, type, user, text, ts, null);
  }

  public static Envelope chat(long id, String room, UserRef user, String text, long ts) {
    return new Envelope(id, room, CHAT, user, text, ts, null);
  }

  public static Envelope event(String type, String room, UserRef user, long ts) {
    return new Envelope(null, room, type, user, null, ts, null);
  }

  /** This envelope with {@code more} replaced. */
  public Envelope withMore(JsonObject more) {
    return new Envelope(id, room, type, user, text, ts, more == null || more.isEmpty() ? null : more);
  }

  /** The id of the message this one replies to, or null. */
  public Long replyToId() {
    JsonObject reply = more == null ? null : more.getJsonObject("replyTo");
    return reply == null ? null : reply.getLong("id");
  }

  /** The ids of the users this message mentions (none: empty). */
  public List<String> mentions() {
    JsonArray ids = more == null ? null : more.getJsonArray("mentions");
    return ids == null ? List.of() : ids.stream().filter(String.class::isInstance).map(String.class::cast).toList();
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
    json.put("ts", ts);
    if (more != null) {
      more.forEach(e -> {
        if (!BASE.contains(e.getKey())) {
          json.put(e.getKey(), e.getValue());
        }
      });
    }
    return json;
  }

  public static Envelope fromJson(JsonObject json) {
    JsonObject more = null;
    for (String field : json.fieldNames()) {
      if (!BASE.contains(field)) {
        if (more == null) {
          more = new JsonObject();
        }
        more.put(field, json.getValue(field));
      }
    }
    return new Envelope(json.getLong("id"), json.getString("room"), json.getString("type"),
        json.getJsonObject("user") == null ? null : UserRef.fromJson(json.getJsonObject("user")),
        json.getString("text"), json.getLong("ts"), more);
  }
}
