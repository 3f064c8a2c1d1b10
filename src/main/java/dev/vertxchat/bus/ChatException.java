package dev.vertxchat.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * A failure with a stable code from {@link ErrorCodes} and a message that is safe to show a client.
 * No stack trace: it describes a refused request, not a bug.
 */
public final class ChatException extends RuntimeException {
  private final int code;
  private final long retryAfterSeconds;

  public ChatException(int code, String message) {
    this(code, message, 0);
  }

  /** A refusal that may be retried after the given number of seconds (HTTP {@code Retry-After}). */
  public ChatException(int code, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int code() {
    return code;
  }

  /** Seconds after which the same request may succeed, or 0 when unknown. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The event-bus form: a recipient failure carrying the same code and message. */
  public ReplyException toReply() {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, getMessage());
  }

  /**
   * Maps any failure to a client-safe {@link ChatException}: codes from our own replies are kept,
   * a missing consumer or a timeout gets its own code, anything else becomes INTERNAL without its text.
   */
  public static ChatException from(Throwable t) {
    if (t instanceof ChatException ce) {
      return ce;
    }
    if (t instanceof ReplyException re) {
      return switch (re.failureType()) {
        case TIMEOUT -> new ChatException(ErrorCodes.TIMEOUT, "the service did not answer in time");
        case NO_HANDLERS -> new ChatException(ErrorCodes.UNAVAILABLE, "the service is not available");
        default -> re.failureCode() >= 1100 && re.failureCode() < 5000
            || re.failureCode() == ErrorCodes.UNAVAILABLE || re.failureCode() == ErrorCodes.TIMEOUT
            ? new ChatException(re.failureCode(), re.getMessage())
            : new ChatException(ErrorCodes.INTERNAL, "internal error");
      };
    }
    return new ChatException(ErrorCodes.INTERNAL, "internal error");
  }
}
