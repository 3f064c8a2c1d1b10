package dev.vertxchat.config;

/**
 * A configuration value that stops start-up; the message names the key, where the value came from when
 * that is known, and what is wrong, in one line: {@code Invalid configuration: http.port (from
 * CHAT_HTTP_PORT): must be a whole number from 0 to 65535, got 70000}.
 */
public final class ConfigException extends RuntimeException {
  private final String key;
  private final String source;
  private final String problem;

  public ConfigException(String key, String problem) {
    this(key, null, problem);
  }

  /** @param source where the value came from (a file, an environment variable, a system property); null: not known */
  public ConfigException(String key, String source, String problem) {
    super("Invalid configuration: " + key + (source == null ? "" : " (from " + source + ")") + ": " + problem,
        null, false, false);
    this.key = key;
    this.source = source;
    this.problem = problem;
  }

  /** The key path the problem is about, e.g. {@code http.port} or {@code deployments[1].instances}. */
  public String key() {
    return key;
  }

  /** Where the value came from, or null when not known. */
  public String source() {
    return source;
  }

  public String problem() {
    return problem;
  }

  /** The same problem, naming where the value came from (this exception when it already does). */
  public ConfigException from(String valueSource) {
    return source != null || valueSource == null ? this : new ConfigException(key, valueSource, problem);
  }
}
