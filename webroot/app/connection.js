// The bridge connection: one EventBus (vertx-eventbus.js over SockJS) at a time, reconnecting by
// itself with backoff. Rooms joined are joined again after every reconnect; the caller catches up.

/* global EventBus */

const CLOSE_TOKEN_EXPIRED = 4001;

export class Connection {
  /**
   * @param {import('./session.js').Session} session
   * @param {{onstate: Function, onenvelope: Function, onopen: Function}} handlers
   */
  constructor(session, handlers) {
    this.session = session;
    this.handlers = handlers;
    this.eb = null;
    this.state = 'offline';
    this.rooms = new Set();
    this.attempt = 0;
    this.retryTimer = null;
    this.stopped = true;
    this.pending = new Set();
    window.addEventListener('online', () => this.retryNow());
    window.addEventListener('offline', () => { if (this.state !== 'online') this.setState('offline'); });
  }

  setState(state) {
    this.state = state;
    this.handlers.onstate(state);
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.open('connecting');
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.rooms.clear();
    this.failPending();
    if (this.eb) {
      const eb = this.eb;
      this.eb = null;
      eb.onclose = null;
      eb.close();
    }
    this.setState('offline');
  }

  open(state) {
    clearTimeout(this.retryTimer);
    if (this.stopped || !this.session.token) return;
    this.setState(navigator.onLine === false ? 'offline' : state);
    const eb = new EventBus('/eventbus?token=' + encodeURIComponent(this.session.token));
    this.eb = eb;
    eb.onopen = () => {
      if (this.eb !== eb) return;
      this.attempt = 0;
      this.setState('online');
      for (const room of this.rooms) this.register(room);
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
      if (e && e.code === CLOSE_TOKEN_EXPIRED) {
        this.setState('reconnecting');
        this.session.renew().then((ok) => { if (ok) this.open('reconnecting'); else this.scheduleRetry(); });
        return;
      }
      this.scheduleRetry();
    };
  }

  scheduleRetry() {
    if (this.stopped) return;
    this.setState(navigator.onLine === false ? 'offline' : 'reconnecting');
    const base = Math.min(10000, 500 * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * base / 2;
    this.attempt++;
    this.retryTimer = setTimeout(() => this.reconnect(), delay);
  }

  /** Before reconnecting, make sure the token is still good (a failed handshake may mean it expired). */
  async reconnect() {
    if (this.stopped) return;
    if (this.session.expiresAt - Date.now() < 10000) {
      const ok = await this.session.renew();
      if (!ok) {
        this.scheduleRetry();
        return;
      }
    }
    this.open('reconnecting');
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
    if (this.isOpen()) this.register(room);
  }

  register(room) {
    this.eb.registerHandler('chat.room.' + room, (err, msg) => {
      if (err) {
        this.handlers.onjoinfailed(room, err);
      } else {
        this.handlers.onenvelope(msg.body);
      }
    });
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
