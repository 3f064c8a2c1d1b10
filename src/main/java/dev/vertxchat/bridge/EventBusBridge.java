package dev.vertxchat.bridge;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.auth.Identity;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.chat.Access;
import dev.vertxchat.chat.Membership;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.metrics.ChatMetrics;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Set;

/**
 * The event-bus bridge, speaking the protocol of {@code vertx-eventbus.js} over every SockJS transport
 * and the raw WebSocket endpoint: connections (authenticated at the handshake by
 * {@link HandshakeGuard}), their frames handled one after another by {@link FrameRules}, token expiry,
 * ping timeout and shutdown.
 *
 * <p>Longer than 300 lines because a connection's life (opened, frames, expiry, losing a room, closed) is one
 * sequence that must be read in one place.
 */
public final class EventBusBridge {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusBridge.class);
  /** Frames waiting behind an unfinished join before the connection counts as flooding. */
  private static final int MAX_QUEUED_FRAMES = 1000;
  /** What a WebSocket message may exceed {@code limits.maxFrameBytes} by (SockJS framing; same for raw). */
  public static final int FRAME_SLACK = 1024;
  /** A SockJS connection that sent nothing for this long gets a heartbeat frame (SockJS's default). */
  static final long HEARTBEAT_MS = 25_000;

  private final Vertx vertx;
  private final ChatConfig config;
  private final FanOut fanOut;
  private final FrameRules rules;
  private final HandshakeGuard guard;
  private final Set<BridgeConnection> connections = new LinkedHashSet<>();
  private final long sweepTimer;
  /** WebSockets on {@link NettyWebSocketWire} (true) or Vert.x's public API ({@link VertxWebSocketWire}). */
  private final boolean fastPath;
  private final ChatMetrics metrics;
  private final ConnectionRegistry registry;
  /** Hears {@link Addresses#ROOM_REMOVED} (from any node): kicked, banned and removed users lose the room here. */
  private final MessageConsumer<JsonObject> removals;

  /** @param membership the chat side's owner of rooms and presence, asked on every join and leave */
  public EventBusBridge(Vertx vertx, ChatConfig config, Membership membership, HandshakeGuard guard) {
    this(vertx, config, membership, guard, new ConnectionRegistry(), ChatMetrics.none());
  }

  /**
   * @param membership the chat side's owner of rooms and presence, asked on every join and leave
   * @param registry   where its connections are listed (one per service, over every HTTP verticle instance)
   * @param metrics    counts connections and deliveries
   */
  public EventBusBridge(Vertx vertx, ChatConfig config, Membership membership, HandshakeGuard guard,
                        ConnectionRegistry registry, ChatMetrics metrics) {
    this(vertx, config, membership, guard, registry, metrics, null);
  }

  /**
   * @param membership the chat side's owner of rooms and presence, asked on every join and leave
   * @param registry   where its connections are listed (one per service, over every HTTP verticle instance)
   * @param metrics    counts connections and deliveries
   * @param catchUp    cluster mode: reads rooms from the database so that every room's messages, published
   *                   by several nodes, are delivered in id order, once, with no gap ({@link RoomCatchUp#over});
   *                   null in a single process (delivered as published)
   */
  public EventBusBridge(Vertx vertx, ChatConfig config, Membership membership, HandshakeGuard guard,
                        ConnectionRegistry registry, ChatMetrics metrics, RoomCatchUp catchUp) {
    this(vertx, config, membership, null, guard, registry, metrics, catchUp);
  }

  /**
   * As above, with {@code access} asked before every join ({@link Access#readable}: private rooms, bans); null:
   * every existing room may be joined.
   */
  public EventBusBridge(Vertx vertx, ChatConfig config, Membership membership, Access access, HandshakeGuard guard,
                        ConnectionRegistry registry, ChatMetrics metrics, RoomCatchUp catchUp) {
    this.registry = registry;
    this.metrics = metrics;
    this.vertx = vertx;
    this.guard = guard;
    this.config = config;
    this.fastPath = config.webSocketFastPath() && NettyWebSocketWire.available(vertx);
    if (config.webSocketFastPath() && !fastPath) {
      LOG.warn("This Vert.x lacks the internals of the WebSocket fast path; WebSockets use Vert.x's public API");
    }
    // a deleted room's members are removed from it once they got its room.deleted envelope
    this.fanOut = new FanOut(vertx, metrics, (room, conn) -> {
      conn.addresses.remove(Addresses.room(room));
      roomDeleted(conn, room);
    }, catchUp);
    this.rules = new FrameRules(vertx, config, membership, access, fanOut);
    // a normal consumer: a user kicked on any node loses the room on every node
    this.removals = vertx.eventBus().consumer(Addresses.ROOM_REMOVED, msg -> removed(msg.body()));
    long every = Math.max(250, Math.min(5000, config.pingTimeoutMs() / 4));
    this.sweepTimer = vertx.setPeriodic(every, id -> sweep());
  }

  /**
   * A WebSocket upgrade: the raw endpoint ({@code sockJs} false) or SockJS's WebSocket transport.
   * Served before the router (whose request wrapper hides the connection the fast path takes over),
   * with the same checks as every other bridge request; a request they refuse is handed to {@code refused}
   * with its reason, to be answered by the caller (the request is resumed); {@code upgraded} hears the user of
   * a connection that opened.
   */
  public void upgrade(HttpServerRequest request, boolean sockJs, Handler<ChatException> refused, Handler<UserRef> upgraded) {
    request.pause();
    guard.authenticate(request, request.path()).onComplete(ar -> {
      if (ar.failed()) {
        request.resume();
        refused.handle(ChatException.from(ar.cause()));
        return;
      }
      HandshakeGuard.Admission admission = ar.result();
      request.toWebSocket().onSuccess(ws -> {
        upgraded.handle(admission.identity().user());
        Wire wire = fastPath
            ? NettyWebSocketWire.takeOver(ws, vertx, sockJs, maxMessageBytes())
            : new VertxWebSocketWire(ws, sockJs, maxMessageBytes(), maxQueuedBytes());
        // no session owner: nothing else reaches a WebSocket's session (the owners are those of XHR sessions,
        // whose ids a WebSocket must not take over or free)
        connect(wire, admission.identity(), admission.address(), null, admission.reserved());
      }).onFailure(err -> {
        if (admission.reserved()) {
          guard.connections().close(admission.address()); // the place reserved for it
        }
        LOG.debug("WebSocket upgrade failed: {}", err.toString());
      });
    });
  }

  /**
   * A new bridge connection over {@code wire}, for a client whose request the guard admitted;
   * {@code session}: its SockJS session id on the XHR transports, else null; {@code reserved}: its place under the caps was
   * reserved at the handshake. Call on the wire's context.
   */
  BridgeConnection connect(Wire wire, Identity identity, String address, String session, boolean reserved) {
    BridgeConnection conn = new BridgeConnection(wire, identity, address == null ? "unknown" : address, session);
    connections.add(conn);
    if (!reserved) {
      guard.connections().open(conn.address);
    }
    if (session != null) {
      guard.bind(session, identity.user().id());
    }
    long untilExpiry = identity.expiresAt() - System.currentTimeMillis();
    conn.expiryTimer = vertx.setTimer(Math.max(1, untilExpiry), id -> conn.close(CloseCodes.TOKEN_EXPIRED, "token expired"));
    conn.onClosed = () -> closed(conn);
    metrics.connectionOpened(conn.transport);
    conn.registryId = registry.add(conn, vertx.getOrCreateContext());
    wire.bind(frame -> enqueue(conn, frame), v -> tooLarge(conn), v -> closed(conn));
    LOG.debug("Bridge connection opened for {} over {}", conn.user().id(), wire.transport());
    return conn;
  }

  int maxQueuedBytes() {
    return config.maxQueuedBytes();
  }

  long sockJsDisconnectDelayMs() {
    return config.sockJsDisconnectDelayMs();
  }

  /** The largest client message a wire takes (the frame limit plus framing slack). */
  int maxMessageBytes() {
    return config.maxFrameBytes() + FRAME_SLACK;
  }

  /**
   * Closes every connection (server shutdown) with 1001; completes when the close frames are on their
   * way (a SockJS polling client gets its close frame with its next poll) and the requests the
   * connections sent have their answers, at most 2 s later.
   */
  public Future<Void> closeAll() {
    vertx.cancelTimer(sweepTimer);
    removals.unregister();
    // new requests are refused (5001, nothing done); those already forwarded are answered before the close, so a
    // client knows about every send whether it was stored (at most 2 s, then the connections close anyway)
    rules.stopAccepting();
    return rules.answered().timeout(2, TimeUnit.SECONDS).otherwiseEmpty().compose(v -> {
      List<Future<Void>> delivered = new ArrayList<>();
      for (BridgeConnection conn : new ArrayList<>(connections)) {
        conn.close(CloseCodes.GOING_AWAY, "server shutting down");
        delivered.add(conn.wire.closeDelivered());
      }
      return Future.all(delivered).timeout(2, TimeUnit.SECONDS).<Void>mapEmpty().otherwiseEmpty();
    });
  }

  /**
   * A node left the cluster: each room subscribed here reads what was committed after the last message it
   * delivered (the node may have committed messages it never published) and delivers it in order. Callable
   * from any thread; does nothing without a catch-up (a single process).
   */
  public void catchUpAll() {
    fanOut.catchUpAll();
  }

  private void closed(BridgeConnection conn) {
    if (conn.closed) {
      return;
    }
    conn.closed = true;
    connections.remove(conn);
    if (conn.registryId != null) {
      registry.remove(conn.registryId);
    }
    vertx.cancelTimer(conn.expiryTimer);
    guard.connections().close(conn.address);
    if (conn.session != null) {
      guard.unbind(conn.session, conn.user().id());
    }
    for (String room : new ArrayList<>(conn.rooms)) {
      rules.leave(conn, room);
    }
    for (String address : conn.addresses) {
      fanOut.unsubscribe(address, conn);
    }
    conn.addresses.clear();
    metrics.connectionClosed(conn.transport, conn.closeCode);
    if (conn.closeCode == CloseCodes.SLOW_CONSUMER) {
      metrics.slowConsumer();
    }
    long ms = System.currentTimeMillis() - conn.openedAt;
    String seconds = String.format("%.1f", ms / 1000.0);
    // the same values as key-value pairs, for the JSON log format
    LoggingEventBuilder line = LOG.atInfo().addKeyValue("user", conn.user().id()).addKeyValue("transport", conn.wire.transport());
    if (conn.closeCode != 0) {
      line.addKeyValue("code", conn.closeCode).addKeyValue("reason", conn.closeReason).addKeyValue("by", "server")
          .addKeyValue("durationMs", ms)
          .log("Bridge connection closed: user={} transport={} code={} reason=\"{}\" by=server duration={}s",
              conn.user().id(), conn.wire.transport(), conn.closeCode, conn.closeReason, seconds);
    } else {
      line.addKeyValue("by", "client").addKeyValue("durationMs", ms)
          .log("Bridge connection closed: user={} transport={} by=client duration={}s", conn.user().id(), conn.wire.transport(), seconds);
    }
  }

  /**
   * {@code {"room","user","reason","by"}}: each connection of the user here that is in the room gets a
   * {@code removed} envelope on the room's address and leaves the room, as a {@code room.deleted} removes
   * everyone from a deleted room.
   */
  private void removed(JsonObject body) {
    String room = body == null ? null : body.getString("room");
    String user = body == null ? null : body.getString("user");
    if (room == null || user == null || !Addresses.ROOM_ID.matcher(room).matches()) {
      return;
    }
    JsonObject by = body.getJsonObject("by");
    String envelope = new Envelope(null, room, Envelope.REMOVED, by == null ? null : UserRef.fromJson(by), null,
        System.currentTimeMillis()).withMore(new JsonObject().put("reason", body.getString("reason"))).toJson().encode();
    for (BridgeConnection conn : new ArrayList<>(connections)) {
      if (conn.user().id().equals(user)) {
        rules.removed(conn, room, envelope);
      }
    }
  }

  private void roomDeleted(BridgeConnection conn, String room) {
    rules.leave(conn, room);
  }

  private void tooLarge(BridgeConnection conn) {
    conn.write(BridgeFrames.err(null, BridgeFrames.FRAME_TOO_LARGE,
        new ChatException(ErrorCodes.PAYLOAD_TOO_LARGE, "frame larger than " + config.maxFrameBytes() + " bytes")));
    conn.close(CloseCodes.TOO_BIG, "frame too large");
  }

  /** Closes connections that fell silent; SockJS connections that sent nothing for a while get a heartbeat. */
  private void sweep() {
    long now = System.currentTimeMillis();
    long deadline = now - config.pingTimeoutMs();
    for (BridgeConnection conn : new ArrayList<>(connections)) {
      if (conn.lastSeen < deadline) {
        conn.close(CloseCodes.PING_TIMEOUT, "ping timeout");
      } else {
        conn.wire.heartbeat(now);
      }
    }
  }

  private void enqueue(BridgeConnection conn, String frame) {
    conn.lastSeen = System.currentTimeMillis();
    if (frame.length() > config.maxFrameBytes()) {
      tooLarge(conn);
      return;
    }
    if (++conn.queuedFrames > MAX_QUEUED_FRAMES) {
      conn.close(CloseCodes.PROTOCOL_ERROR, "too many frames");
      return;
    }
    conn.tail = conn.tail.transform(ar -> {
      conn.queuedFrames--;
      if (conn.closed) {
        return Future.succeededFuture();
      }
      try {
        return rules.handle(conn, frame);
      } catch (RuntimeException e) {
        LOG.error("Bridge frame from {} could not be handled", conn.user().id(), e);
        conn.write(BridgeFrames.err(null, BridgeFrames.REJECTED, new ChatException(ErrorCodes.INTERNAL, "internal error")));
        return Future.succeededFuture();
      }
    });
  }
}
