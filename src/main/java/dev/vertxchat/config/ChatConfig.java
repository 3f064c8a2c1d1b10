package dev.vertxchat.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.vertxchat.config.ConfigKeys.*;

/**
 * A typed, read-only view of the effective configuration (defaults, then the config file, then
 * {@code CHAT_*} environment variables, then {@code chat.*} system properties). Every verticle gets
 * the same effective JSON and reads its settings through this class.
 */
public final class ChatConfig {
  /** Dotted key paths split once: settings are read on hot paths (every bridge frame, every send). */
  private static final Map<String, String[]> PATHS = new ConcurrentHashMap<>();
  private final JsonObject json;

  public ChatConfig(JsonObject json) {
    this.json = json;
  }

  public JsonObject json() {
    return json;
  }

  /** The value at a dotted key path, or null. */
  public Object value(String path) {
    Object current = json;
    for (String part : PATHS.computeIfAbsent(path, p -> p.split("\\."))) {
      if (!(current instanceof JsonObject obj)) {
        return null;
      }
      current = obj.getValue(part);
    }
    return current;
  }

  public String string(String path) {
    Object v = value(path);
    return v == null ? "" : v.toString();
  }

  public int integer(String path) {
    return ((Number) value(path)).intValue();
  }

  public long longValue(String path) {
    return ((Number) value(path)).longValue();
  }

  public boolean bool(String path) {
    return Boolean.TRUE.equals(value(path));
  }

  public JsonArray array(String path) {
    Object v = value(path);
    return v instanceof JsonArray a ? a : new JsonArray();
  }

  public List<String> strings(String path) {
    List<String> out = new ArrayList<>();
    array(path).forEach(v -> out.add(String.valueOf(v)));
    return out;
  }

  public String host() { return string(HTTP_HOST); }
  public int port() { return integer(HTTP_PORT); }
  public List<String> allowedOrigins() { return strings(HTTP_ALLOWED_ORIGINS); }
  /** The origin browsers reach the service at, e.g. behind a proxy; empty: the one the Host header names. */
  public String publicOrigin() { return string(HTTP_PUBLIC_ORIGIN); }
  public boolean accessLog() { return bool(HTTP_ACCESS_LOG); }
  public boolean webSocketFastPath() { return bool(HTTP_WEBSOCKET_FAST_PATH); }
  public String webroot() { return string(HTTP_WEBROOT); }
  public String dataDir() { return string(DATA_DIR); }
  public long headerTimeoutMs() { return longValue(HTTP_HEADER_TIMEOUT_MS); }
  public long bodyTimeoutMs() { return longValue(HTTP_BODY_TIMEOUT_MS); }
  public long maxPendingBodyBytes() { return longValue(HTTP_MAX_PENDING_BODY_BYTES); }
  public long idleTimeoutMs() { return longValue(HTTP_IDLE_TIMEOUT_MS); }
  public int maxConnections() { return integer(HTTP_MAX_CONNECTIONS); }
  public int maxConnectionsPerAddress() { return integer(HTTP_MAX_CONNECTIONS_PER_ADDRESS); }
  public List<String> trustedProxies() { return strings(HTTP_TRUSTED_PROXIES); }

  public boolean guests() { return bool(AUTH_GUESTS); }
  public int tokenTtlSeconds() { return integer(AUTH_TOKEN_TTL); }
  public int hashThreads() { return integer(AUTH_HASH_THREADS); }
  public int hashQueue() { return integer(AUTH_HASH_QUEUE); }
  public String jwtSecret() { return string(JWT_SECRET); }
  public String issuer() { return string(JWT_ISSUER); }
  public String audience() { return string(JWT_AUDIENCE); }
  public String publicKeyFile() { return string(JWT_PUBLIC_KEY_FILE); }
  public String publicKeyAlgorithm() { return string(JWT_PUBLIC_KEY_ALGORITHM); }
  public String publicKeyIssuer() {
    String iss = string(JWT_PUBLIC_KEY_ISSUER);
    return iss.isEmpty() ? issuer() : iss;
  }

  public int maxTextLength() { return integer(MAX_TEXT_LENGTH); }
  public double messagesPerSecond() { return ((Number) value(MESSAGES_PER_SECOND)).doubleValue(); }
  public int messageBurst() { return integer(MESSAGE_BURST); }
  public double typingPerSecond() { return ((Number) value(TYPING_PER_SECOND)).doubleValue(); }
  public int maxFrameBytes() { return integer(MAX_FRAME_BYTES); }
  public int maxQueuedBytes() { return integer(MAX_QUEUED_BYTES); }
  public int maxRoomsPerConnection() { return integer(MAX_ROOMS_PER_CONNECTION); }
  public long pingTimeoutMs() { return longValue(PING_TIMEOUT_MS); }
  public int historyMaxPage() { return integer(HISTORY_MAX_PAGE); }
  public int historyDefaultPage() { return integer(HISTORY_DEFAULT_PAGE); }
  public long requestTimeoutMs() { return longValue(REQUEST_TIMEOUT_MS); }
  public int controlFramesPerSecond() { return integer(CONTROL_FRAMES_PER_SECOND); }
  public int signInsPerMinute() { return integer(SIGN_INS_PER_MINUTE); }
  public int guestSignInsPerMinute() { return integer(GUEST_SIGN_INS_PER_MINUTE); }
  public int failedLoginsPerName() { return integer(FAILED_LOGINS_PER_NAME); }
  public int failedLoginsWindowSeconds() { return integer(FAILED_LOGINS_WINDOW_SECONDS); }
  public int roomsPerUser() { return integer(ROOMS_PER_USER); }
  public int maxRooms() { return integer(MAX_ROOMS); }
  public int roomsPageMax() { return integer(ROOMS_PAGE_MAX); }
  public double globalMessagesPerSecond() { return ((Number) value(GLOBAL_MESSAGES_PER_SECOND)).doubleValue(); }

  public int storePoolSize() { return integer(STORE_POOL_SIZE); }
  public int storeBatchMax() { return integer(STORE_BATCH_MAX); }
  public long storeCommitDelayMs() { return longValue(STORE_COMMIT_DELAY_MS); }
  public boolean storeFsync() { return bool(STORE_FSYNC); }
  public long storeIndexIntervalMs() { return longValue(STORE_INDEX_INTERVAL_MS); }
  public int storeIndexBatchMax() { return integer(STORE_INDEX_BATCH_MAX); }
  public int storeMaxUnindexed() { return integer(STORE_MAX_UNINDEXED); }
  public long storeMinFreeDiskBytes() { return longValue(STORE_MIN_FREE_DISK_BYTES); }
}
