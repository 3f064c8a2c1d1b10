package dev.vertxchat.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

import static dev.vertxchat.config.ConfigKeys.*;

/**
 * The effective configuration as one immutable, typed value, built once at start by {@link ConfigLoader}
 * (defaults, then the config file, then {@code CHAT_*} environment variables, then {@code -Dchat.*}
 * system properties). The constructor checks every value ({@link ConfigValidator}) and reads each
 * setting into a final field, so an instance is always valid and reading a setting is a field read.
 *
 * <p>{@link #json()} is the same configuration as JSON (a copy), for a verticle's deployment config.
 * The generic reads by key path ({@link #value(String)} and the methods after it) walk that JSON: they
 * are for start-up code, never for a path taken per frame or per message.
 *
 * <p>Longer than 300 lines because it is one field, one line in the constructor and one accessor per
 * key; split by section, every caller would need several objects for what is one configuration.
 */
public final class ChatConfig {
  private final JsonObject json;

  private final String host;
  private final int port;
  private final List<String> allowedOrigins;
  private final String publicOrigin;
  private final boolean accessLog;
  private final boolean webSocketFastPath;
  private final String webroot;
  private final long headerTimeoutMs;
  private final long bodyTimeoutMs;
  private final long maxPendingBodyBytes;
  private final long idleTimeoutMs;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final List<String> trustedProxies;
  private final String dataDir;

  private final boolean guests;
  private final int tokenTtlSeconds;
  private final int hashThreads;
  private final int hashQueue;
  private final String jwtSecret;
  private final String issuer;
  private final String audience;
  private final String publicKeyFile;
  private final String publicKeyAlgorithm;
  private final String publicKeyIssuer;

  private final int maxTextLength;
  private final double messagesPerSecond;
  private final int messageBurst;
  private final double typingPerSecond;
  private final int maxFrameBytes;
  private final int maxQueuedBytes;
  private final int maxRoomsPerConnection;
  private final long pingTimeoutMs;
  private final int historyMaxPage;
  private final int historyDefaultPage;
  private final long requestTimeoutMs;
  private final int controlFramesPerSecond;
  private final int signInsPerMinute;
  private final int guestSignInsPerMinute;
  private final int failedLoginsPerName;
  private final int failedLoginsWindowSeconds;
  private final int roomsPerUser;
  private final int maxRooms;
  private final int roomsPageMax;
  private final double globalMessagesPerSecond;

  private final int storePoolSize;
  private final int storeBatchMax;
  private final long storeCommitDelayMs;
  private final boolean storeFsync;
  private final long storeIndexIntervalMs;
  private final int storeIndexBatchMax;
  private final int storeMaxUnindexed;
  private final long storeMinFreeDiskBytes;
  private final boolean registration;
  private final List<String> adminUsers;

  private final String tlsCertFile;
  private final String tlsKeyFile;
  private final long hstsMaxAgeSeconds;
  private final long tlsReloadCheckMs;
  private final long drainGraceMs;
  private final String logFormat;
  private final boolean metricsEnabled;
  private final boolean metricsPublicPort;
  private final String adminHost;
  private final int adminPort;
  private final String storeType;
  private final String storePostgresUrl;
  private final int storePostgresPoolSize;
  private final int dmsPerUser;
  private final int maxDms;
  private final long sockJsDisconnectDelayMs;

