package dev.vertxchat.store;

import io.vertx.core.Future;

import java.util.Map;

/** Settings an operator changed at run time (name to value); they win over the configuration at start. */
public interface SettingsStore {
  /** Every stored setting. */
  Future<Map<String, String>> all();

  /** Stores the values, replacing those of the same names, in one transaction. */
  Future<Void> put(Map<String, String> values);
}
