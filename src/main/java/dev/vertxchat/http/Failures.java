package dev.vertxchat.http;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: every error leaves as {@code {"error":{"code","message"}}} with the HTTP
 * status of its code. Internal exception text never reaches the client; it is logged instead, with the
 * request's id ({@link RequestIds}).
 */
public final class Failures implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  @Override
  public void handle(RoutingContext ctx) {
    ChatException error;
    Throwable failure = ctx.failure();
    if (failure instanceof HttpClosedException || ctx.response().closed()) {
      // the client went away (or was cut off) before the answer: nothing to answer, nothing went wrong here
      LOG.atDebug().addKeyValue("requestId", RequestIds.of(ctx)).log("{} {}: the connection closed before the answer id={}",
          ctx.request().method(), ctx.request().path(), RequestIds.of(ctx));
      return;
    }
    if (failure != null && undecodableBody(failure)) {
      error = new ChatException(ErrorCodes.BAD_REQUEST, "the request body could not be decoded; send JSON (Content-Type: application/json)");
    } else if (failure != null) {
      error = ChatException.from(failure);
      if (error.code() == ErrorCodes.INTERNAL) {
        LOG.atError().addKeyValue("requestId", RequestIds.of(ctx)).setCause(failure)
            .log("{} {} failed id={}", ctx.request().method(), ctx.request().path(), RequestIds.of(ctx));
      }
    } else {
      error = fromStatus(ctx.statusCode());
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx.response(), error);
  }

  /** Answers with the error's HTTP status and {@code {"error":{"code","message"}}}. */
  public static void send(HttpServerResponse response, ChatException error) {
    int status = ErrorCodes.httpStatus(error.code());
    if (status == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    long retryAfter = error.retryAfterSeconds() > 0 ? error.retryAfterSeconds() : retryAfterSeconds(error.code());
    if (retryAfter > 0) {
      response.putHeader("Retry-After", Long.toString(retryAfter));
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("error", new JsonObject().put("code", error.code()).put("message", error.getMessage())).toBuffer());
  }

  /**
   * The {@code Retry-After} of refusals that cross the event bus (which carries only code and message):
   * 0 when there is none. Refusals made here may carry their own ({@link ChatException#retryAfterSeconds()}).
   */
  static long retryAfterSeconds(int code) {
    return switch (code) {
      case ErrorCodes.STORAGE_LIMIT -> 1;
      default -> 0;
    };
  }

  /**
   * Failures a client's request causes while its body is read (a form field over the limit, too many
   * fields, a malformed multipart or chunk): bad input, not a server error.
   */
  private static boolean undecodableBody(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DecoderException || t instanceof HttpPostRequestDecoder.ErrorDataDecoderException
          || t instanceof HttpPostRequestDecoder.TooLongFormFieldException || t instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
        return true;
      }
    }
    return false;
  }

  private static ChatException fromStatus(int status) {
    return switch (status) {
      case 400 -> new ChatException(ErrorCodes.BAD_REQUEST, "bad request");
      case 401 -> new ChatException(ErrorCodes.UNAUTHENTICATED, "authentication required");
      case 403 -> new ChatException(ErrorCodes.FORBIDDEN, "forbidden");
      case 404 -> new ChatException(ErrorCodes.NOT_FOUND, "not found");
      case 405 -> new ChatException(ErrorCodes.NOT_FOUND, "method not allowed on this resource");
      case 413 -> new ChatException(ErrorCodes.PAYLOAD_TOO_LARGE, "request body too large");
      case 503 -> new ChatException(ErrorCodes.UNAVAILABLE, "service unavailable");
      default -> new ChatException(ErrorCodes.INTERNAL, "internal error");
    };
  }
}
