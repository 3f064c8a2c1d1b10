package dev.vertxchat.chat;

import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.ConversationStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Records the users who use the service ({@link ConversationStore#seen}: id, name, look-alike key), so that a DM can
 * be opened by id or by name with anyone who did. Each user is written at most once per process and name (a bounded
 * memory of who was written: {@link #MAX_USERS}, cleared when full, which costs a rewrite, never memory).
 * Thread-safe; never fails its caller (a failed write is logged and tried again on the next request).
 */
final class Profiles {
  private static final Logger LOG = LoggerFactory.getLogger(Profiles.class);
  static final int MAX_USERS = 50_000;

  private final ConversationStore store;
  private final Function<String, String> nameKey;
  /** User id -> the name written for it, and that write (complete once it is stored, or failed and forgotten). */
  private final Map<String, Written> written = new ConcurrentHashMap<>();

  private record Written(String name, Future<Void> write) {}

  Profiles(ConversationStore store, Function<String, String> nameKey) {
    this.store = store;
    this.nameKey = nameKey;
  }

  /**
   * The caller made a request: written to the store unless this process wrote the same id and name before. The
   * future completes once the user is stored (at once when written before), so that a DM opened right after the
   * user's first request finds them; it never fails (a failed write is logged and tried again on the next request).
   */
  Future<Void> seen(UserRef user) {
    if (store == null) {
      return Future.succeededFuture();
    }
    Written known = written.get(user.id());
    if (known != null && user.name().equals(known.name())) {
      return Access.onCallersContext(known.write());
    }
    if (written.size() >= MAX_USERS) {
      written.clear();
    }
    Future<Void> write = store.seen(user, nameKey.apply(user.name()), System.currentTimeMillis());
    Written entry = new Written(user.name(), write.recover(err -> Future.succeededFuture()));
    written.put(user.id(), entry);
    write.onComplete(ar -> {
      if (ar.succeeded()) {
        // done: later requests go on at once, with no hop to the context that wrote it
        written.replace(user.id(), entry, new Written(user.name(), Future.succeededFuture()));
      } else {
        written.remove(user.id(), entry);
        LOG.atWarn().addKeyValue("user", user.id()).log("Recording user {} failed: {}", user.id(), ar.cause().toString());
      }
    });
    return entry.write();
  }
}