  /**
   * @param effective every key of the defaults with its value (what {@link ConfigLoader} builds, or what a
   *                  verticle gets as its deployment config); copied, never kept
   * @throws ConfigException naming the first key whose value is wrong
   */
  public ChatConfig(JsonObject effective) {
    ConfigValidator.validate(effective);
    json = effective.copy();

    host = str(HTTP_HOST);
    port = integer(HTTP_PORT);
    allowedOrigins = strings(HTTP_ALLOWED_ORIGINS);
    publicOrigin = str(HTTP_PUBLIC_ORIGIN);
    accessLog = bool(HTTP_ACCESS_LOG);
    webSocketFastPath = bool(HTTP_WEBSOCKET_FAST_PATH);
    webroot = str(HTTP_WEBROOT);
    headerTimeoutMs = longValue(HTTP_HEADER_TIMEOUT_MS);
    bodyTimeoutMs = longValue(HTTP_BODY_TIMEOUT_MS);
    maxPendingBodyBytes = longValue(HTTP_MAX_PENDING_BODY_BYTES);
    idleTimeoutMs = longValue(HTTP_IDLE_TIMEOUT_MS);
    maxConnections = integer(HTTP_MAX_CONNECTIONS);
    maxConnectionsPerAddress = integer(HTTP_MAX_CONNECTIONS_PER_ADDRESS);
    trustedProxies = strings(HTTP_TRUSTED_PROXIES);
    dataDir = str(DATA_DIR);

    guests = bool(AUTH_GUESTS);
    tokenTtlSeconds = integer(AUTH_TOKEN_TTL);
    hashThreads = integer(AUTH_HASH_THREADS);
    hashQueue = integer(AUTH_HASH_QUEUE);
    jwtSecret = str(JWT_SECRET);
    issuer = str(JWT_ISSUER);
    audience = str(JWT_AUDIENCE);
    publicKeyFile = str(JWT_PUBLIC_KEY_FILE);
    publicKeyAlgorithm = str(JWT_PUBLIC_KEY_ALGORITHM);
    String iss = str(JWT_PUBLIC_KEY_ISSUER);
    publicKeyIssuer = iss.isEmpty() ? issuer : iss;

    maxTextLength = integer(MAX_TEXT_LENGTH);
    messagesPerSecond = number(MESSAGES_PER_SECOND);
    messageBurst = integer(MESSAGE_BURST);
    typingPerSecond = number(TYPING_PER_SECOND);
    maxFrameBytes = integer(MAX_FRAME_BYTES);
    maxQueuedBytes = integer(MAX_QUEUED_BYTES);
    maxRoomsPerConnection = integer(MAX_ROOMS_PER_CONNECTION);
    pingTimeoutMs = longValue(PING_TIMEOUT_MS);
    historyMaxPage = integer(HISTORY_MAX_PAGE);
    historyDefaultPage = integer(HISTORY_DEFAULT_PAGE);
    requestTimeoutMs = longValue(REQUEST_TIMEOUT_MS);
    controlFramesPerSecond = integer(CONTROL_FRAMES_PER_SECOND);
    signInsPerMinute = integer(SIGN_INS_PER_MINUTE);
    guestSignInsPerMinute = integer(GUEST_SIGN_INS_PER_MINUTE);
    failedLoginsPerName = integer(FAILED_LOGINS_PER_NAME);
    failedLoginsWindowSeconds = integer(FAILED_LOGINS_WINDOW_SECONDS);
    roomsPerUser = integer(ROOMS_PER_USER);
    maxRooms = integer(MAX_ROOMS);
    roomsPageMax = integer(ROOMS_PAGE_MAX);
    globalMessagesPerSecond = number(GLOBAL_MESSAGES_PER_SECOND);

    storePoolSize = integer(STORE_POOL_SIZE);
    storeBatchMax = integer(STORE_BATCH_MAX);
    storeCommitDelayMs = longValue(STORE_COMMIT_DELAY_MS);
    storeFsync = bool(STORE_FSYNC);
    storeIndexIntervalMs = longValue(STORE_INDEX_INTERVAL_MS);
    storeIndexBatchMax = integer(STORE_INDEX_BATCH_MAX);
    storeMaxUnindexed = integer(STORE_MAX_UNINDEXED);
    storeMinFreeDiskBytes = longValue(STORE_MIN_FREE_DISK_BYTES);

    tlsCertFile = str(HTTP_TLS_CERT_FILE).strip();
    tlsKeyFile = str(HTTP_TLS_KEY_FILE).strip();
    hstsMaxAgeSeconds = longValue(HTTP_TLS_HSTS_MAX_AGE_SECONDS);
    tlsReloadCheckMs = longValue(HTTP_TLS_RELOAD_CHECK_MS);
    drainGraceMs = longValue(SHUTDOWN_DRAIN_GRACE_MS);
    logFormat = str(LOG_FORMAT);
    metricsEnabled = bool(METRICS_ENABLED);
    metricsPublicPort = bool(METRICS_PUBLIC_PORT);
    adminHost = str(ADMIN_HOST);
    adminPort = integer(ADMIN_PORT);
    registration = bool(AUTH_REGISTRATION);
    adminUsers = List.copyOf(strings(ADMIN_USERS));
    storeType = str(STORE_TYPE);
    storePostgresUrl = str(STORE_POSTGRES_URL).strip();
    storePostgresPoolSize = integer(STORE_POSTGRES_POOL_SIZE);
    dmsPerUser = integer(DMS_PER_USER);
    maxDms = integer(MAX_DMS);
    sockJsDisconnectDelayMs = longValue(SOCKJS_DISCONNECT_DELAY_MS);
  }

