package dev.vertxchat.auth;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.cluster.ClusterNode;
import dev.vertxchat.cluster.NodeRequests;
import dev.vertxchat.store.SettingsStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether guests may sign in and new accounts may register: from the configuration ({@code auth.guests},
 * {@code auth.registration}) unless an operator changed them (admin API), which is stored and wins at
 * the next start. One per service, shared by every HTTP verticle instance, so a change applies to all
 * of them at once. Safe from any thread.
 *
 * <p>In a cluster ({@link #load(Vertx, SettingsStore, boolean, boolean, ClusterNode)} with a node) a change
 * on one node has every node read the settings again from the store (a request to each node,
 * {@link NodeRequests}), and each node reads them again every {@link #RELOAD_MS} as well.
 */
public final class SignInSettings {
  private static final Logger LOG = LoggerFactory.getLogger(SignInSettings.class);
  static final String GUESTS = "auth.guests";
  static final String REGISTRATION = "auth.registration";
  /** In a cluster: how often each node reads the settings again from the store. */
  public static final long RELOAD_MS = Bans.RELOAD_MS;

  private final SettingsStore store;
  /** The configured values, for settings the store does not hold. */
  private final boolean configuredGuests;
  private final boolean configuredRegistration;
  private volatile boolean guests;
  private volatile boolean registration;
  /** The other nodes, null in a single process. */
  private final NodeRequests cluster;
  /** The last reload; reloads run one after another, so the latest read wins. */
  private Future<Void> reloading = Future.succeededFuture();
  private MessageConsumer<JsonObject> consumer;
  private Vertx vertx;
  private long timer = -1;

  private SignInSettings(SettingsStore store, boolean guests, boolean registration, NodeRequests cluster) {
    this.store = store;
    this.configuredGuests = guests;
    this.configuredRegistration = registration;
    this.guests = guests;
    this.registration = registration;
    this.cluster = cluster;
  }

  /** The settings: what {@code store} holds, else the configured values. */
  public static Future<SignInSettings> load(SettingsStore store, boolean guests, boolean registration) {
    SignInSettings settings = new SignInSettings(store, guests, registration, null);
    return store.all().map(stored -> {
      settings.apply(stored);
      return settings;
    });
  }

  /**
   * As {@link #load(SettingsStore, boolean, boolean)}; with a {@code node} (a cluster), kept the same as
   * the other nodes': this node reads them again when another node asks ({@link Addresses#NODE_SETTINGS})
   * and every {@link #RELOAD_MS}.
   */
  public static Future<SignInSettings> load(Vertx vertx, SettingsStore store, boolean guests, boolean registration,
                                            ClusterNode node) {
    if (node == null) {
      return load(store, guests, registration);
    }
    SignInSettings settings = new SignInSettings(store, guests, registration, NodeRequests.of(vertx, node));
    settings.vertx = vertx;
    // answering first, then reading: a change made while this node starts is not missed
    return settings.cluster.serve(Addresses.NODE_SETTINGS, body -> settings.reload().map(new JsonObject()))
        .compose(consumer -> {
          settings.consumer = consumer;
          return settings.reload();
        })
        .map(v -> {
          settings.timer = vertx.setPeriodic(RELOAD_MS, id -> settings.reload()
              .onFailure(err -> LOG.warn("Reading the sign-in settings again failed: {}", err.toString())));
          return settings;
        });
  }

  /** Fixed values that cannot be changed (no database). */
  public static SignInSettings fixed(boolean guests, boolean registration) {
    return new SignInSettings(null, guests, registration, null);
  }

  /** In a cluster: stops answering the other nodes and reading the settings again. */
  public Future<Void> close() {
    if (vertx != null && timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
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

  /**
   * Changes the given settings (null: unchanged): stored first, then in effect; in a cluster, completes
   * once every node has read them again (or did not answer in time).
   */
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
      return null;
    }).compose(v -> cluster == null ? Future.succeededFuture()
        : cluster.everyNode(Addresses.NODE_SETTINGS, new JsonObject()).mapEmpty()).map(v -> toJson());
  }

  /** Reads the settings again from the store. */
  Future<Void> reload() {
    synchronized (this) {
      reloading = reloading.transform(ignored -> store.all().map(stored -> {
        apply(stored);
        return null;
      }));
      return reloading;
    }
  }

  private void apply(Map<String, String> stored) {
    guests = stored.containsKey(GUESTS) ? Boolean.parseBoolean(stored.get(GUESTS)) : configuredGuests;
    registration = stored.containsKey(REGISTRATION) ? Boolean.parseBoolean(stored.get(REGISTRATION)) : configuredRegistration;
  }
}
