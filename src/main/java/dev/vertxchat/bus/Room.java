package dev.vertxchat.bus;

import io.vertx.core.json.JsonObject;

/** A room as clients see it: {@code {"id","name","topic","members"}}. */
public record Room(String id, String name, String topic, int members) {

  public Room withMembers(int count) {
    return new Room(id, name, topic, count);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("topic", topic).put("members", members);
  }

  public static Room fromJson(JsonObject json) {
    return new Room(json.getString("id"), json.getString("name"), json.getString("topic", ""),
        json.getInteger("members", 0));
  }
}
