package dev.vertxchat.auth;

import dev.vertxchat.store.SettingsStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether guests may sign in and new accounts may register: from the configuration ({@code auth.guests},
 * {@code auth.registration}) unless an operator changed them (admin API), which is stored and wins at
 * the next start. One per service, shared by every HTTP verticle instance, so a change applies to all
 * of them at once. Safe from any thread.
 */
public final class SignInSettings {
  static final String GUESTS = "auth.guests";
  static final String REGISTRATION = "auth.registration";

  private final SettingsStore store;
  private volatile boolean guests;
  private volatile boolean registration;

  private SignInSettings(SettingsStore store, boolean guests, boolean registration) {
    this.store = store;
    this.guests = guests;
    this.registration = registration;
  }

  /** The settings: what {@code store} holds, else the configured values. */
  public static Future<SignInSettings> load(SettingsStore store, boolean guests, boolean registration) {
    return store.all().map(stored -> new SignInSettings(store,
        stored.containsKey(GUESTS) ? Boolean.parseBoolean(stored.get(GUESTS)) : guests,
        stored.containsKey(REGISTRATION) ? Boolean.parseBoolean(stored.get(REGISTRATION)) : registration));
  }

  /** Fixed values that cannot be changed (no database). */
  public static SignInSettings fixed(boolean guests, boolean registration) {
    return new SignInSettings(null, guests, registration);
  }

  public boolean guests() {
    return guests;
  }

  public boolean registration() {
    return registration;
  }

  /** {@code {"guestSignIn","registration"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("guestSignIn", guests).put("registration", registration);
  }

  /** Changes the given settings (null: unchanged): stored first, then in effect. */
  public Future<JsonObject> update(Boolean newGuests, Boolean newRegistration) {
    Map<String, String> values = new LinkedHashMap<>();
    if (newGuests != null) {
      values.put(GUESTS, newGuests.toString());
    }
    if (newRegistration != null) {
      values.put(REGISTRATION, newRegistration.toString());
    }
    return store.put(values).map(v -> {
      if (newGuests != null) {
        guests = newGuests;
      }
      if (newRegistration != null) {
        registration = newRegistration;
      }
      return toJson();
    });
  }
}
