package dev.vertxchat.config;

import dev.vertxchat.bus.Addresses;
import io.netty.util.NetUtil;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static dev.vertxchat.config.ConfigKeys.*;

/**
 * Every check of a configuration value, in one place: each value has the JSON type its default has, and
 * lies in its range. The first problem found throws a {@link ConfigException} naming the key. Runs when a
 * {@link ChatConfig} is built, so there is no unchecked one. Checks that need the file system (the data
 * directory, the public key file) are made where those are used ({@code store.DataFiles},
 * {@code auth.TokenService}).
 */
public final class ConfigValidator {
  private static final List<String> LOG_FORMATS = List.of("text", "json");
  private static final List<String> STORE_TYPES = List.of("h2", "postgres");
  private static final Set<String> PUBLIC_KEY_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512");

  private ConfigValidator() {}

  /** @param json the effective configuration: every key of the defaults, nothing else needed */
  public static void validate(JsonObject json) {
    checkTypes(json, ConfigDefaults.json(), "");

    range(json, HTTP_PORT, 0, 65535);
    nonEmpty(json, HTTP_HOST);
    for (Object origin : (JsonArray) ChatConfig.at(json, HTTP_ALLOWED_ORIGINS)) {
      if (!(origin instanceof String s) || !isOrigin(s)) {
        throw new ConfigException(HTTP_ALLOWED_ORIGINS, "'" + origin + "' is not an origin like https://chat.example.com[:port]");
      }
    }
    String publicOrigin = (String) ChatConfig.at(json, HTTP_PUBLIC_ORIGIN);
    if (!publicOrigin.isEmpty() && !isOrigin(publicOrigin)) {
      throw new ConfigException(HTTP_PUBLIC_ORIGIN, "'" + publicOrigin
          + "' is not an origin like https://chat.example.com[:port] (or empty to use the Host header)");
    }
    nonEmpty(json, HTTP_WEBROOT);
    range(json, HTTP_HEADER_TIMEOUT_MS, 1000, 600_000);
    range(json, HTTP_BODY_TIMEOUT_MS, 1000, 600_000);
    range(json, HTTP_MAX_PENDING_BODY_BYTES, 65_536, 1L << 40);
    // SockJS's polling and streaming transports stay silent for up to its 25 s heartbeat
    range(json, HTTP_IDLE_TIMEOUT_MS, 30_000, 3_600_000);
    range(json, HTTP_MAX_CONNECTIONS, 1, 10_000_000);
    range(json, HTTP_MAX_CONNECTIONS_PER_ADDRESS, 1, 10_000_000);
    for (Object proxy : (JsonArray) ChatConfig.at(json, HTTP_TRUSTED_PROXIES)) {
      String p = String.valueOf(proxy);
      if (!(proxy instanceof String) || !NetUtil.isValidIpV4Address(p) && !NetUtil.isValidIpV6Address(p)) {
        throw new ConfigException(HTTP_TRUSTED_PROXIES, "'" + p + "' is not an IP address");
      }
    }
    nonEmpty(json, DATA_DIR);

    range(json, AUTH_TOKEN_TTL, 60, 30L * 24 * 3600);
    range(json, AUTH_HASH_THREADS, 1, 64);
    range(json, AUTH_HASH_QUEUE, 1, 100_000);
    String secret = (String) ChatConfig.at(json, JWT_SECRET);
    if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException(JWT_SECRET, "must be at least 32 bytes (or empty to let the service generate one)");
    }
    nonEmpty(json, JWT_ISSUER);
    nonEmpty(json, JWT_AUDIENCE);
    String publicKeyFile = (String) ChatConfig.at(json, JWT_PUBLIC_KEY_FILE);
    if (!publicKeyFile.isEmpty() && !PUBLIC_KEY_ALGORITHMS.contains((String) ChatConfig.at(json, JWT_PUBLIC_KEY_ALGORITHM))) {
      throw new ConfigException(JWT_PUBLIC_KEY_ALGORITHM, "must be one of " + PUBLIC_KEY_ALGORITHMS);
    }

    JsonArray rooms = (JsonArray) ChatConfig.at(json, ROOMS_DEFAULTS);
    for (int i = 0; i < rooms.size(); i++) {
      String key = ROOMS_DEFAULTS + "[" + i + "]";
      if (!(rooms.getValue(i) instanceof JsonObject room)) {
        throw new ConfigException(key, "must be an object {\"id\",\"name\",\"topic\"}");
      }
      Object id = room.getValue("id");
      if (!(id instanceof String s) || !Addresses.ROOM_ID.matcher(s).matches()) {
        throw new ConfigException(key + ".id", "must match " + Addresses.ROOM_ID.pattern());
      }
    }

