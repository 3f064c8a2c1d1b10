package dev.vertxchat.config;

/** A configuration value that stops start-up; the message names the key and what is wrong, in one line. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("Invalid configuration: " + key + ": " + problem, null, false, false);
  }
}
