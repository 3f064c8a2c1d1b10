package dev.vertxchat.bus;

import io.vertx.core.json.JsonObject;

/**
 * A room as clients see it: {@code {"id","name","topic","members","private","archived"}} ({@code members}: users
 * connected to it now). {@code kind}: {@link #PUBLIC}, {@link #PRIVATE} (visible to its members only) or {@link #DM}
 * (a direct conversation of two users, id {@code dm-...}); an archived room is read-only.
 */
public record Room(String id, String name, String topic, int members, String kind, boolean archived) {
  public static final String PUBLIC = "public";
  public static final String PRIVATE = "private";
  public static final String DM = "dm";

  /** A public room that is not archived. */
  public Room(String id, String name, String topic, int members) {
    this(id, name, topic, members, PUBLIC, false);
  }

  public Room withMembers(int count) {
    return new Room(id, name, topic, count, kind, archived);
  }

  /** Whether only its members may see it (a private room or a DM). */
  public boolean restricted() {
    return !PUBLIC.equals(kind);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("name", name).put("topic", topic).put("members", members)
        .put("private", restricted()).put("archived", archived);
    return DM.equals(kind) ? json.put("kind", DM) : json;
  }

  public static Room fromJson(JsonObject json) {
    String kind = json.getString("kind");
    if (kind == null) {
      kind = json.getBoolean("private", false) ? PRIVATE : PUBLIC;
    }
    return new Room(json.getString("id"), json.getString("name"), json.getString("topic", ""),
        json.getInteger("members", 0), kind, json.getBoolean("archived", false));
  }
}
