package dev.vertxchat;

import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigFileReader;
import dev.vertxchat.config.ConfigException;
import dev.vertxchat.config.ConfigLoader;
import dev.vertxchat.metrics.MetricsBackend;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The jar's entry point: Vert.x's application launcher (same command line: {@code -conf},
 * {@code -instances}, {@code --vertx-options}, {@code -Dvertx.options.*}, {@code -cluster} ...) with this
 * class as its hooks, which
 * <ul>
 *   <li>refuse to start, with one line naming the file and what is wrong with it, when {@code -conf} is
 *   not a readable JSON object (the launcher itself only warns and starts on an empty configuration);</li>
 *   <li>deploy {@link MainVerticle}, the composition root, once, and hand the launcher's instance count to
 *   it: {@code -instances N} multiplies the instances of every entry of {@code deployments};</li>
 *   <li>prefer a native transport unless {@code -Dvertx.options.preferNativeTransport} or the
 *   {@code --vertx-options} JSON says otherwise. On Linux x86-64 that is Netty's epoll transport (a
 *   dependency of the service), which writes to a socket without NIO's per-write locking and buffer
 *   views; elsewhere, or when the native library cannot load, Vert.x stays on NIO;</li>
 *   <li>turn Vert.x's metrics on (Micrometer, Prometheus; {@link MetricsBackend}) when the configuration's
 *   {@code metrics.enabled} says so (the default): metrics must be set before Vert.x starts, so this
 *   reads the configuration's sources (the {@code -conf} file or {@code conf/config.json}, {@code CHAT_*},
 *   {@code -Dchat.*}) for it once more, as {@link MainVerticle} will;</li>
 *   <li>log when the service starts stopping and when it has stopped, with how long that took; a stop
 *   while the service starts abandons the start ({@link MainVerticle#abandonStart()}) without start-up
 *   errors;</li>
 *   <li>with TLS on the HTTP port, reload the certificate files on SIGHUP (the handler is installed before
 *   the start, a SIGHUP during the start reloads once started), and say so at start; where
 *   SIGHUP cannot be handled (ignored since the process started, as under {@code nohup}; {@code -Xrs})
 *   say at WARN that SIGHUP reload is off and the files' periodic check is the way. Without TLS,
 *   SIGHUP keeps the JVM's own meaning.</li>
 * </ul>
 */
public final class Launcher extends VertxApplication implements VertxApplicationHooks {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);
  private static final String PREFER_NATIVE = "preferNativeTransport";
  private static final String PREFER_NATIVE_PROPERTY = "vertx.options." + PREFER_NATIVE;
  /** The launcher's options that take a value; it accepts them with one or two dashes, in any case, and as {@code -name=value}. */
  private static final Set<String> WITH_VALUE = Set.of("options", "vertx-options", "cluster-port", "cluster-host",
      "cluster-public-port", "cluster-public-host", "deployment-options", "instances", "conf");

  /** The {@code -conf} value as given (a file or inline JSON), null when there is none. */
  private final String confOption;
  /** The main verticle named on the command line, null when none (the launcher's optional parameter). */
  private final String verticleArgument;
  /** {@code -cluster} was given: this process is a node of a cluster. */
  private final boolean cluster;
  private String configSource;
  /** The configuration the launcher parsed ({@code -conf}), as the main verticle gets it. */
  private JsonObject launchConfig;
  private boolean metrics;
  private boolean optionsNameTransport;
  private volatile int scale = 1;
  private volatile MainVerticle main;
  private volatile long stoppingSince;
  /** The configuration as the launcher read it for metrics; null when it is not valid. */
  private ChatConfig startConfig;
  private boolean sighupHandled;
  /** The service has started: a SIGHUP reloads at once. */
  private final AtomicBoolean started = new AtomicBoolean();
  /** A SIGHUP came while the service started: reload once started. */
  private final AtomicBoolean reloadWhenStarted = new AtomicBoolean();

  public Launcher(String[] args) {
    super(args, null); // no separate hooks: the launcher uses this object, which implements them
    String conf = null;
    String verticle = null;
    boolean clustered = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        verticle = verticle == null && i + 1 < args.length ? args[i + 1] : verticle;
        break;
      }
      if (!arg.startsWith("-")) {
        verticle = verticle == null ? arg : verticle;
        continue;
      }
      String name = arg.substring(arg.startsWith("--") ? 2 : 1).toLowerCase(Locale.ROOT);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = arg.substring(arg.indexOf('=') + 1);
        name = name.substring(0, eq);
      } else if (WITH_VALUE.contains(name) && i + 1 < args.length) {
        value = args[++i];
      }
      if (name.equals("conf")) {
        conf = value;
      } else if (name.equals("cluster")) {
        clustered = value == null || Boolean.parseBoolean(value);
      }
    }
    this.cluster = clustered;
    this.confOption = conf;
    this.verticleArgument = verticle;
  }

  public static void main(String[] args) {
    new Launcher(args).launch();
  }

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject vertxOptions) {
    optionsNameTransport = vertxOptions != null && vertxOptions.containsKey(PREFER_NATIVE);
    return vertxOptions;
  }

  /**
   * The launcher hands over null when {@code -conf} is neither a readable JSON file nor a JSON object;
   * throwing from a hook makes it end with a non-zero exit code before Vert.x starts.
   */
  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    if (verticleArgument != null && !verticleArgument.equals(MainVerticle.class.getName())) {
      throw refuse(new IllegalArgumentException("This launcher runs " + MainVerticle.class.getName() + ", not "
          + verticleArgument + "; start other verticles with " + VertxApplication.class.getName()));
    }
    launchConfig = config;
    if (confOption == null) {
      return config;
    }
    if (config == null) {
      throw refuse(ConfigFileReader.unusable(confOption));
    }
    configSource = isFile(confOption) ? confOption : "-conf";
    return config;
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    if (!optionsNameTransport && System.getProperty(PREFER_NATIVE_PROPERTY) == null) {
      context.vertxOptions().setPreferNativeTransport(true);
    }
    if (metrics) {
      // again here, after the launcher applied --vertx-options and -Dvertx.metrics.options.*: the service's options win
      MetricsBackend.applyTo(context.vertxOptions(), true);
    }
  }

  /** With metrics when the configuration's {@code metrics.enabled} says so; the registry is made here. */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    // a configuration that is not valid starts no metrics: the main verticle refuses it and says why
    ChatConfig config = ConfigLoader.readNow(launchConfig == null ? new JsonObject() : launchConfig, configSource);
    if (cluster && config != null) {
      try {
        // before Hazelcast starts (seconds) and joins the others: a node that cannot serve never joins
        MainVerticle.refuseAsClusterNode(config);
      } catch (ConfigException e) {
        throw refuse(e);
      }
    }
    startConfig = config;
    metrics = config != null && config.metricsEnabled();
    return MetricsBackend.builder(options, metrics);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    // called once, at deployment, after beforeDeployingVerticle has taken the instance count
    return () -> {
      MainVerticle root = new MainVerticle(scale, configSource);
      main = root;
      return root;
    };
  }

  /** The composition root exists once per process: the launcher's instance count goes to its plan instead. */
  @Override
  public void beforeDeployingVerticle(HookContext context) {
    DeploymentOptions options = context.deploymentOptions();
    if (options.getInstances() < 1) {
      throw refuse(new IllegalArgumentException("-instances must be at least 1, got " + options.getInstances()));
    }
    scale = options.getInstances();
    options.setInstances(1);
    if (startConfig != null && startConfig.tls()) {
      // before the start, which takes seconds: a SIGHUP meanwhile must not stop the process
      reloadOnSighup(startConfig.tlsReloadCheckMs());
    }
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    MainVerticle root = main;
    if (root == null || !root.tlsEnabled()) {
      return;
    }
    if (!sighupHandled) {
      reloadOnSighup(-1); // the launcher could not read the configuration the service started with
    }
    started.set(true);
    if (reloadWhenStarted.getAndSet(false)) {
      root.reloadTls();
    }
  }

  private void onSighup() {
    if (!started.get()) {
      LOG.info("SIGHUP during start-up: the TLS certificate files are read again once the service has started");
      reloadWhenStarted.set(true);
      if (!started.get() || !reloadWhenStarted.getAndSet(false)) {
        return; // afterVerticleDeployed reloads (or the start fails and there is nothing to reload)
      }
    }
    LOG.info("SIGHUP: reading the TLS certificate files again");
    main.reloadTls();
  }

  /**
   * Installs the SIGHUP handler, or says at WARN why SIGHUP will not reload the certificate. A process
   * whose parent ignored SIGHUP ({@code nohup}, {@code trap '' HUP}) keeps ignoring it: HotSpot does not
   * install a handler then (it answers "ignored" as the previous handler), and where a JVM would, the
   * handler is taken back, so that the operator's {@code nohup} means what it says on every JVM.
   */
  private void reloadOnSighup(long checkMs) {
    sighupHandled = true;
    sun.misc.Signal hup = new sun.misc.Signal("HUP");
    String instead = checkMs == 0 ? "http.tls.reloadCheckMs is 0, so a new certificate is served only after a restart"
        : "the certificate is reloaded when its files change (http.tls.reloadCheckMs" + (checkMs > 0 ? ", every "
        + checkMs + " ms)" : ")");
    try {
      sun.misc.SignalHandler previous = sun.misc.Signal.handle(hup, signal -> onSighup());
      if (previous == sun.misc.SignalHandler.SIG_IGN) {
        sun.misc.Signal.handle(hup, sun.misc.SignalHandler.SIG_IGN);
        LOG.warn("SIGHUP reload is off: this process was started with SIGHUP ignored (nohup?) and keeps ignoring it;"
            + " {}", instead);
        return;
      }
      LOG.info("SIGHUP reloads the TLS certificate (kill -HUP {})", ProcessHandle.current().pid());
    } catch (IllegalArgumentException | UnsupportedOperationException | SecurityException | LinkageError e) {
      LOG.warn("SIGHUP reload is off: SIGHUP cannot be handled here ({}); {}", e.toString(), instead);
    }
  }

  @Override
  public void beforeStoppingVertx(HookContext context) {
    MainVerticle root = main;
    if (context.deploymentId() != null && root != null) {
      stoppingSince = System.nanoTime();
      LOG.info("vertx-chat stopping ({})", root.deployed());
    } else if (root != null) {
      // a stop (SIGTERM, SIGINT) while the service starts: Vert.x undeploys it right after this hook
      stoppingSince = System.nanoTime();
      root.abandonStart();
      LOG.info("vertx-chat stopping during start-up");
    }
  }

  @Override
  public void afterVertxStopped(HookContext context) {
    long since = stoppingSince;
    if (since != 0) {
      LOG.info("vertx-chat stopped in {} ms", (System.nanoTime() - since) / 1_000_000);
    }
  }

  private static RuntimeException refuse(RuntimeException problem) {
    LOG.error("{}", problem.getMessage());
    return problem;
  }

  private static boolean isFile(String conf) {
    try {
      return Files.isRegularFile(Path.of(conf));
    } catch (InvalidPathException e) {
      return false;
    }
  }
}