    range(json, MAX_TEXT_LENGTH, 1, 1_000_000);
    positive(json, MESSAGES_PER_SECOND);
    range(json, MESSAGE_BURST, 1, 1_000_000);
    positive(json, TYPING_PER_SECOND);
    range(json, MAX_FRAME_BYTES, 1024, 16 * 1024 * 1024);
    range(json, MAX_QUEUED_BYTES, 4096, 1L << 30);
    range(json, MAX_ROOMS_PER_CONNECTION, 1, 100_000);
    range(json, PING_TIMEOUT_MS, 1000, 3_600_000);
    range(json, HISTORY_MAX_PAGE, 1, 10_000);
    range(json, HISTORY_DEFAULT_PAGE, 1, ((Number) ChatConfig.at(json, HISTORY_MAX_PAGE)).longValue());
    range(json, REQUEST_TIMEOUT_MS, 100, 600_000);
    range(json, CONTROL_FRAMES_PER_SECOND, 1, 100_000);
    range(json, SIGN_INS_PER_MINUTE, 1, 10_000_000);
    range(json, GUEST_SIGN_INS_PER_MINUTE, 1, 10_000_000);
    range(json, FAILED_LOGINS_PER_NAME, 1, 10_000_000);
    range(json, FAILED_LOGINS_WINDOW_SECONDS, 1, 7 * 24 * 3600);
    range(json, ROOMS_PER_USER, 0, 1_000_000);
    range(json, MAX_ROOMS, 1, 10_000_000);
    range(json, ROOMS_PAGE_MAX, 1, 10_000);
    positive(json, GLOBAL_MESSAGES_PER_SECOND);
    range(json, STORE_POOL_SIZE, 1, 64);
    range(json, STORE_BATCH_MAX, 1, 10_000);
    range(json, STORE_COMMIT_DELAY_MS, 0, 1000);
    range(json, STORE_INDEX_INTERVAL_MS, 10, 60_000);
    range(json, STORE_INDEX_BATCH_MAX, 100, 100_000);
    range(json, STORE_MAX_UNINDEXED, 1000, 10_000_000);
    range(json, STORE_MIN_FREE_DISK_BYTES, 0, 1L << 60);
    nonEmpty(json, ADMIN_HOST);
    range(json, ADMIN_PORT, -1, 65535);
    long adminPort = ((Number) ChatConfig.at(json, ADMIN_PORT)).longValue();
    if (adminPort > 0 && adminPort == ((Number) ChatConfig.at(json, HTTP_PORT)).longValue()) {
      throw new ConfigException(ADMIN_PORT, "must not be http.port (" + adminPort + "): the admin listener is a server of its own"
          + " (-1: none; metrics.publicPort serves /metrics on the public port)");
    }

    boolean certSet = !((String) ChatConfig.at(json, HTTP_TLS_CERT_FILE)).isBlank();
    boolean keySet = !((String) ChatConfig.at(json, HTTP_TLS_KEY_FILE)).isBlank();
    if (certSet != keySet) {
      String missing = certSet ? HTTP_TLS_KEY_FILE : HTTP_TLS_CERT_FILE;
      throw new ConfigException(missing, "must be set too: TLS needs both " + HTTP_TLS_CERT_FILE + " and "
          + HTTP_TLS_KEY_FILE + " (or neither, for plain HTTP)");
    }
    range(json, HTTP_TLS_HSTS_MAX_AGE_SECONDS, 0, 2L * 365 * 24 * 3600);
    long reloadCheck = ((Number) ChatConfig.at(json, HTTP_TLS_RELOAD_CHECK_MS)).longValue();
    if (reloadCheck != 0) {
      range(json, HTTP_TLS_RELOAD_CHECK_MS, 100, 86_400_000);
    }
    range(json, SHUTDOWN_DRAIN_GRACE_MS, 0, 600_000);
    Object logFormat = ChatConfig.at(json, LOG_FORMAT);
    if (!LOG_FORMATS.contains(logFormat)) {
      throw new ConfigException(LOG_FORMAT, "must be one of " + LOG_FORMATS + ", got " + shorten(logFormat));
    }
    for (Object user : (JsonArray) ChatConfig.at(json, ADMIN_USERS)) {
      if (!(user instanceof String s) || s.isBlank() || s.length() > 128) {
        throw new ConfigException(ADMIN_USERS, "'" + user + "' is not a user id (1 to 128 characters, e.g. u-... or x-<sub>)");
      }
    }