  /** The value at a dotted key path in {@code json}, or null; start-up use (it splits the path each time). */
  static Object at(JsonObject json, String path) {
    Object current = json;
    int start = 0;
    while (current instanceof JsonObject obj) {
      int dot = path.indexOf('.', start);
      if (dot < 0) {
        return obj.getValue(path.substring(start));
      }
      current = obj.getValue(path.substring(start, dot));
      start = dot + 1;
    }
    return null;
  }

  /** The effective configuration as JSON: a copy (what a verticle gets as its deployment config). */
  public JsonObject json() {
    return json.copy();
  }

  /** The value at a dotted key path, or null; objects and arrays are copies. Start-up use only. */
  public Object value(String path) {
    Object v = at(json, path);
    return v instanceof JsonObject o ? o.copy() : v instanceof JsonArray a ? a.copy() : v;
  }

  public String string(String path) {
    Object v = at(json, path);
    return v == null ? "" : v.toString();
  }

  public int integer(String path) {
    return ((Number) at(json, path)).intValue();
  }

  public long longValue(String path) {
    return ((Number) at(json, path)).longValue();
  }

  public boolean bool(String path) {
    return Boolean.TRUE.equals(at(json, path));
  }

  /** The array at a key path (a copy), empty when there is none. */
  public JsonArray array(String path) {
    return at(json, path) instanceof JsonArray a ? a.copy() : new JsonArray();
  }

  public List<String> strings(String path) {
    List<String> out = new ArrayList<>();
    array(path).forEach(v -> out.add(String.valueOf(v)));
    return List.copyOf(out);
  }

  private String str(String path) {
    return (String) at(json, path);
  }

  private double number(String path) {
    return ((Number) at(json, path)).doubleValue();
  }

  /** The deployment plan: {@code {"verticle": class, "instances": n, ...}} entries in order (a copy). */
  public JsonArray deployments() { return array(DEPLOYMENTS); }
  /** The rooms created at start when missing: {@code {"id","name","topic"}} entries (a copy). */
  public JsonArray roomDefaults() { return array(ROOMS_DEFAULTS); }

  public String host() { return host; }
  public int port() { return port; }
  public List<String> allowedOrigins() { return allowedOrigins; }
  /** The origin browsers reach the service at, e.g. behind a proxy; empty: the one the Host header names. */
  public String publicOrigin() { return publicOrigin; }
  public boolean accessLog() { return accessLog; }
  public boolean webSocketFastPath() { return webSocketFastPath; }
  public String webroot() { return webroot; }
  public String dataDir() { return dataDir; }
  public long headerTimeoutMs() { return headerTimeoutMs; }
  public long bodyTimeoutMs() { return bodyTimeoutMs; }
  public long maxPendingBodyBytes() { return maxPendingBodyBytes; }
  public long idleTimeoutMs() { return idleTimeoutMs; }
  public int maxConnections() { return maxConnections; }
  public int maxConnectionsPerAddress() { return maxConnectionsPerAddress; }
  public List<String> trustedProxies() { return trustedProxies; }

  public boolean guests() { return guests; }
  public int tokenTtlSeconds() { return tokenTtlSeconds; }
  public int hashThreads() { return hashThreads; }
  public int hashQueue() { return hashQueue; }
  /**
   * The configured HS256 secret; empty when none is configured, in which case the service uses the one
   * {@code auth.JwtSecret} generates and keeps in the data directory (never written back here).
   */
  public String jwtSecret() { return jwtSecret; }
  public String issuer() { return issuer; }
  public String audience() { return audience; }
  public String publicKeyFile() { return publicKeyFile; }
  public String publicKeyAlgorithm() { return publicKeyAlgorithm; }
  /** The {@code iss} required on the outside provider's tokens: its own setting, else {@link #issuer()}. */
  public String publicKeyIssuer() { return publicKeyIssuer; }

