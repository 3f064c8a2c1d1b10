package dev.vertxchat.bridge;

import dev.vertxchat.auth.Identity;
import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.chat.Presence;
import dev.vertxchat.chat.RoomDirectory;
import dev.vertxchat.chat.RoomEvents;
import dev.vertxchat.config.ChatConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServerRequest;
import dev.vertxchat.http.Failures;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The event-bus bridge, deny by default, speaking the protocol of {@code vertx-eventbus.js} over every
 * SockJS transport and the raw WebSocket endpoint. Each frame is checked for the connection's
 * authenticated user:
 * <ul>
 *   <li>register {@code chat.room.<id>} joins an existing room (presence, join envelope);
 *       register {@code chat.user.<own id>} receives private notices; anything else is refused;</li>
 *   <li>send only to the service addresses, with the identity stamped by the server; {@code chat.send}
 *       and {@code chat.typing} only for a room joined on this connection;</li>
 *   <li>publish is never allowed; every refusal is answered (err frame or failed reply).</li>
 * </ul>
 */
public final class EventBusBridge {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusBridge.class);
  /** Frames waiting behind an unfinished join before the connection counts as flooding. */
  private static final int MAX_QUEUED_FRAMES = 1000;
  /** Requests awaiting their reply per connection. */
  private static final int MAX_IN_FLIGHT = 100;
  /** Malformed frames tolerated per connection. */
  private static final int MAX_MALFORMED = 20;
  private static final int MAX_REPLY_ADDRESS = 128;

  private final Vertx vertx;
  private final ChatConfig config;
  private final Presence presence;
  private final RoomDirectory rooms;
  private final FanOut fanOut;
  private final Set<BridgeConnection> connections = new LinkedHashSet<>();
  private final long sweepTimer;

  public EventBusBridge(Vertx vertx, ChatConfig config, Presence presence, RoomDirectory rooms) {
    this.vertx = vertx;
    this.config = config;
    this.presence = presence;
    this.rooms = rooms;
    this.fanOut = new FanOut(vertx);
    long every = Math.max(250, Math.min(5000, config.pingTimeoutMs() / 4));
    this.sweepTimer = vertx.setPeriodic(every, id -> dropSilent());
  }

  public int connectionCount() {
    return connections.size();
  }

  /** A new SockJS socket whose handshake request was authenticated by {@link HandshakeGuard}. */
  public void handle(SockJSSocket socket) {
    Identity identity = HandshakeGuard.identityOf(socket.routingContext());
    if (identity == null) {
      // cannot happen behind the guard; never serve an unauthenticated socket anyway
      socket.close(CloseCodes.PROTOCOL_ERROR, "not authenticated");
      return;
    }
    BridgeConnection conn = open(new SockJsWire(socket, config.maxQueuedBytes()), identity);
    socket.exceptionHandler(err -> LOG.debug("Bridge socket error for {}: {}", conn.user().id(), err.toString()));
    socket.closeHandler(v -> closed(conn));
    socket.handler(frame -> enqueue(conn, frame.toString()));
  }

  /**
   * The raw WebSocket endpoint. Served before the router (whose request wrapper hides the connection
   * the raw wire writes to), with the same checks as every other bridge request.
   */
  public void upgrade(HttpServerRequest request, HandshakeGuard guard) {
    request.pause();
    guard.authenticate(request).onComplete(ar -> {
      if (ar.failed()) {
        request.resume();
        Failures.send(request.response(), ChatException.from(ar.cause()));
        return;
      }
      Identity identity = ar.result();
      request.toWebSocket().onSuccess(ws -> {
        BridgeConnection conn = open(new RawWebSocketWire(ws, config.maxQueuedBytes()), identity);
        ws.exceptionHandler(err -> LOG.debug("Bridge socket error for {}: {}", conn.user().id(), err.toString()));
        ws.closeHandler(v -> closed(conn));
        ws.textMessageHandler(frame -> enqueue(conn, frame));
        ws.binaryMessageHandler(frame -> enqueue(conn, frame.toString()));
      }).onFailure(err -> LOG.debug("WebSocket upgrade failed: {}", err.toString()));
    });
  }

  private BridgeConnection open(Wire wire, Identity identity) {
    BridgeConnection conn = new BridgeConnection(wire, identity);
    connections.add(conn);
    long untilExpiry = identity.expiresAt() - System.currentTimeMillis();
    conn.expiryTimer = vertx.setTimer(Math.max(1, untilExpiry), id -> conn.close(CloseCodes.TOKEN_EXPIRED, "token expired"));
    LOG.debug("Bridge connection opened for {}", conn.user().id());
    return conn;
  }

  /** Closes every connection (server shutdown); their close handlers update presence. */
  public void closeAll() {
    vertx.cancelTimer(sweepTimer);
    for (BridgeConnection conn : new ArrayList<>(connections)) {
      conn.close(CloseCodes.GOING_AWAY, "server shutting down");
    }
  }

  private void closed(BridgeConnection conn) {
    if (conn.closed) {
      return;
    }
    conn.closed = true;
    connections.remove(conn);
    vertx.cancelTimer(conn.expiryTimer);
    if (conn.wire.sockJsSocket() != null) {
      HandshakeGuard.unbind(vertx, conn.wire.sockJsSocket());
    }
    for (String room : new ArrayList<>(conn.rooms)) {
      leave(conn, room);
    }
    for (String address : conn.addresses) {
      fanOut.unsubscribe(address, conn);
    }
    conn.addresses.clear();
    LOG.debug("Bridge connection closed for {}", conn.user().id());
  }

  private void dropSilent() {
    long deadline = System.currentTimeMillis() - config.pingTimeoutMs();
    for (BridgeConnection conn : new ArrayList<>(connections)) {
      if (conn.lastSeen < deadline) {
        conn.close(CloseCodes.PING_TIMEOUT, "ping timeout");
      }
    }
  }

  private void enqueue(BridgeConnection conn, String frame) {
    conn.lastSeen = System.currentTimeMillis();
    if (frame.length() > config.maxFrameBytes()) {
      conn.write(BridgeFrames.err(null, BridgeFrames.FRAME_TOO_LARGE,
          new ChatException(ErrorCodes.PAYLOAD_TOO_LARGE, "frame larger than " + config.maxFrameBytes() + " bytes")));
      conn.close(CloseCodes.TOO_BIG, "frame too large");
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
        return handleFrame(conn, frame);
      } catch (RuntimeException e) {
        LOG.error("Bridge frame from {} could not be handled", conn.user().id(), e);
        conn.write(BridgeFrames.err(null, BridgeFrames.REJECTED, new ChatException(ErrorCodes.INTERNAL, "internal error")));
        return Future.succeededFuture();
      }
    });
  }

  private Future<Void> handleFrame(BridgeConnection conn, String frame) {
    JsonObject json;
    try {
      json = new JsonObject(frame);
    } catch (RuntimeException e) {
      return malformed(conn, BridgeFrames.INVALID_JSON, "a frame must be a JSON object");
    }
    if (!(json.getValue("type") instanceof String type)) {
      return malformed(conn, BridgeFrames.UNKNOWN_TYPE, "a frame needs a string \"type\"");
    }
    if (type.equals("ping")) {
      return Future.succeededFuture();
    }
    if (!type.equals("register") && !type.equals("unregister") && !type.equals("send") && !type.equals("publish")) {
      return malformed(conn, BridgeFrames.UNKNOWN_TYPE, "unknown frame type");
    }
    if (!(json.getValue("address") instanceof String address) || address.isEmpty()) {
      return malformed(conn, BridgeFrames.ADDRESS_REQUIRED, "a " + type + " frame needs a string \"address\"");
    }
    return switch (type) {
      case "register" -> register(conn, address);
      case "unregister" -> unregister(conn, address);
      case "send" -> send(conn, address, json);
      default -> refuse(conn, json, new ChatException(ErrorCodes.ACCESS_DENIED, "clients may not publish"));
    };
  }

  private Future<Void> malformed(BridgeConnection conn, String word, String message) {
    conn.write(BridgeFrames.err(null, word, new ChatException(ErrorCodes.BAD_REQUEST, message)));
    if (++conn.malformed > MAX_MALFORMED) {
      conn.close(CloseCodes.PROTOCOL_ERROR, "too many malformed frames");
    }
    return Future.succeededFuture();
  }

  private Future<Void> register(BridgeConnection conn, String address) {
    if (conn.addresses.contains(address)) {
      return Future.succeededFuture();
    }
    String room = Addresses.roomIdOf(address);
    if (room == null) {
      if (address.equals(Addresses.user(conn.user().id()))) {
        conn.addresses.add(address);
        fanOut.subscribe(address, conn);
      } else {
        conn.write(BridgeFrames.err(address, BridgeFrames.ACCESS_DENIED,
            new ChatException(ErrorCodes.ACCESS_DENIED, "you may not register " + address)));
      }
      return Future.succeededFuture();
    }
    if (conn.rooms.size() >= config.maxRoomsPerConnection()) {
      conn.write(BridgeFrames.err(address, BridgeFrames.ACCESS_DENIED, new ChatException(ErrorCodes.TOO_MANY_ROOMS,
          "at most " + config.maxRoomsPerConnection() + " rooms per connection")));
      return Future.succeededFuture();
    }
    return rooms.exists(room)
        .recover(err -> {
          LOG.error("Room lookup for {} failed", room, err);
          return Future.succeededFuture(null);
        })
        .map(found -> {
          if (conn.closed) {
            return null;
          }
          if (found == null) {
            conn.write(BridgeFrames.err(address, BridgeFrames.REJECTED,
                new ChatException(ErrorCodes.UNAVAILABLE, "the room could not be checked, try again")));
          } else if (!found) {
            conn.write(BridgeFrames.err(address, BridgeFrames.ACCESS_DENIED,
                new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room)));
          } else {
            conn.rooms.add(room);
            conn.addresses.add(address);
            fanOut.subscribe(address, conn);
            if (presence.join(room, conn.user())) {
              RoomEvents.publish(vertx.eventBus(), Envelope.event(Envelope.JOIN, room, conn.user(), System.currentTimeMillis()));
            }
          }
          return null;
        });
  }

  private Future<Void> unregister(BridgeConnection conn, String address) {
    if (conn.addresses.remove(address)) {
      fanOut.unsubscribe(address, conn);
      String room = Addresses.roomIdOf(address);
      if (room != null) {
        leave(conn, room);
      }
    }
    return Future.succeededFuture();
  }

  private void leave(BridgeConnection conn, String room) {
    if (conn.rooms.remove(room)) {
      fanOut.unsubscribe(Addresses.room(room), conn);
      if (presence.leave(room, conn.user())) {
        RoomEvents.publish(vertx.eventBus(), Envelope.event(Envelope.LEFT, room, conn.user(), System.currentTimeMillis()));
      }
    }
  }

  private Future<Void> send(BridgeConnection conn, String address, JsonObject frame) {
    if (!Addresses.BRIDGE_INBOUND.contains(address)) {
      return refuse(conn, frame, new ChatException(ErrorCodes.ACCESS_DENIED, "you may not send to " + address));
    }
    Object replyValue = frame.getValue("replyAddress");
    if (replyValue != null && (!(replyValue instanceof String r) || r.isEmpty() || r.length() > MAX_REPLY_ADDRESS)) {
      return malformed(conn, BridgeFrames.REJECTED, "replyAddress must be a short string");
    }
    String replyAddress = (String) replyValue;
    if (!(frame.getValue("body") instanceof JsonObject body)) {
      return refuse(conn, frame, new ChatException(ErrorCodes.BAD_REQUEST, "the body must be a JSON object"));
    }
    if ((address.equals(Addresses.SEND) || address.equals(Addresses.TYPING))
        && !(body.getValue("room") instanceof String room && conn.rooms.contains(room))) {
      return refuse(conn, frame, new ChatException(ErrorCodes.NOT_JOINED, "join the room on this connection first"));
    }
    if (conn.inFlight >= MAX_IN_FLIGHT) {
      return refuse(conn, frame, new ChatException(ErrorCodes.RATE_LIMITED, "too many requests awaiting a reply"));
    }
    conn.inFlight++;
    Runnable forward = () -> forward(conn, address, body, replyAddress);
    if (address.equals(Addresses.SEND)) {
      // a connection's messages are stored in the order it sent them, whichever chat verticle instance
      // takes each one: the next chat.send goes out when the previous one is answered
      conn.sends.add(forward);
      if (conn.sends.size() == 1) {
        forward.run();
      }
    } else {
      forward.run();
    }
    return Future.succeededFuture();
  }

  private void forward(BridgeConnection conn, String address, JsonObject body, String replyAddress) {
    // client headers are dropped; the identity comes from the connection's token
    DeliveryOptions options = conn.user().stamp(new DeliveryOptions().setSendTimeout(config.requestTimeoutMs()));
    vertx.eventBus().request(address, body, options).onComplete(ar -> {
      conn.inFlight--;
      if (ar.succeeded()) {
        if (replyAddress != null) {
          conn.write(BridgeFrames.reply(replyAddress, ar.result().body()));
        }
      } else {
        answerFailure(conn, replyAddress, ChatException.from(ar.cause()));
      }
      if (address.equals(Addresses.SEND)) {
        conn.sends.poll();
        Runnable next = conn.sends.peek();
        if (next != null) {
          next.run();
        }
      }
    });
  }

  private Future<Void> refuse(BridgeConnection conn, JsonObject frame, ChatException e) {
    Object reply = frame.getValue("replyAddress");
    answerFailure(conn, reply instanceof String r && r.length() <= MAX_REPLY_ADDRESS ? r : null, e);
    return Future.succeededFuture();
  }

  private void answerFailure(BridgeConnection conn, String replyAddress, ChatException e) {
    if (replyAddress != null) {
      conn.write(BridgeFrames.failure(replyAddress, e));
    } else {
      String word = e.code() == ErrorCodes.ACCESS_DENIED || e.code() == ErrorCodes.NOT_JOINED
          ? BridgeFrames.ACCESS_DENIED : BridgeFrames.REJECTED;
      conn.write(BridgeFrames.err(null, word, e));
    }
  }
}
