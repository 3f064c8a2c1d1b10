// Who is signed in: the token, the user and how to get a new token. Kept for the tab (sessionStorage).

import { Err } from './codes.js';

const KEY = 'vertx-chat.session';

/** A failed API call, with the service's error code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** JSON request to the service; resolves with the parsed body, rejects with ApiError. */
export async function api(path, { method = 'GET', token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 0, 'The server cannot be reached.');
  }
  let json = null;
  try {
    json = await res.json();
  } catch (e) {
    // an empty or non-JSON body: handled below
  }
  if (!res.ok) {
    const err = json && json.error ? json.error : { code: 0, message: 'Request failed (' + res.status + ')' };
    throw new ApiError(res.status, err.code, err.message);
  }
  return json;
}

/** Seconds-since-epoch expiry of a JWT, read from its payload (the server checks the signature). */
function expiryOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).exp * 1000;
  } catch (e) {
    return 0;
  }
}

export class Session {
  constructor() {
    this.token = null;
    this.user = null;
    this.kind = null; // 'guest' or 'account'
    this.expiresAt = 0;
    this.refreshTimer = null;
    this.renewing = null; // the renewal in progress, if any
    this.onchange = () => {};
    this.onexpired = () => {};
  }

  /** Restores the tab's session if its token is still valid. */
  restore() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(KEY));
      if (saved && saved.token && expiryOf(saved.token) > Date.now() + 5000) {
        this.set(saved.token, saved.user, saved.kind);
        return true;
      }
    } catch (e) {
      // nothing usable stored
    }
    sessionStorage.removeItem(KEY);
    return false;
  }

  set(token, user, kind) {
    this.token = token;
    this.user = user;
    this.kind = kind;
    this.expiresAt = expiryOf(token);
    sessionStorage.setItem(KEY, JSON.stringify({ token, user, kind }));
    this.scheduleRefresh();
    this.onchange();
  }

  async guest(name) {
    const res = await api('/api/auth/guest', { method: 'POST', body: { name } });
    this.set(res.token, res.user, 'guest');
  }

  async login(name, password) {
    const res = await api('/api/auth/login', { method: 'POST', body: { name, password } });
    this.set(res.token, res.user, 'account');
  }

  async register(name, password) {
    const res = await api('/api/auth/register', { method: 'POST', body: { name, password } });
    this.set(res.token, res.user, 'account');
  }

  /**
   * A fresh token for the same user (POST /api/auth/refresh), before or after the current one expired:
   * the server renews a token up to one token lifetime after its expiry, so a guest keeps its id (its
   * own messages stay its own, presence shows the same user). Only when the server refuses the renewal
   * does a guest sign in again under the same name (a new id), and an account holder is sent back to
   * the sign-in form. Callers at the same time (the connection, the room list, the timer) share one
   * renewal, so a guest does not sign in twice and end up with two identities.
   * @returns {Promise<boolean>} whether a valid token is in place
   */
  renew() {
    if (!this.renewing) {
      this.renewing = this.renewOnce().finally(() => { this.renewing = null; });
    }
    return this.renewing;
  }

  async renewOnce() {
    let taken = false; // a guest's name that an account has taken since
    if (this.token) {
      try {
        const res = await api('/api/auth/refresh', { method: 'POST', token: this.token });
        this.set(res.token, res.user, this.kind);
        return true;
      } catch (e) {
        // refused (401: expired too long ago or no longer trusted; 409: the name taken...): go on below;
        // unreachable (0), busy (429) or a server error (5xx) is no verdict on the token: try later
        if (e.status < 400 || e.status >= 500 || e.status === 429) return false;
        if (e.code === Err.BANNED) return this.refused('An operator banned you: this server no longer accepts your session.');
        taken = e.code === Err.NAME_TAKEN;
      }
    }
    if (this.kind === 'guest' && this.user && !taken) {
      try {
        await this.guest(this.user.name);
        return true;
      } catch (e) {
        if (e.status === 0) return false;
        taken = e.code === Err.NAME_TAKEN;
      }
    }
    const name = this.user ? this.user.name : '';
    return this.refused(taken ? 'The name ' + name + ' now belongs to a registered account. Choose another name.' : undefined);
  }

  /** No token can be had: signed out, with why (or the default sentence when undefined). */
  refused(why) {
    this.clear();
    this.onexpired(why);
    return false;
  }

  /** Renews at 80 % of the token's lifetime so an open connection never runs into expiry unprepared. */
  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    const left = this.expiresAt - Date.now();
    if (left > 0) {
      this.refreshTimer = setTimeout(() => this.renew(), Math.max(1000, left * 0.8));
    }
  }

  clear() {
    clearTimeout(this.refreshTimer);
    this.token = null;
    this.user = null;
    this.kind = null;
    this.expiresAt = 0;
    sessionStorage.removeItem(KEY);
  }
}