  public int maxTextLength() { return maxTextLength; }
  public double messagesPerSecond() { return messagesPerSecond; }
  public int messageBurst() { return messageBurst; }
  public double typingPerSecond() { return typingPerSecond; }
  public int maxFrameBytes() { return maxFrameBytes; }
  public int maxQueuedBytes() { return maxQueuedBytes; }
  public int maxRoomsPerConnection() { return maxRoomsPerConnection; }
  public long pingTimeoutMs() { return pingTimeoutMs; }
  public int historyMaxPage() { return historyMaxPage; }
  public int historyDefaultPage() { return historyDefaultPage; }
  public long requestTimeoutMs() { return requestTimeoutMs; }
  public int controlFramesPerSecond() { return controlFramesPerSecond; }
  public int signInsPerMinute() { return signInsPerMinute; }
  public int guestSignInsPerMinute() { return guestSignInsPerMinute; }
  public int failedLoginsPerName() { return failedLoginsPerName; }
  public int failedLoginsWindowSeconds() { return failedLoginsWindowSeconds; }
  public int roomsPerUser() { return roomsPerUser; }
  public int maxRooms() { return maxRooms; }
  public int roomsPageMax() { return roomsPageMax; }
  public double globalMessagesPerSecond() { return globalMessagesPerSecond; }

  public int storePoolSize() { return storePoolSize; }
  public int storeBatchMax() { return storeBatchMax; }
  public long storeCommitDelayMs() { return storeCommitDelayMs; }
  public boolean storeFsync() { return storeFsync; }
  public long storeIndexIntervalMs() { return storeIndexIntervalMs; }
  public int storeIndexBatchMax() { return storeIndexBatchMax; }
  public int storeMaxUnindexed() { return storeMaxUnindexed; }
  public long storeMinFreeDiskBytes() { return storeMinFreeDiskBytes; }

  /** HTTPS and wss:// on {@link #port()}: both {@link #tlsCertFile()} and {@link #tlsKeyFile()} are set. */
  public boolean tls() { return !tlsCertFile.isEmpty(); }
  /** PEM certificate (the chain may follow it), empty without TLS. */
  public String tlsCertFile() { return tlsCertFile; }
  /** PEM private key (PKCS#8 or PKCS#1), empty without TLS. */
  public String tlsKeyFile() { return tlsKeyFile; }
  /** {@code Strict-Transport-Security} max-age with TLS; 0: no header. */
  public long hstsMaxAgeSeconds() { return hstsMaxAgeSeconds; }
  /** How often the certificate files are checked for a change; 0: only on SIGHUP. */
  public long tlsReloadCheckMs() { return tlsReloadCheckMs; }
  /** How long readiness answers 503 before a stop closes connections; 0: no wait. */
  public long drainGraceMs() { return drainGraceMs; }
  /** {@code text} (the pattern of the logback configuration) or {@code json} (one JSON object per line). */
  public String logFormat() { return logFormat; }
  /** Vert.x's and the chat's metrics are collected (and served on the admin listener's {@code /metrics}). */
  public boolean metricsEnabled() { return metricsEnabled; }
  /** {@code /metrics} is served on the public HTTP port too (off by default: it is an operator's view). */
  public boolean metricsPublicPort() { return metricsPublicPort; }
  public String adminHost() { return adminHost; }
  /** The admin listener's port: 0 picks a free one, -1 means no admin listener. */
  public int adminPort() { return adminPort; }
  /** Whether new accounts may register at start (the admin API may switch it at run time). */
  public boolean registration() { return registration; }
  /** The user ids of the operators named in the configuration. */
  public List<String> adminUsers() { return adminUsers; }

  /** {@code h2} (embedded, one process) or {@code postgres} (shared by the nodes of a cluster). */
  public String storeType() { return storeType; }

  /** Whether the store is PostgreSQL ({@code store.type = postgres}). */
  public boolean postgres() { return "postgres".equals(storeType); }

  /** {@code postgresql://user:pass@host:port/db}; required with {@code store.type = postgres}. */
  public String storePostgresUrl() { return storePostgresUrl; }

  public int storePostgresPoolSize() { return storePostgresPoolSize; }

  /** Direct conversations one user may open ({@code chat.dm.open}; beyond it 4004). */
  public int dmsPerUser() { return dmsPerUser; }

  /** Direct conversations the server holds in total (beyond it opening one fails with 4004). */
  public int maxDms() { return maxDms; }
  /** How long an xhr-polling or xhr-streaming session waits for its client's next receiving request. */
  public long sockJsDisconnectDelayMs() { return sockJsDisconnectDelayMs; }
}
