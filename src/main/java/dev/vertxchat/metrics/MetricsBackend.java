package dev.vertxchat.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.EnumSet;
import java.util.Set;

/**
 * Vert.x's metrics through Micrometer into one Prometheus registry: how the service's Vert.x is made
 * ({@link #builder}: the launcher's hooks and the tests' Vert.x use it, before Vert.x starts), and the
 * registry a started service publishes into and serves ({@link #registry}).
 *
 * <p>Labels stay bounded. The event bus's metrics have no {@code address} label: it would name every room
 * and user ({@code chat.room.<id>}, {@code chat.user.<id>}), and Vert.x builds it for every message
 * before any filter, so even collapsed by a label match each new address would stay in Micrometer's
 * cache of pre-filter ids, and the lookups through the match cost about a tenth of the server's CPU in
 * the durable send benchmark (docs/PERFORMANCE.md); the chat's own metrics say what happens per
 * address kind. The event bus is measured by side (local, remote). The HTTP server's metrics carry
 * the method, status code and route, never the request path or the client. The method is one of
 * {@link #METHODS} or {@code other}: HTTP/1.1 and HTTP/2 accept any token as a method, and each new one
 * would add a series to every HTTP meter. Vert.x's own {@code method} label is therefore off and the
 * method is labelled by {@link #methodTag} (a request tags provider), so an unknown method never reaches
 * Micrometer, not even its cache of pre-filter ids (which a label match's alias would still grow). The
 * route is what Vert.x Web reports: the patterns (or names) of the routes that handled the request, in
 * order, joined by {@code >} (e.g. {@code /api/>/api/>/api/rooms/:id/messages}); a request no route
 * matches has none, so a client's path never becomes a label value.
 */
public final class MetricsBackend {
  /** The registry's name in Vert.x's backend registries (one per process). */
  public static final String REGISTRY = "vertx-chat";
  /** Vert.x's HTTP server response time (Micrometer's name; {@code vertx_http_server_response_time_seconds}). */
  static final String HTTP_RESPONSE_TIME = "vertx.http.server.response.time";
  /** The buckets of {@link #HTTP_RESPONSE_TIME}: Prometheus's defaults, from 1 ms. */
  static final double[] HTTP_BUCKETS_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /** The methods labelled by name (RFC 9110's and PATCH); any other is labelled {@code other}. */
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  /** The label of the methods not in {@link #METHODS}. */
  static final String OTHER_METHOD = "other";

  private MetricsBackend() {}

  /**
   * A builder for the service's Vert.x: {@code options} with the metrics part set ({@link #applyTo}) and,
   * when {@code enabled}, the registry Vert.x's metrics go to, made here ({@link #newRegistry}).
   */
  public static VertxBuilder builder(VertxOptions options, boolean enabled) {
    VertxBuilder builder = Vertx.builder().with(applyTo(options, enabled));
    return enabled ? builder.withMetrics(new MicrometerMetricsFactory(newRegistry())) : builder;
  }

  /** Sets {@code options}' metrics part: Micrometer with a Prometheus registry, JVM and Netty metrics; or none. */
  public static VertxOptions applyTo(VertxOptions options, boolean enabled) {
    return options.setMetricsOptions(metricsOptions(enabled));
  }

  /** Micrometer's options for the service's Vert.x; disabled ones when {@code enabled} is false. */
  public static MicrometerMetricsOptions metricsOptions(boolean enabled) {
    if (!enabled) {
      return new MicrometerMetricsOptions().setEnabled(false);
    }
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(REGISTRY)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        .setNettyMetricsEnabled(true)
        // Vert.x's default labels without the method (labelled by methodTag instead), the event bus by address
        // (collapsed below) and the HTTP server by route (the router's patterns)
        .setLabels(EnumSet.of(Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE, Label.HTTP_ROUTE))
        .setServerRequestTagsProvider(MetricsBackend::methodTag)
        .setClientRequestTagsProvider(MetricsBackend::methodTag);
  }

  /**
   * The Prometheus registry for Vert.x's metrics. Vert.x's timers publish a count, a sum and a maximum;
   * the HTTP server's response time also publishes histogram buckets ({@link #HTTP_BUCKETS_SECONDS}), so
   * that its quantiles can be computed in Prometheus, without the 70 buckets per series Micrometer's
   * percentile histograms would add to every timer.
   */
  static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    double[] buckets = new double[HTTP_BUCKETS_SECONDS.length];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = HTTP_BUCKETS_SECONDS[i] * 1e9; // a timer's buckets are in nanoseconds
    }
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() == Meter.Type.TIMER && id.getName().equals(HTTP_RESPONSE_TIME)) {
          return DistributionStatisticConfig.builder().serviceLevelObjectives(buckets).build().merge(config);
        }
        return config;
      }
    });
    return registry;
  }

  /** The {@code method} label of an HTTP request: its method when it is one of {@link #METHODS}, else {@code other}. */
  static Tags methodTag(HttpRequest request) {
    String method = request.method().name();
    return Tags.of(Label.HTTP_METHOD.toString(), METHODS.contains(method) ? method : OTHER_METHOD);
  }


  /**
   * The registry Vert.x's own metrics go to, when {@code vertx} was created with {@link #applyTo} (metrics
   * on); null otherwise. The service publishes its own metrics there too and serves it on {@code /metrics}.
   */
  public static PrometheusMeterRegistry registry(Vertx vertx) {
    if (vertx.isMetricsEnabled() && BackendRegistries.getNow(REGISTRY) instanceof PrometheusMeterRegistry shared) {
      new FileDescriptorMetrics().bindTo(shared); // open and maximum file descriptors; Vert.x binds the other process metrics
      return shared;
    }
    return null;
  }

  /**
   * A registry of the service's own with the JVM and process metrics, for a Vert.x created without metrics
   * (by another launcher): the chat's metrics are served, Vert.x's are not. The GC metrics are left out
   * (they hold JMX listeners until closed).
   */
  public static PrometheusMeterRegistry standalone() {
    PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvm(own);
    return own;
  }

  private static void bindJvm(MeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }
}