    Object storeType = ChatConfig.at(json, STORE_TYPE);
    if (!STORE_TYPES.contains(storeType)) {
      throw new ConfigException(STORE_TYPE, "must be one of " + STORE_TYPES + ", got " + shorten(storeType));
    }
    range(json, STORE_POSTGRES_POOL_SIZE, 1, 256);
    String pgUrl = ((String) ChatConfig.at(json, STORE_POSTGRES_URL)).strip();
    if ("postgres".equals(storeType) && pgUrl.isEmpty()) {
      throw new ConfigException(STORE_POSTGRES_URL, "must be set with store.type = postgres"
          + " (postgresql://user:password@host:5432/database)");
    }
    if (!pgUrl.isEmpty() && !(pgUrl.startsWith("postgresql://") || pgUrl.startsWith("postgres://"))) {
      throw new ConfigException(STORE_POSTGRES_URL, "must be a URL postgresql://user:password@host:5432/database");
    }
    range(json, DMS_PER_USER, 0, 1_000_000);
    range(json, MAX_DMS, 0, 100_000_000);

    JsonArray deployments = (JsonArray) ChatConfig.at(json, DEPLOYMENTS);
    if (deployments.isEmpty()) {
      throw new ConfigException(DEPLOYMENTS, "must list at least one verticle");
    }
    for (int i = 0; i < deployments.size(); i++) {
      String key = DEPLOYMENTS + "[" + i + "]";
      if (!(deployments.getValue(i) instanceof JsonObject d) || !(d.getValue("verticle") instanceof String)) {
        throw new ConfigException(key, "must be an object with a \"verticle\" class name");
      }
      Object instances = d.getValue("instances", 1);
      if (!(instances instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1) {
        throw new ConfigException(key + ".instances", "must be a whole number of at least 1");
      }
    }
    range(json, SOCKJS_DISCONNECT_DELAY_MS, 1000, 60_000);
  }

  /** Every value must have the JSON type its default has. */
  private static void checkTypes(JsonObject given, JsonObject defaults, String prefix) {
    for (String key : defaults.fieldNames()) {
      Object def = defaults.getValue(key);
      Object val = given.getValue(key);
      String path = prefix + key;
      if (val == null) {
        throw new ConfigException(path, "must not be null");
      }
      String expected = def instanceof JsonObject ? "an object" : def instanceof JsonArray ? "an array"
          : def instanceof Number ? "a number" : def instanceof Boolean ? "true or false" : "a string";
      boolean ok = def instanceof JsonObject ? val instanceof JsonObject
          : def instanceof JsonArray ? val instanceof JsonArray
          : def instanceof Number ? val instanceof Number
          : def instanceof Boolean ? val instanceof Boolean
          : val instanceof String;
      if (!ok) {
        throw new ConfigException(path, "must be " + expected + ", got " + shorten(val));
      }
      if (def instanceof JsonObject d) {
        checkTypes((JsonObject) val, d, path + ".");
      }
    }
  }

  static String shorten(Object v) {
    String s = v instanceof String ? "'" + v + "'" : String.valueOf(v);
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static void range(JsonObject json, String key, long min, long max) {
    Object value = ChatConfig.at(json, key);
    double v = ((Number) value).doubleValue();
    if (v != Math.rint(v) || v < min || v > max) {
      throw new ConfigException(key, "must be a whole number from " + min + " to " + max + ", got " + shorten(value));
    }
  }

  private static void positive(JsonObject json, String key) {
    double v = ((Number) ChatConfig.at(json, key)).doubleValue();
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new ConfigException(key, "must be greater than 0, got " + v);
    }
  }

  private static void nonEmpty(JsonObject json, String key) {
    if (((String) ChatConfig.at(json, key)).isBlank()) {
      throw new ConfigException(key, "must not be empty");
    }
  }

  static boolean isOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null && (uri.getPath() == null || uri.getPath().isEmpty())
          && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null;
    } catch (Exception e) {
      return false;
    }
  }
}
