package dev.vertxchat.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Users banned by an operator; read once at start into the memory of {@code auth.Bans}. */
public interface BanStore {
  /** A ban: who, why (may be null), by which operator, since when (epoch milliseconds). */
  record Ban(String user, String reason, String by, long since) {
    /** {@code {"user","reason","by","since"}}, reason null when none was given. */
    public JsonObject toJson() {
      return new JsonObject().put("user", user).put("reason", reason).put("by", by).put("since", since);
    }
  }

  /** Every ban, oldest first. */
  Future<List<Ban>> all();

  /** Stores the ban, replacing one of the same user. */
  Future<Void> put(Ban ban);

  /** @return false when the user was not banned */
  Future<Boolean> remove(String user);
}
