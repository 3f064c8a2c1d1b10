package dev.vertxchat.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * One chat request service: the caller (as the bridge or REST stamped it) and the request body in, the reply out or
 * a failed {@link dev.vertxchat.bus.ChatException} with its code. {@link ChatVerticle} registers them.
 */
@FunctionalInterface
interface Service {
  Future<JsonObject> handle(Caller caller, JsonObject body);

  /** Where a group of services registers its addresses ({@code ChatVerticle#serve}). */
  @FunctionalInterface
  interface Registry {
    void serve(String address, Service service);
  }
}
