package dev.vertxchat.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in defaults ({@code dev/vertxchat/config/defaults.json} in the jar): every key there is, with
 * the value and the JSON type it has when nothing overrides it. Its leaves are the keys an environment
 * variable or a system property may set.
 */
public final class ConfigDefaults {
  private static final String RESOURCE = "/dev/vertxchat/config/defaults.json";
  private static final JsonObject DEFAULTS = read();
  private static final Map<String, String> ENV_NAMES = Collections.unmodifiableMap(leaves());

  private ConfigDefaults() {}

  /** A copy of the defaults. */
  public static JsonObject json() {
    return DEFAULTS.copy();
  }

  /** Every overridable key path (the leaves of the defaults, in file order), mapped to its environment variable. */
  public static Map<String, String> envNames() {
    return ENV_NAMES;
  }

  private static JsonObject read() {
    try (InputStream in = ConfigDefaults.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("built-in defaults " + RESOURCE + " missing from the class path");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the built-in defaults " + RESOURCE, e);
    }
  }

  private static Map<String, String> leaves() {
    Map<String, String> out = new LinkedHashMap<>();
    leaves(DEFAULTS, "", out);
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
}
