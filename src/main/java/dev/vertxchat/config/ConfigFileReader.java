package dev.vertxchat.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Reads a configuration file, or says in one line why it cannot be used: which file, and for JSON that
 * does not parse, where ({@code not valid JSON at line 3, column 17}). Blocking.
 */
public final class ConfigFileReader {
  private ConfigFileReader() {}

  /** @throws ConfigException naming the file when it cannot be read or is not one JSON object */
  public static JsonObject read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      throw new ConfigException(file.toString(), "cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    return parse(file.toString(), text);
  }

  /**
   * Why a {@code -conf} value could not be used: the Vert.x launcher hands the main verticle an empty
   * configuration (after a warning) when it is neither a readable JSON file nor a JSON object.
   */
  public static ConfigException unusable(String conf) {
    Path path = null;
    try {
      path = Path.of(conf);
    } catch (InvalidPathException e) {
      // not a path: inline JSON, perhaps
    }
    if (path != null && Files.isRegularFile(path)) {
      try {
        read(path);
      } catch (ConfigException e) {
        return e;
      }
      return new ConfigException(conf, "could not be read by the launcher");
    }
    if (conf.stripLeading().startsWith("{")) {
      try {
        parse("-conf", conf);
      } catch (ConfigException e) {
        return e;
      }
    }
    return new ConfigException("-conf " + conf, "is neither a readable file nor a JSON object");
  }

  private static JsonObject parse(String name, String text) {
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      String start = text.stripLeading();
      throw new ConfigException(name, start.isEmpty() || start.startsWith("{") ? position(e) : "is not a JSON object");
    }
  }

  private static String position(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof JsonProcessingException j && j.getLocation() != null) {
        return "not valid JSON at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
      }
    }
    return "not valid JSON";
  }
}
