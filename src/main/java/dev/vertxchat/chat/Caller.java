package dev.vertxchat.chat;

import dev.vertxchat.bus.UserRef;
import io.vertx.core.MultiMap;

/**
 * Who makes a chat request, as the bridge or the REST handlers stamped it: the user, and whether the user is a
 * server operator (who may moderate every room).
 */
public record Caller(UserRef user, boolean operator) {

  /** The caller stamped on a request, or null when the sender stamped no identity. */
  public static Caller fromHeaders(MultiMap headers) {
    UserRef user = UserRef.fromHeaders(headers);
    return user == null ? null : new Caller(user, UserRef.operatorFromHeaders(headers));
  }

  public String id() {
    return user.id();
  }
}
