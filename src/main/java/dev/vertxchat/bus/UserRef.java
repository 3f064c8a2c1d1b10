package dev.vertxchat.bus;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Who did something, as the server knows it: {@code {"id","name"}}, plus {@code "guest": true} for a guest
 * (derived from the id, so stored messages show it too).
 */
public record UserRef(String id, String name) {
  /** Ids of guests start with this; accounts have {@code u-}, an outside provider's users {@code x-}. */
  public static final String GUEST_PREFIX = "g-";

  public boolean guest() {
    return id.startsWith(GUEST_PREFIX);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("name", name);
    return guest() ? json.put("guest", true) : json;
  }

  public static UserRef fromJson(JsonObject json) {
    return new UserRef(json.getString("id"), json.getString("name"));
  }

  /** Stamps this identity on a request; the bridge and the REST handlers are the only callers. */
  public DeliveryOptions stamp(DeliveryOptions options) {
    return options.addHeader(Addresses.HEADER_USER_ID, id).addHeader(Addresses.HEADER_USER_NAME, name);
  }

  /**
   * Stamps this identity and whether the user is a server operator ({@link Addresses#HEADER_OPERATOR}); the bridge
   * and the REST handlers are the only callers.
   */
  public DeliveryOptions stamp(DeliveryOptions options, boolean operator) {
    stamp(options);
    return operator ? options.addHeader(Addresses.HEADER_OPERATOR, "true") : options;
  }

  /** Whether the request's stamped identity is a server operator's. */
  public static boolean operatorFromHeaders(MultiMap headers) {
    return "true".equals(headers.get(Addresses.HEADER_OPERATOR));
  }

  /** The identity stamped on a request, or null when the sender stamped none. */
  public static UserRef fromHeaders(MultiMap headers) {
    String id = headers.get(Addresses.HEADER_USER_ID);
    String name = headers.get(Addresses.HEADER_USER_NAME);
    return id == null || name == null ? null : new UserRef(id, name);
  }
}
