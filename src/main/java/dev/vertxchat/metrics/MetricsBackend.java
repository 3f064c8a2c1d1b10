package dev.vertxchat.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Vert.x's metrics through Micrometer into one Prometheus registry: the options a Vert.x must be created
 * with ({@link #applyTo}, used by the launcher before Vert.x starts and by the tests' Vert.x), and the
 * registry a started service publishes into and serves ({@link #registry}).
 *
 * <p>Labels stay bounded: the event bus's {@code address} label would name every room and user
 * ({@code chat.room.<id>}, {@code chat.user.<id>}) and every reply address; those collapse into
 * {@code chat.room.*}, {@code chat.user.*} and {@code __vertx.reply.*}. The HTTP server's metrics carry
 * the method, status code and route (the router's pattern), never the request path or the client.
 */
public final class MetricsBackend {
  /** The registry's name in Vert.x's backend registries (one per process). */
  public static final String REGISTRY = "vertx-chat";

  private MetricsBackend() {}

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
        // histograms (buckets) for Vert.x's timers, so latency quantiles can be computed in Prometheus
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))
        .setJvmMetricsEnabled(true)
        .setNettyMetricsEnabled(true)
        .addLabels(Label.EB_FAILURE)
        .addLabelMatch(collapse("chat\\.room\\..+", "chat.room.*"))
        .addLabelMatch(collapse("chat\\.user\\..+", "chat.user.*"))
        .addLabelMatch(collapse("__vertx\\.reply\\..+", "__vertx.reply.*"));
  }

  private static Match collapse(String regex, String alias) {
    return new Match().setDomain(MetricsDomain.EVENT_BUS).setLabel(Label.EB_ADDRESS.toString())
        .setType(MatchType.REGEX).setValue(regex).setAlias(alias);
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
