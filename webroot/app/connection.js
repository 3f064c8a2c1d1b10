// The bridge connection: one EventBus (vertx-eventbus.js over SockJS) at a time, reconnecting by
// itself as the close code says (codes.js): at once after renewing an expired token, with backoff
// after a lost connection, not at all after a protocol error. A connection refused before it opened
// is asked about (the handshake guard's answer says why). Rooms joined are joined again after every
// reconnect; the caller catches up.

/* global EventBus */

import { Action, Close, closeAction, closeNote, handshakeAction } from './codes.js';
import { Sub } from './protocol.js';

/** The SockJS transports the server serves (docs/PROTOCOL.md), in the order sockjs-client tries them. */
const TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling'];
const MAX_DELAY_MS = 10000;
/** A renewal this soon after the previous one waits like any reconnect, so a loop cannot spin. */
const RENEWAL_SPACING_MS = 10000;

export class Connection {
  /**
   * @param {import('./session.js').Session} session
   * @param {{onstate: Function, onenvelope: Function, onopen: Function, onjoinfailed: Function, onnote: Function}} handlers
   *   onstate(state, why): state is 'connecting', 'online', 'reconnecting' (waiting to retry), 'offline'
   *   or 'stopped' (will not reconnect; why says what to do); why is '' or a sentence for the user;
   *   onenvelope(envelope) for the rooms joined and the user's own address chat.user.<id> (notices);
   *   onnote(sentence) when the server closed the connection for a reason that should stay on screen
   */
  constructor(session, handlers) {
    this.session = session;
    this.handlers = handlers;
    this.eb = null;
    this.state = 'offline';
    this.why = '';
    this.rooms = new Set(); // ids of the rooms joined
    this.subs = new Map(); // address -> {onmessage, onerror}: registered again after every reconnect
    this.attempt = 0;
    this.retryTimer = null;
    this.stopped = true;
    this.lastRenewal = 0;
    this.pending = new Set();
    this.handlerOf = new Map(); // address -> the handler registered for it on the current EventBus
    window.addEventListener('online', () => this.retryNow());
    window.addEventListener('offline', () => {
      if (!this.stopped && this.state !== 'online') this.setState('offline', 'You are offline.');
    });
  }

  setState(state, why = '') {
    this.state = state;
    this.why = why;
    this.handlers.onstate(state, why);
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.open('connecting');
  }

  /** Signed out: closes the connection and forgets the rooms. */
  stop() {
    this.halt('offline', '');
    this.rooms.clear();
    this.subs.clear();
  }

  /** No more reconnects (until start()); the current connection, if any, is closed. */
  halt(state, why) {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.failPending();
    if (this.eb) {
      const eb = this.eb;
      this.eb = null;
      eb.onclose = null;
      eb.close();
    }
    this.setState(state, why);
  }

  open(state, why = '') {
    clearTimeout(this.retryTimer);
    if (this.stopped || !this.session.token) return;
    if (navigator.onLine === false) this.setState('offline', 'You are offline.');
    else this.setState(state, why);
    const token = this.session.token;
    const eb = new EventBus('/eventbus?token=' + encodeURIComponent(token), { transports: TRANSPORTS });
    let opened = false;
    this.eb = eb;
    this.handlerOf.clear();
    eb.onopen = () => {
      if (this.eb !== eb) return;
      opened = true;
      this.attempt = 0;
      this.setState('online');
      this.registerOwn();
      for (const address of this.subs.keys()) this.register(address);
      this.handlers.onopen();
    };
    eb.onerror = (err) => {
      // refused frames the app did not attach to a request; logged for developers
      if (window.console) console.warn('bridge error', err);
    };
    eb.onclose = (e) => {
      if (this.eb !== eb) return;
      this.eb = null;
      this.failPending();
      if (this.stopped) return;
      if (opened) {
        this.closed(e && typeof e.code === 'number' ? e.code : Close.LOST, e && e.reason ? String(e.reason) : '', token);
      } else {
        // sockjs-client reports a refused handshake only as "cannot connect" (1002) or "all transports
        // failed" (2000): ask the server why
        this.diagnose(token);
      }
    };
  }

  /** An open connection closed with this code and reason. */
  closed(code, reason, token) {
    const note = closeNote(code);
    if (note && this.handlers.onnote) this.handlers.onnote(note);
    switch (closeAction(code)) {
      case Action.RENEW:
        this.renewAndReconnect(token, false, 'The session token expired.');
        break;
      case Action.STOP:
        this.halt('stopped', note || 'The server closed the connection: ' + (reason || 'code ' + code) + '. Reload the page.');
        break;
      default:
        this.scheduleRetry(note || 'The connection was lost' + (reason ? ' (' + reason + ')' : '') + '.');
    }
  }

  /**
   * The connection with {@code token} failed before it opened. The handshake guard answers every
   * request under /eventbus before SockJS does, so a request of our own gets its status and error code.
   * It is a POST because a same-origin GET carries no Origin header and so would pass the Origin check
   * that the transports' requests fail.
   */
  async diagnose(token) {
    let verdict;
    try {
      const res = await fetch('/eventbus/info?token=' + encodeURIComponent(token), { method: 'POST', cache: 'no-store' });
      let code = 0;
      try {
        const body = await res.json();
        if (body && body.error) code = body.error.code;
      } catch (e) {
        // not the guard's JSON error: the guard let the request through
      }
      verdict = handshakeAction(res.status, code, res.headers.get('Retry-After'));
    } catch (e) {
      verdict = { action: Action.BACKOFF, why: 'The server cannot be reached.' };
    }
    if (this.stopped || this.eb) return;
    if (verdict.action === Action.RENEW) this.renewAndReconnect(token, true, verdict.why);
    else if (verdict.action === Action.STOP) this.halt('stopped', verdict.why);
    else this.scheduleRetry(verdict.why, verdict.retryAfterMs || 0);
  }

