package dev.vertxchat.config;

/**
 * Every configuration key path, in one place. The environment variable overriding a key is its path
 * upper-cased with dots turned into underscores and {@code CHAT_} in front ({@link #envName(String)}),
 * e.g. {@code http.port} -> {@code CHAT_HTTP_PORT}; the system property is the path with {@code chat.}
 * in front ({@code -Dchat.http.port=9090}).
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  public static final String DEPLOYMENTS = "deployments";

  public static final String HTTP_HOST = "http.host";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_ALLOWED_ORIGINS = "http.allowedOrigins";
  public static final String HTTP_PUBLIC_ORIGIN = "http.publicOrigin";
  public static final String HTTP_ACCESS_LOG = "http.accessLog";
  public static final String HTTP_WEBSOCKET_FAST_PATH = "http.webSocketFastPath";
  public static final String HTTP_WEBROOT = "http.webroot";
  public static final String HTTP_HEADER_TIMEOUT_MS = "http.headerTimeoutMs";
  public static final String HTTP_BODY_TIMEOUT_MS = "http.bodyTimeoutMs";
  public static final String HTTP_MAX_PENDING_BODY_BYTES = "http.maxPendingBodyBytes";
  public static final String HTTP_IDLE_TIMEOUT_MS = "http.idleTimeoutMs";
  public static final String HTTP_MAX_CONNECTIONS = "http.maxConnections";
  public static final String HTTP_MAX_CONNECTIONS_PER_ADDRESS = "http.maxConnectionsPerAddress";
  public static final String HTTP_TRUSTED_PROXIES = "http.trustedProxies";

  public static final String DATA_DIR = "data.dir";

  public static final String AUTH_GUESTS = "auth.guests";
  public static final String AUTH_TOKEN_TTL = "auth.tokenTtlSeconds";
  public static final String AUTH_HASH_THREADS = "auth.hashThreads";
  public static final String AUTH_HASH_QUEUE = "auth.hashQueue";
  public static final String JWT_SECRET = "auth.jwt.secret";
  public static final String JWT_ISSUER = "auth.jwt.issuer";
  public static final String JWT_AUDIENCE = "auth.jwt.audience";
  public static final String JWT_PUBLIC_KEY_FILE = "auth.jwt.publicKeyFile";
  public static final String JWT_PUBLIC_KEY_ALGORITHM = "auth.jwt.publicKeyAlgorithm";
  public static final String JWT_PUBLIC_KEY_ISSUER = "auth.jwt.publicKeyIssuer";

  public static final String ROOMS_DEFAULTS = "rooms.defaults";

  public static final String MAX_TEXT_LENGTH = "limits.maxTextLength";
  public static final String MESSAGES_PER_SECOND = "limits.messagesPerSecond";
  public static final String MESSAGE_BURST = "limits.messageBurst";
  public static final String TYPING_PER_SECOND = "limits.typingPerSecond";
  public static final String MAX_FRAME_BYTES = "limits.maxFrameBytes";
  public static final String MAX_QUEUED_BYTES = "limits.maxQueuedBytes";
  public static final String MAX_ROOMS_PER_CONNECTION = "limits.maxRoomsPerConnection";
  public static final String PING_TIMEOUT_MS = "limits.pingTimeoutMs";
  public static final String HISTORY_MAX_PAGE = "limits.historyMaxPage";
  public static final String HISTORY_DEFAULT_PAGE = "limits.historyDefaultPage";
  public static final String REQUEST_TIMEOUT_MS = "limits.requestTimeoutMs";
  public static final String CONTROL_FRAMES_PER_SECOND = "limits.controlFramesPerSecond";
  public static final String SIGN_INS_PER_MINUTE = "limits.signInsPerMinute";
  public static final String GUEST_SIGN_INS_PER_MINUTE = "limits.guestSignInsPerMinute";
  public static final String FAILED_LOGINS_PER_NAME = "limits.failedLoginsPerName";
  public static final String FAILED_LOGINS_WINDOW_SECONDS = "limits.failedLoginsWindowSeconds";
  public static final String ROOMS_PER_USER = "limits.roomsPerUser";
  public static final String MAX_ROOMS = "limits.maxRooms";
  public static final String ROOMS_PAGE_MAX = "limits.roomsPageMax";
  public static final String GLOBAL_MESSAGES_PER_SECOND = "limits.globalMessagesPerSecond";

  public static final String STORE_POOL_SIZE = "store.poolSize";
  public static final String STORE_BATCH_MAX = "store.batchMaxSize";
  public static final String STORE_COMMIT_DELAY_MS = "store.commitDelayMs";
  public static final String STORE_FSYNC = "store.fsync";
  public static final String STORE_INDEX_INTERVAL_MS = "store.indexIntervalMs";
  public static final String STORE_INDEX_BATCH_MAX = "store.indexBatchMaxSize";
  public static final String STORE_MAX_UNINDEXED = "store.maxUnindexed";
  public static final String STORE_MIN_FREE_DISK_BYTES = "store.minFreeDiskBytes";

  public static final String HTTP_TLS_CERT_FILE = "http.tls.certFile";
  public static final String HTTP_TLS_KEY_FILE = "http.tls.keyFile";
  public static final String HTTP_TLS_HSTS_MAX_AGE_SECONDS = "http.tls.hstsMaxAgeSeconds";
  public static final String HTTP_TLS_RELOAD_CHECK_MS = "http.tls.reloadCheckMs";
  public static final String SHUTDOWN_DRAIN_GRACE_MS = "shutdown.drainGraceMs";
  public static final String LOG_FORMAT = "log.format";
  public static final String METRICS_ENABLED = "metrics.enabled";
  public static final String METRICS_PUBLIC_PORT = "metrics.publicPort";
  public static final String ADMIN_HOST = "admin.host";
  public static final String ADMIN_PORT = "admin.port";
  public static final String AUTH_REGISTRATION = "auth.registration";
  public static final String ADMIN_USERS = "admin.users";
  public static final String STORE_TYPE = "store.type";
  public static final String STORE_POSTGRES_URL = "store.postgres.url";
  public static final String STORE_POSTGRES_POOL_SIZE = "store.postgres.poolSize";
  public static final String DMS_PER_USER = "limits.dmsPerUser";
  public static final String MAX_DMS = "limits.maxDms";
  public static final String SOCKJS_DISCONNECT_DELAY_MS = "limits.sockJsDisconnectDelayMs";

  public static final String ENV_PREFIX = "CHAT_";
  public static final String SYS_PREFIX = "chat.";

  public static String envName(String path) {
    return ENV_PREFIX + path.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
  }
}
