package dev.vertxchat.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the effective configuration with {@link ConfigRetriever} and explicitly declared stores, later
 * ones winning: the built-in defaults, the config file ({@code -conf FILE} given to the launcher, else
 * {@code conf/config.json} when it exists), the documented {@code CHAT_*} environment variables, then
 * {@code chat.*} system properties.
 */
public final class ConfigLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
  public static final String DEFAULT_FILE = "conf/config.json";
  private static final String DEFAULTS_RESOURCE = "/dev/vertxchat/config/defaults.json";

  private ConfigLoader() {}

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("built-in defaults missing from the jar", e);
    }
  }

  /** Every overridable key path (the leaves of the defaults), mapped to its environment variable name. */
  public static Map<String, String> envNames() {
    Map<String, String> out = new LinkedHashMap<>();
    leaves(defaults(), "", out);
    return out;
  }

  private static void leaves(JsonObject obj, String prefix, Map<String, String> out) {
    for (String key : obj.fieldNames()) {
      String path = prefix + key;
      if (obj.getValue(key) instanceof JsonObject child) {
        leaves(child, path + ".", out);
      } else {
        out.put(path, ConfigKeys.envName(path));
      }
    }
  }

  /**
   * @param given       the configuration the main verticle was deployed with: the launcher's {@code -conf},
   *                    parsed (empty when none was given), or what an in-process deployment passes
   * @param givenSource the name of {@code given} in messages, e.g. the {@code -conf} file; null when the
   *                    launcher had no {@code -conf}: then an empty {@code given} means "read conf/config.json"
   */
  public static Future<ChatConfig> load(Vertx vertx, JsonObject given, String givenSource) {
    JsonObject defaults = defaults();
    Map<String, String> env = envNames();
    String source;
    ConfigStoreOptions base;
    if (givenSource != null || given != null && !given.isEmpty()) {
      source = givenSource != null ? givenSource : "the deployment configuration";
      base = new ConfigStoreOptions().setType("json").setConfig(given == null ? new JsonObject() : given);
    } else {
      source = DEFAULT_FILE;
      base = new ConfigStoreOptions().setType("file").setFormat("json").setOptional(true)
          .setConfig(new JsonObject().put("path", DEFAULT_FILE));
    }
    ConfigStoreOptions envStore = new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("raw-data", true).put("keys", new JsonArray(new ArrayList<>(env.values()))));
    JsonObject chatProperties = new JsonObject();
    System.getProperties().forEach((k, v) -> {
      if (k.toString().startsWith(ConfigKeys.SYS_PREFIX)) {
        chatProperties.put(k.toString(), String.valueOf(v));
      }
    });
    ConfigStoreOptions sysStore = new ConfigStoreOptions().setType("json").setConfig(chatProperties);
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setScanPeriod(0).addStore(base).addStore(envStore).addStore(sysStore));
    return retriever.getConfig()
        .recover(err -> Future.failedFuture(new ConfigException(source, "cannot read it (" + rootMessage(err) + ")")))
        .map(merged -> {
          JsonObject file = new JsonObject();
          JsonObject overrides = new JsonObject();
          Map<String, String> sys = new LinkedHashMap<>();
          for (Map.Entry<String, Object> e : merged) {
            String key = e.getKey();
            if (env.containsValue(key)) {
              overrides.put(key, e.getValue());
            } else if (key.startsWith(ConfigKeys.SYS_PREFIX)) {
              sys.put(key.substring(ConfigKeys.SYS_PREFIX.length()), String.valueOf(e.getValue()));
            } else if (!key.contains(".")) {
              file.put(key, e.getValue());
            }
          }
          warnUnknown(file, defaults, "");
          JsonObject effective = defaults.copy().mergeIn(file, true);
          env.forEach((path, name) -> {
            if (overrides.containsKey(name)) {
              set(effective, path, name, String.valueOf(overrides.getValue(name)), defaults);
            }
          });
          sys.forEach((path, value) -> {
            if (env.containsKey(path)) {
              set(effective, path, ConfigKeys.SYS_PREFIX + path, value, defaults);
            } else {
              LOG.warn("Unknown configuration system property {} is ignored", ConfigKeys.SYS_PREFIX + path);
            }
          });
          return new ChatConfig(effective);
        });
  }

  private static String rootMessage(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
        return "not valid JSON at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
      }
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof DecodeException) {
        return "not valid JSON";
      }
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return msg.lines().findFirst().orElse(msg);
  }

  private static void warnUnknown(JsonObject given, JsonObject known, String prefix) {
    for (String key : given.fieldNames()) {
      Object knownValue = known.getValue(key);
      if (!known.containsKey(key)) {
        LOG.warn("Unknown configuration key {} is ignored", prefix + key);
      } else if (knownValue instanceof JsonObject k && given.getValue(key) instanceof JsonObject g) {
        warnUnknown(g, k, prefix + key + ".");
      }
    }
  }

  /** Applies one textual override, converted to the type the default has. */
  private static void set(JsonObject target, String path, String source, String raw, JsonObject defaults) {
    String[] parts = path.split("\\.");
    JsonObject obj = target;
    JsonObject def = defaults;
    for (int i = 0; i < parts.length - 1; i++) {
      obj = obj.getJsonObject(parts[i]);
      def = def.getJsonObject(parts[i]);
    }
    String leaf = parts[parts.length - 1];
    obj.put(leaf, convert(def.getValue(leaf), raw.trim(), path, source));
  }

  private static Object convert(Object template, String raw, String path, String source) {
    String where = path + " (from " + source + ")";
    try {
      if (template instanceof Boolean) {
        String v = raw.toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
          throw new ConfigException(where, "must be true or false, got '" + raw + "'");
        }
        return Boolean.parseBoolean(v);
      }
      if (template instanceof Integer || template instanceof Long) {
        return Long.parseLong(raw);
      }
      if (template instanceof Number) {
        return Double.parseDouble(raw);
      }
      if (template instanceof JsonArray) {
        if (raw.startsWith("[")) {
          return new JsonArray(raw);
        }
        List<String> items = new ArrayList<>();
        for (String item : raw.split(",")) {
          if (!item.isBlank()) {
            items.add(item.trim());
          }
        }
        return new JsonArray(new ArrayList<Object>(items));
      }
      return raw;
    } catch (NumberFormatException e) {
      throw new ConfigException(where, "must be a number, got '" + raw + "'");
    } catch (DecodeException e) {
      throw new ConfigException(where, "must be a JSON array or a comma-separated list");
    }
  }
}
