package dev.vertxchat.bridge;

import dev.vertxchat.bus.CloseCodes;
import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.chat.Access;
import dev.vertxchat.chat.Caller;
import dev.vertxchat.chat.Membership;
import dev.vertxchat.config.ChatConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * What the bridge allows a connection's authenticated user to do, frame by frame (deny by default):
 * <ul>
 *   <li>register {@code chat.room.<id>} joins a room the user may read ({@link Access#readable}: 3001 for a
 *       missing or hidden room, 2013 when banned from it; {@link Membership} announces the join);
 *       register {@code chat.user.<own id>} receives private notices, {@code chat.directory} the public rooms'
 *       creations, changes and deletions; anything else is refused;</li>
 *   <li>send only to the service addresses, with the identity stamped by the server; {@code chat.send}
 *       and {@code chat.typing} only for a room joined on this connection;</li>
 *   <li>publish is never allowed; every refusal is answered (err frame or failed reply).</li>
 * </ul>
 *
 * <p>Longer than 300 lines because every frame's rule and its refusal (code, counted as malformed or not) must be
 * read in one place to be trusted.
 */
final class FrameRules {
  private static final Logger LOG = LoggerFactory.getLogger(FrameRules.class);
  /** Requests awaiting their reply per connection. */
  private static final int MAX_IN_FLIGHT = 100;
  /** Malformed frames tolerated per connection. */
  private static final int MAX_MALFORMED = 20;
  private static final int MAX_REPLY_ADDRESS = 128;

  private final Vertx vertx;
  private final ChatConfig config;
  private final Membership membership;
  /** Who may read which room; null: every existing room is readable (asked of {@link #membership}). */
  private final Access access;
  private final FanOut fanOut;
  /** Requests of every connection sent (or queued) and not answered yet. */
  private int requestsInFlight;
  /** Set by {@link #stopAccepting}. */
  private boolean stopping;
  /** Completed when {@link #requestsInFlight} falls to 0, for {@link #answered}. */
  private Promise<Void> allAnswered;

  FrameRules(Vertx vertx, ChatConfig config, Membership membership, FanOut fanOut) {
    this(vertx, config, membership, null, fanOut);
  }

  FrameRules(Vertx vertx, ChatConfig config, Membership membership, Access access, FanOut fanOut) {
    this.vertx = vertx;
    this.config = config;
    this.membership = membership;
    this.access = access;
    this.fanOut = fanOut;
  }

  /** Handles one frame; the future completes when the next frame of the connection may be handled. */
  Future<Void> handle(BridgeConnection conn, String frame) {
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
    countMalformed(conn);
    return Future.succeededFuture();
  }

  /** Counts a frame no well-behaved client sends; too many close the connection with 4003. */
  private void countMalformed(BridgeConnection conn) {
    if (++conn.malformed > MAX_MALFORMED) {
      conn.close(CloseCodes.PROTOCOL_ERROR, "too many malformed frames");
    }
  }

  private Future<Void> register(BridgeConnection conn, String address) {
    if (conn.addresses.contains(address)) {
      return Future.succeededFuture();
    }
    String room = Addresses.roomIdOf(address);
    if (room == null) {
      if (address.equals(Addresses.user(conn.user().id())) || address.equals(Addresses.DIRECTORY)) {
        conn.addresses.add(address);
        return subscribed(conn, address, null, fanOut.subscribe(address, conn));
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
    return mayRead(conn, room)
        .compose(refusal -> {
          if (conn.closed) {
            return Future.succeededFuture();
          }
          if (refusal != null && refusal.code() == ErrorCodes.ROOM_NOT_FOUND) {
            conn.write(BridgeFrames.err(address, BridgeFrames.ACCESS_DENIED, refusal));
            // the app joins only rooms it was shown; a client probing for rooms is cut off like one
            // sending garbage (each such join may cost a database lookup)
            countMalformed(conn);
          } else if (refusal != null && refusal.code() == ErrorCodes.BANNED_FROM_ROOM) {
            // the room was shown to the user once: being banned from it is no probe
            conn.write(BridgeFrames.err(address, BridgeFrames.ACCESS_DENIED, refusal));
          } else if (refusal != null) {
            conn.write(BridgeFrames.err(address, BridgeFrames.REJECTED,
                new ChatException(ErrorCodes.UNAVAILABLE, "the room could not be checked, try again")));
          } else {
            conn.rooms.add(room);
            conn.addresses.add(address);
            Future<Void> subscribed = subscribed(conn, address, room, fanOut.subscribe(address, conn));
            // the join is announced once the subscription is in place: on a clustered event bus a publication
            // reaches only the consumers the cluster already knows, the joiner's own among them
            return subscribed.onComplete(ar -> {
              if (conn.rooms.contains(room) && conn.joined.add(room)) {
                membership.join(room, conn.user());
              }
            });
          }
          return Future.succeededFuture();
        });
  }

  /**
   * Whether the connection's user may join the room: null when so, else the refusal (3001 no such room or hidden,
   * 2013 banned from it, 5001 the store did not answer).
   */
  private Future<ChatException> mayRead(BridgeConnection conn, String room) {
    // the directory first: it remembers missing rooms briefly (a probing client costs no lookup per join) and, in a
    // cluster, knows at once the rooms other nodes created
    Future<ChatException> refusal = membership.roomExists(room).compose(found -> {
      if (!found) {
        return Future.succeededFuture(new ChatException(ErrorCodes.ROOM_NOT_FOUND, "no such room: " + room));
      }
      return access == null ? Future.succeededFuture()
          : access.readable(room, new Caller(conn.user(), conn.identity.operator())).map((ChatException) null);
    });
    return refusal.recover(err -> {
      if (err instanceof ChatException e && e.code() != ErrorCodes.UNAVAILABLE) {
        return Future.succeededFuture(e);
      }
      LOG.error("Room lookup for {} failed", room, err);
      return Future.succeededFuture(new ChatException(ErrorCodes.UNAVAILABLE, "the room could not be checked, try again"));
    });
  }

  /**
   * Waits for a subscription to be in place (on a clustered event bus, its consumer known to every node and
   * its room's head read; on a local one it is at once): the connection's next frame, such as its history
   * request, is handled only then, so no message committed after that request's answer is missed. One that
   * is not in place within the request timeout is undone and answered with 5001.
   */
  private Future<Void> subscribed(BridgeConnection conn, String address, String room, Future<Void> subscription) {
    if (subscription.succeeded()) {
      return subscription;
    }
    Future<Void> bounded = subscription.isComplete()
        ? subscription : subscription.timeout(config.requestTimeoutMs(), TimeUnit.MILLISECONDS);
    return bounded.recover(err -> {
      LOG.warn("Subscribing {} to {} failed: {}", conn.user().id(), address, err.toString());
      if (!conn.closed && conn.addresses.remove(address)) {
        fanOut.unsubscribe(address, conn);
        if (room != null) {
          leave(conn, room);
        }
        conn.write(BridgeFrames.err(address, BridgeFrames.REJECTED,
            new ChatException(ErrorCodes.UNAVAILABLE, "the subscription could not be set up, try again")));
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The user lost the room (kicked, banned, removed from it: {@link dev.vertxchat.bus.Addresses#ROOM_REMOVED}): when
   * this connection is in it, it gets {@code envelope} on the room's address, then is dropped from the room as by
   * an {@code unregister} (its last connection leaving is announced).
   */
  void removed(BridgeConnection conn, String room, String envelope) {
    String address = Addresses.room(room);
    if (conn.closed || !conn.addresses.contains(address)) {
      return;
    }
    conn.write(BridgeFrames.message(address, envelope));
    unregister(conn, address);
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

  void leave(BridgeConnection conn, String room) {
    if (conn.rooms.remove(room)) {
      fanOut.unsubscribe(Addresses.room(room), conn);
      if (conn.joined.remove(room)) {
        membership.leave(room, conn.user());
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
    if (stopping) {
      return refuse(conn, frame, new ChatException(ErrorCodes.UNAVAILABLE,
          "the server is shutting down: nothing was done; reconnect and send again"));
    }
    if (conn.inFlight >= MAX_IN_FLIGHT) {
      return refuse(conn, frame, new ChatException(ErrorCodes.RATE_LIMITED, "too many requests awaiting a reply"));
    }
    conn.inFlight++;
    requestsInFlight++;
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
    // answered by this node's chat verticle: in a cluster every node serves its own clients (docs/CLUSTER.md)
    DeliveryOptions options = conn.user().stamp(new DeliveryOptions().setSendTimeout(config.requestTimeoutMs())
        .setLocalOnly(true), conn.identity.operator());
    vertx.eventBus().request(address, body, options).onComplete(ar -> {
      conn.inFlight--;
      if (--requestsInFlight == 0 && allAnswered != null) {
        allAnswered.tryComplete();
      }
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

  /**
   * Completes once every request forwarded so far (and those queued behind them) has its answer: the
   * bridge waits for it when it stops, so no answer comes back to a reply handler that is gone.
   */
  /** The bridge is stopping: requests from now on are refused with 5001 (nothing done), those forwarded are answered. */
  void stopAccepting() {
    stopping = true;
  }

  Future<Void> answered() {
    if (requestsInFlight == 0) {
      return Future.succeededFuture();
    }
    if (allAnswered == null || allAnswered.future().isComplete()) {
      allAnswered = Promise.promise();
    }
    return allAnswered.future();
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
