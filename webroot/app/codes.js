// The service's codes and what the app does about each, in one place (docs/PROTOCOL.md, "Error codes"
// and "Close codes"; the server's bus/ErrorCodes and bus/CloseCodes). Other modules read codes from here.

/** What to do after the bridge connection closed or could not be opened. */
export const Action = Object.freeze({
  BACKOFF: 'backoff', // reconnect after a growing, randomised delay
  RENEW: 'renew', // get a new token, then reconnect at once
  STOP: 'stop', // do not reconnect: a reload (a fixed client) is needed
});

/** Close codes the server sends (the close event's code on every SockJS transport). */
export const Close = Object.freeze({
  GOING_AWAY: 1001, // server shutting down
  LOST: 1006, // no close frame: the connection dropped (WebSocket's and sockjs-client's own code)
  TOO_BIG: 1009, // a frame over limits.maxFrameBytes
  PING_TIMEOUT: 4100,
  SLOW_CONSUMER: 4101,
  DISCONNECTED: 4102, // an operator closed this user's connections (reconnect with backoff)
  TOKEN_EXPIRED: 4200,
  PROTOCOL_ERROR: 4400,
  BANNED: 4401, // an operator banned this user: do not reconnect
});

/** A sentence that stays on screen after the connection closed with this code, or null. */
export function closeNote(code) {
  if (code === Close.DISCONNECTED) return 'An operator disconnected you.';
  if (code === Close.BANNED) return 'An operator banned you: this server no longer accepts your session.';
  return null;
}

/**
 * The action for a close code, by range, so that a code this app does not know is still handled:
 * 4200-4299 renew the token and reconnect at once; 4400-4499 and 1009 stop; everything else (1001,
 * 4100-4199, a lost connection 1006, unknown codes) reconnect with backoff.
 */
export function closeAction(code) {
  if (code >= 4200 && code <= 4299) return Action.RENEW;
  if ((code >= 4400 && code <= 4499) || code === Close.TOO_BIG) return Action.STOP;
  return Action.BACKOFF;
}

/** Error codes of failed requests and refused handshakes (`{"error":{"code","message"}}`, `failureCode`). */
export const Err = Object.freeze({
  BAD_REQUEST: 1100,
  INVALID_ROOM: 1103,
  INVALID_TEXT: 1104,
  INVALID_PAGING: 1105,
  INVALID_REACTION: 1107,
  INVALID_SEARCH: 1108,
  INVALID_MEMBER: 1109,
  UNAUTHENTICATED: 2001,
  FORBIDDEN: 2003,
  GUESTS_DISABLED: 2004,
  NOT_JOINED: 2005,
  ORIGIN_NOT_ALLOWED: 2007,
  BANNED: 2009,
  REGISTRATION_DISABLED: 2010,
  ROLE_REQUIRED: 2011,
  MUTED: 2012,
  BANNED_FROM_ROOM: 2013,
  DMS_REFUSED: 2014,
  NOT_AUTHOR: 2015,
  NOT_FOUND: 3000,
  ROOM_NOT_FOUND: 3001,
  ROOM_EXISTS: 3002,
  NAME_TAKEN: 3003,
  MESSAGE_NOT_FOUND: 3004,
  USER_NOT_FOUND: 3005,
  ROOM_ARCHIVED: 3006,
  RATE_LIMITED: 4001,
  TOO_MANY_ROOMS: 4002,
  ROOM_QUOTA: 4004,
  STORAGE_LIMIT: 4005,
  TOO_MANY_CONNECTIONS: 4006,
  UNAVAILABLE: 5001,
});

/** What the user is told when a message was not sent, by error code. */
export const SEND_FAILURES = Object.freeze({
  [Err.INVALID_TEXT]: 'The message is empty or too long.',
  [Err.NOT_JOINED]: 'You are not in this room (yet). Try again in a moment.',
  [Err.ROOM_NOT_FOUND]: 'This room does not exist.',
  [Err.MUTED]: null, // the server's message says until when
  [Err.BANNED_FROM_ROOM]: 'You are banned from this room.',
  [Err.ROOM_ARCHIVED]: 'This room is archived: it can be read but not written to.',
  [Err.MESSAGE_NOT_FOUND]: 'That message is gone (deleted, or not in this room).',
  [Err.NOT_AUTHOR]: 'Only its author can do that to this message.',
  [Err.ROLE_REQUIRED]: 'Only the room\'s moderators or owner can do that.',
  [Err.INVALID_REACTION]: 'That reaction is not one the server accepts.',
  [Err.RATE_LIMITED]: 'You are sending too fast. Wait a moment.',
  [Err.STORAGE_LIMIT]: 'The server is not taking messages right now. Try again in a moment.',
  [Err.UNAVAILABLE]: 'The server could not store the message. Try again.',
});

