package dev.vertxchat.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one pass that builds the effective configuration from its sources, later ones winning: the
 * defaults, the config file, {@code CHAT_*} environment variables, {@code chat.*} system properties.
 * An environment variable or system property is text, converted to the JSON type its key's default has.
 * Every source is checked against the keys the defaults have; what names no key is left out and
 * warned about, once per source entry. No I/O and no logging here: {@link ConfigLoader} gathers the
 * sources and logs the warnings.
 */
public final class ConfigMerge {
  /** The origin of a value that no source overrode. */
  static final String DEFAULTS = "the defaults";

  private final JsonObject defaults = ConfigDefaults.json();
  private final JsonObject effective = ConfigDefaults.json();
  /** Key path -> the source that set it last (absent: the defaults). */
  private final Map<String, String> origins = new HashMap<>();
  private final List<String> warnings = new ArrayList<>();

  /** The configuration and what was ignored on the way. */
  public record Result(ChatConfig config, List<String> warnings) {}

  private ConfigMerge() {}

  /**
   * @param file       the config file's content (empty: none)
   * @param fileSource its name in messages, e.g. {@code conf/config.json}
   * @param env        the process environment (only {@code CHAT_*} names are looked at)
   * @param properties the system properties (only {@code chat.*} names are looked at)
   * @throws ConfigException naming the key and the source of the first wrong value
   */
  public static Result merge(JsonObject file, String fileSource, Map<String, String> env, Map<String, String> properties) {
    ConfigMerge merge = new ConfigMerge();
    merge.file(file, merge.defaults, "", fileSource);
    // sorted: warnings and the winner among duplicates do not depend on a map's iteration order
    new TreeMap<>(env).forEach(merge::environmentVariable);
    new TreeMap<>(properties).forEach(merge::systemProperty);
    ChatConfig config;
    try {
      config = new ChatConfig(merge.effective);
    } catch (ConfigException e) {
      throw e.from(merge.originOf(e.key()));
    }
    for (String user : config.adminUsers()) {
      if (user.startsWith("g-")) {
        merge.warnings.add("admin.users lists " + user + ", a guest's id: guests are never operators, so it makes nobody"
            + " an operator (list an account's u-... id, or x-<sub> for the identity provider)");
      }
    }
    return new Result(config, List.copyOf(merge.warnings));
  }

  private void file(JsonObject given, JsonObject known, String prefix, String source) {
    for (Map.Entry<String, Object> e : given) {
      String key = e.getKey();
      String path = prefix + key;
      if (key.contains(".")) {
        warnings.add("Configuration key \"" + path + "\" in " + source + " is ignored: keys are not dotted paths; write it nested, "
            + nested(path, e.getValue()));
      } else if (!known.containsKey(key)) {
        warnings.add("Unknown configuration key " + path + " in " + source + " is ignored" + suggestion(path, keysUnder(known, prefix)));
      } else if (known.getValue(key) instanceof JsonObject k && e.getValue() instanceof JsonObject g) {
        file(g, k, path + ".", source);
      } else {
        Object value = e.getValue();
        target(path, source).put(key, value instanceof JsonObject o ? o.copy() : value instanceof JsonArray a ? a.copy() : value);
        origins.put(path, source);
      }
    }
  }

  private void environmentVariable(String name, String raw) {
    if (!name.startsWith(ConfigKeys.ENV_PREFIX)) {
      return;
    }
    String path = pathOfEnv(name);
    if (path == null) {
      warnings.add("Environment variable " + name + " names no configuration key and is ignored"
          + suggestion(name, ConfigDefaults.envNames().values()));
    } else {
      set(path, name, raw);
    }
  }

  private void systemProperty(String name, String raw) {
    if (!name.startsWith(ConfigKeys.SYS_PREFIX)) {
      return;
    }
    String path = name.substring(ConfigKeys.SYS_PREFIX.length());
    if (!ConfigDefaults.envNames().containsKey(path)) {
      List<String> known = ConfigDefaults.envNames().keySet().stream().map(p -> ConfigKeys.SYS_PREFIX + p).toList();
      warnings.add("System property " + name + " names no configuration key and is ignored" + suggestion(name, known));
    } else {
      set(path, name, raw);
    }
  }

  private static String pathOfEnv(String name) {
    for (Map.Entry<String, String> e : ConfigDefaults.envNames().entrySet()) {
      if (e.getValue().equals(name)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** Applies one textual override, converted to the type the key's default has. */
  private void set(String path, String source, String raw) {
    String leaf = path.substring(path.lastIndexOf('.') + 1);
    target(path, source).put(leaf, convert(ChatConfig.at(defaults, path), raw.trim(), path, source));
    origins.put(path, source);
  }

  /** The object in the effective configuration that holds {@code path}'s last segment. */
  private JsonObject target(String path, String source) {
    JsonObject obj = effective;
    int start = 0;
    for (int dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', start)) {
      String parent = path.substring(0, dot);
      if (!(obj.getValue(path.substring(start, dot)) instanceof JsonObject next)) {
        // the file replaced an object with something else; name the source of that
        throw new ConfigException(parent, originOf(parent), "must be an object (setting " + path + " from " + source + ")");
      }
      obj = next;
      start = dot + 1;
    }
    return obj;
  }

  /** Converts text to the JSON type of {@code template}. */
  static Object convert(Object template, String raw, String path, String source) {
    try {
      if (template instanceof Boolean) {
        String v = raw.toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
          throw new ConfigException(path, source, "must be true or false, got '" + raw + "'");
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
        List<Object> items = new ArrayList<>();
        for (String item : raw.split(",")) {
          if (!item.isBlank()) {
            items.add(item.trim());
          }
        }
        return new JsonArray(items);
      }
      return raw;
    } catch (NumberFormatException e) {
      throw new ConfigException(path, source, "must be " + (template instanceof Double ? "a number" : "a whole number")
          + ", got '" + raw + "'");
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(path, source, "must be a JSON array or a comma-separated list");
    }
  }

  /** Who set the value a problem is about: the nearest key path (or parent) a source set, null for the defaults. */
  private String originOf(String key) {
    int bracket = key.indexOf('[');
    String path = bracket < 0 ? key : key.substring(0, bracket);
    while (!path.isEmpty()) {
      String origin = origins.get(path);
      if (origin != null) {
        return origin;
      }
      int dot = path.lastIndexOf('.');
      path = dot < 0 ? "" : path.substring(0, dot);
    }
    return null;
  }

  /** {@code "http.port": 9090} -> {@code {"http": {"port": 9090}}}, for a warning. */
  private static String nested(String dotted, Object value) {
    String[] parts = dotted.split("\\.", -1);
    Object v = value;
    for (int i = parts.length - 1; i >= 0; i--) {
      v = new JsonObject().put(parts[i], v);
    }
    String text = ((JsonObject) v).encode();
    return text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }

  private static List<String> keysUnder(JsonObject known, String prefix) {
    return known.fieldNames().stream().map(k -> prefix + k).toList();
  }

  /** "; did you mean X?" with the closest known name, when one is close enough to be a likely typo. */
  static String suggestion(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(name.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 3) ? "; did you mean " + best + "?" : "";
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
