package dev.vertxchat.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Gathers the configuration's sources and builds the {@link ChatConfig} from them in one pass
 * ({@link ConfigMerge}), later ones winning: the built-in defaults, the config file ({@code -conf FILE}
 * given to the launcher, else {@code conf/config.json} when it exists), the {@code CHAT_*} environment
 * variables, then the {@code chat.*} system properties. What names no key is logged as a warning, once
 * each per start.
 *
 * <p>Not {@code ConfigRetriever}: it merges its stores into one JSON object before the caller sees them,
 * so a value can no longer be traced to its source (for the type conversion and for the message naming
 * where a wrong value came from), and its environment store either drops the variables that name no key
 * or hands over the whole environment. Here each source is read as itself.
 */
public final class ConfigLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
  public static final String DEFAULT_FILE = "conf/config.json";

  private ConfigLoader() {}

  /**
   * @param given       the configuration the main verticle was deployed with: the launcher's {@code -conf},
   *                    parsed (empty when none was given), or what an in-process deployment passes
   * @param givenSource the name of {@code given} in messages, e.g. the {@code -conf} file; null when the
   *                    launcher had no {@code -conf}: then an empty {@code given} means "read conf/config.json"
   */
  public static Future<ChatConfig> load(Vertx vertx, JsonObject given, String givenSource) {
    return load(vertx, given, givenSource, config -> { });
  }

  /**
   * As {@link #load(Vertx, JsonObject, String)}; {@code beforeLogging} is given the configuration before
   * anything about it is logged (the log format follows it).
   */
  public static Future<ChatConfig> load(Vertx vertx, JsonObject given, String givenSource, Consumer<ChatConfig> beforeLogging) {
    return vertx.executeBlocking(() -> load(given, givenSource, System.getenv(), chatProperties(), Path.of(DEFAULT_FILE),
        beforeLogging), false);
  }

  /**
   * The configuration the service will start with, built now on the calling thread from the same sources
   * as {@link #load(Vertx, JsonObject, String)}, without logging: for the launcher, which needs
   * {@code metrics.enabled} before Vert.x starts. Blocking (may read {@code conf/config.json}); null when the
   * configuration is not valid (the main verticle then refuses to start and says why).
   */
  public static ChatConfig readNow(JsonObject given, String givenSource) {
    try {
      return merge(given, givenSource, System.getenv(), chatProperties(), Path.of(DEFAULT_FILE)).config();
    } catch (ConfigException e) {
      return null;
    }
  }

  /** Blocking: may read {@code defaultFile}. */
  static ChatConfig load(JsonObject given, String givenSource, Map<String, String> env, Map<String, String> properties,
                         Path defaultFile) {
    return load(given, givenSource, env, properties, defaultFile, config -> { });
  }

  private static ChatConfig load(JsonObject given, String givenSource, Map<String, String> env, Map<String, String> properties,
                                 Path defaultFile, Consumer<ChatConfig> beforeLogging) {
    ConfigMerge.Result result = merge(given, givenSource, env, properties, defaultFile);
    beforeLogging.accept(result.config());
    result.warnings().forEach(warning -> LOG.warn("{}", warning));
    return result.config();
  }

  private static ConfigMerge.Result merge(JsonObject given, String givenSource, Map<String, String> env,
                                          Map<String, String> properties, Path defaultFile) {
    JsonObject file;
    String source;
    if (givenSource != null || given != null && !given.isEmpty()) {
      file = given == null ? new JsonObject() : given;
      source = givenSource != null ? givenSource : "the deployment configuration";
    } else if (Files.exists(defaultFile)) {
      file = ConfigFileReader.read(defaultFile);
      source = defaultFile.toString();
    } else {
      file = new JsonObject();
      source = "no config file";
    }
    return ConfigMerge.merge(file, source, env, properties);
  }

  private static Map<String, String> chatProperties() {
    Map<String, String> out = new HashMap<>();
    System.getProperties().forEach((k, v) -> {
      if (k instanceof String name && name.startsWith(ConfigKeys.SYS_PREFIX)) {
        out.put(name, String.valueOf(v));
      }
    });
    return out;
  }
}
