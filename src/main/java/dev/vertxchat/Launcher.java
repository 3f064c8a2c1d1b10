package dev.vertxchat;

import io.vertx.launcher.application.VertxApplication;

/**
 * The jar's entry point: Vert.x's application launcher (same command line: {@code -conf},
 * {@code --vertx-options}, {@code -Dvertx.options.*}) with {@link MainVerticle}, and Vert.x told to
 * prefer a native transport unless {@code -Dvertx.options.preferNativeTransport} says otherwise. On
 * Linux x86-64 that is Netty's epoll transport (a dependency of the service), which writes to a socket
 * without NIO's per-write locking and buffer views; elsewhere, or when the native library cannot load,
 * Vert.x stays on NIO. The transport in use is logged at start ("Network transport: ...").
 */
public final class Launcher {
  private static final String PREFER_NATIVE = "vertx.options.preferNativeTransport";

  private Launcher() {}

  public static void main(String[] args) {
    if (System.getProperty(PREFER_NATIVE) == null) {
      System.setProperty(PREFER_NATIVE, "true");
    }
    // the launcher finds its main verticle in the manifest only when it is the jar's Main-Class itself
    boolean verticleGiven = args.length > 0 && !args[0].startsWith("-");
    String[] withVerticle = args;
    if (!verticleGiven) {
      withVerticle = new String[args.length + 1];
      withVerticle[0] = MainVerticle.class.getName();
      System.arraycopy(args, 0, withVerticle, 1, args.length);
    }
    VertxApplication.main(withVerticle);
  }
}
