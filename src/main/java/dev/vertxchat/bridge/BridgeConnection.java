package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.auth.Identity;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.bridge.QuietLog;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;

/** One authenticated bridge connection and what it has joined. Touched only on its verticle's event loop. */
final class BridgeConnection {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);
  private static final QuietLog SLOW = new QuietLog(LOG, 10);

  final Wire wire;
  final Identity identity;
  /** The client address it counts against (http.maxConnectionsPerAddress). */
  final String address;
  /** Its SockJS session id on the session transports, else null. */
  final String session;
  /** The transport it opened over, as the metrics count it (a SockJS session's receiving requests could change it). */
  final String transport;
  final Set<String> rooms = new LinkedHashSet<>();
  /** The rooms whose join the membership has heard (after the subscription was in place): each gets one leave. */
  final Set<String> joined = new LinkedHashSet<>();
  final Set<String> addresses = new LinkedHashSet<>();
  /** Frames are handled one after another; an asynchronous step (a join) holds the next frame back. */
  Future<Void> tail = Future.succeededFuture();
  /** chat.send requests of this connection, the head one in flight (see EventBusBridge#send). */
  final ArrayDeque<Runnable> sends = new ArrayDeque<>();
  int queuedFrames;
  int inFlight;
  int malformed;
  long lastSeen = System.currentTimeMillis();
  final long openedAt = System.currentTimeMillis();
  /** The close code and reason the server closed with; 0 while the server has not closed it. */
  int closeCode;
  String closeReason;
  long expiryTimer = -1;
  boolean closed;
  /** Its id in the {@link ConnectionRegistry}; null when it is in none. */
  String registryId;
  /** The bridge's clean-up (rooms left, subscriptions dropped); runs once, when either side closes. */
  Runnable onClosed = () -> { };

  BridgeConnection(Wire wire, Identity identity, String address, String session) {
    this.wire = wire;
    this.identity = identity;
    this.address = address;
    this.session = session;
    this.transport = wire.transport();
  }

  UserRef user() {
    return identity.user();
  }

  /**
   * Writes a frame unless the client has stopped reading: when more than {@code limits.maxQueuedBytes}
   * wait to be sent, the connection is closed ({@link CloseCodes#SLOW_CONSUMER}) instead of letting
   * its backlog grow.
   */
  void write(String frame) {
    if (!closed && !wire.write(frame)) {
      slow();
    }
  }

  void write(SharedFrame frame) {
    if (!closed && !wire.write(frame)) {
      slow();
    }
  }

  private void slow() {
    SLOW.info("Closing the connection of {}: it does not read what it is sent (slow consumer)", user().id());
    close(CloseCodes.SLOW_CONSUMER, "slow consumer");
  }

  /**
   * Closes with a code the client can act on. The connection leaves its rooms at once, not when the
   * client has read the close (a slow consumer may never read it).
   */
  void close(int code, String reason) {
    if (!closed) {
      closeCode = code;
      closeReason = reason;
      wire.close(code, reason);
      onClosed.run();
    }
  }
}