/** The sentence for a failed request in the chat view: the table above, else the server's message. */
export function chatFailure(err, fallback = 'That did not work.') {
  if (!err || err.failureCode === 0) return 'No answer from the server (offline?). Try again.';
  const known = SEND_FAILURES[err.failureCode];
  return known || err.message || fallback;
}

/** What the user is told when creating a room failed, by error code (else the server's message). */
export const CREATE_ROOM_FAILURES = Object.freeze({
  [Err.ROOM_EXISTS]: 'A room with this id exists already.',
  [Err.TOO_MANY_ROOMS]: 'The server has as many rooms as it allows.',
  [Err.ROOM_QUOTA]: 'You have created as many rooms as the server allows.',
});

/** What the user is told when opening a direct message failed, by error code (else the server's message). */
export const DM_FAILURES = Object.freeze({
  [Err.USER_NOT_FOUND]: null, // the server says why (unknown, or several users have that name)
  [Err.DMS_REFUSED]: 'This user does not take direct messages from you.',
  [Err.INVALID_MEMBER]: 'You cannot write a direct message to yourself.',
  [Err.ROOM_QUOTA]: 'You have opened as many direct messages as the server allows.',
});

/** What the user is told when signing in failed, by error code (else the server's message). */
export const SIGN_IN_FAILURES = Object.freeze({
  [Err.GUESTS_DISABLED]: 'Guest sign-in is switched off on this server. Sign in with an account.',
  [Err.REGISTRATION_DISABLED]: 'Registration is switched off on this server.',
  [Err.BANNED]: 'This account is banned from this server.',
});

/** What an operator is told when an admin action failed, by error code (else the server's message). */
export const ADMIN_FAILURES = Object.freeze({
  [Err.BAD_REQUEST]: 'The server refused the request',
  [Err.INVALID_ROOM]: 'That is not a valid room id',
  [Err.INVALID_TEXT]: 'The text is empty or too long',
  [Err.UNAUTHENTICATED]: 'Your session is no longer accepted; sign in again',
  [Err.FORBIDDEN]: 'Only operators may do this',
  [Err.BANNED]: 'You are banned',
  [Err.NOT_FOUND]: 'Not found',
  [Err.ROOM_NOT_FOUND]: 'There is no such room',
});

/** The sentence for a failed admin request ({@link ApiError} of session.js). */
export function adminFailure(err) {
  const known = ADMIN_FAILURES[err.code];
  return known ? known + ' (' + err.message + ').' : err.message;
}

/**
 * Why the bridge handshake was refused, from the answer of the handshake guard (which checks every
 * request under /eventbus before SockJS sees it): {action, why, retryAfterMs}.
 * 401 (2001): the token is not accepted: renew it. 403 (2007): this page's origin is refused: no retry
 * helps. 503 (4006): too many connections: back off at least Retry-After. Anything else: back off.
 */
export function handshakeAction(status, code, retryAfterSeconds) {
  if (status === 401 || code === Err.UNAUTHENTICATED) {
    return { action: Action.RENEW, why: 'The server did not accept the session token.' };
  }
  if (code === Err.BANNED) {
    return { action: Action.STOP, why: 'An operator banned you: this server no longer accepts your session.' };
  }
  if (status === 403 && code === Err.ORIGIN_NOT_ALLOWED) {
    return {
      action: Action.STOP,
      why: 'The server refuses connections from this page\'s address (' + location.origin + '). '
        + 'If the service runs behind a proxy, the proxy must pass the original Host header, or the service\'s '
        + 'http.publicOrigin must be set to ' + location.origin + ' (see the README, "Configuration").',
    };
  }
  if (status === 503 || code === Err.TOO_MANY_CONNECTIONS) {
    const seconds = Number(retryAfterSeconds);
    return {
      action: Action.BACKOFF,
      why: 'The server has too many connections.',
      retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0,
    };
  }
  return { action: Action.BACKOFF, why: 'The server could not be reached.' };
}