  /**
   * A new token, then a new connection at once (after backoff when the last renewal was only just
   * now). The session may already hold a newer token than the connection's (it renews ahead of
   * expiry): that one is used unless the server refused it ({@code refused}).
   */
  async renewAndReconnect(token, refused, why) {
    const spaced = Date.now() - this.lastRenewal < RENEWAL_SPACING_MS;
    this.lastRenewal = Date.now();
    this.setState('connecting', why + ' Getting a new one.');
    const newer = !refused && this.session.token && this.session.token !== token
      && this.session.expiresAt - Date.now() > 10000;
    const ok = newer || await this.session.renew();
    if (this.stopped || this.eb) return; // signed out meanwhile (renew() failing for good does that)
    if (!ok) this.scheduleRetry('The server cannot be reached to renew the session.');
    else if (spaced) this.scheduleRetry(why);
    else this.open('connecting');
  }

  scheduleRetry(why, minDelayMs = 0) {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const base = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(this.attempt, 10));
    const delay = Math.max(minDelayMs, base / 2 + Math.random() * base / 2);
    this.attempt++;
    if (navigator.onLine === false) this.setState('offline', 'You are offline.');
    else this.setState('reconnecting', why + ' Reconnecting in ' + Math.ceil(delay / 1000) + ' s.');
    this.retryTimer = setTimeout(() => this.reconnect(why), delay);
  }

  /** Before reconnecting, make sure the token is still good (a failed handshake may mean it expired). */
  async reconnect(why) {
    if (this.stopped) return;
    if (this.session.expiresAt - Date.now() < 10000) {
      const ok = await this.session.renew();
      if (this.stopped || this.eb) return;
      if (!ok) {
        this.scheduleRetry('The server cannot be reached to renew the session.');
        return;
      }
    }
    this.open('reconnecting', why ? why + ' Reconnecting now.' : '');
  }

  retryNow() {
    if (!this.stopped && !this.eb) {
      this.attempt = 0;
      this.reconnect();
    }
  }

  isOpen() {
    return this.eb !== null && this.eb.state === EventBus.OPEN;
  }

  join(room) {
    if (this.rooms.has(room)) return;
    this.rooms.add(room);
    this.subscribe(Sub.room(room), (body) => this.handlers.onenvelope(body),
      (err) => this.handlers.onjoinfailed(room, err));
  }

  /** Forgets a room (deleted, or this user was removed from it): not joined again after a reconnect. */
  leave(room) {
    this.rooms.delete(room);
    this.unsubscribe(Sub.room(room));
  }

  /**
   * Registers for an address now (when open) and again after every reconnect: onmessage(body) for each
   * message, onerror(err) when the server refuses the registration.
   */
  subscribe(address, onmessage, onerror) {
    this.subs.set(address, { onmessage, onerror });
    if (this.isOpen()) this.register(address);
  }

  unsubscribe(address) {
    this.subs.delete(address);
    const handler = this.handlerOf.get(address);
    this.handlerOf.delete(address);
    if (handler && this.isOpen()) {
      try {
        this.eb.unregisterHandler(address, handler);
      } catch (e) {
        // the connection is closing: nothing to undo
      }
    }
  }

  /** The user's own address: notices for this user and for everyone (docs/PROTOCOL.md). */
  registerOwn() {
    const user = this.session.user;
    if (!user) return;
    this.register(Sub.user(user.id), (body) => this.handlers.onenvelope(body), (err) => {
      if (window.console) console.warn('notices refused', err);
    });
  }

  register(address, onmessage, onerror) {
    const sub = onmessage ? { onmessage, onerror } : this.subs.get(address);
    if (!sub) return;
    const handler = (err, msg) => {
      if (err) {
        if (sub.onerror) sub.onerror(err);
      } else {
        sub.onmessage(msg.body);
      }
    };
    this.handlerOf.set(address, handler);
    this.eb.registerHandler(address, handler);
  }

  /**
   * A request over the bridge; rejects with {failureCode, message}. failureCode 0 means the request
   * did not get an answer (offline, or the connection dropped before the reply arrived).
   */
  request(address, body, timeoutMs = 15000) {
    return new Promise((resolve, reject) => {
      if (!this.isOpen()) {
        reject({ failureCode: 0, message: 'offline' });
        return;
      }
      const pending = { reject };
      const timer = setTimeout(() => {
        this.pending.delete(pending);
        reject({ failureCode: 0, message: 'no answer' });
      }, timeoutMs);
      pending.done = () => { clearTimeout(timer); this.pending.delete(pending); };
      this.pending.add(pending);
      try {
        this.eb.send(address, body, (err, reply) => {
          pending.done();
          if (err) reject(err); else resolve(reply.body);
        });
      } catch (e) {
        pending.done();
        reject({ failureCode: 0, message: 'offline' });
      }
    });
  }

  failPending() {
    for (const p of [...this.pending]) {
      p.done();
      p.reject({ failureCode: 0, message: 'connection lost' });
    }
  }
}
