// The operators' page: who is connected, bans, deleting rooms, notices and the sign-in switches, over
// the admin API (docs/PROTOCOL.md, "Admin API"). Only operators see it (GET /api/me says who is one);
// the server refuses everyone else's requests anyway. Deleting a message is done from the chat view.

import { api } from './session.js';
import { adminFailure } from './codes.js';
import { el } from './render.js';

const $ = (id) => document.getElementById(id);
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** A path segment: ids are sent as the user typed them, encoded. */
const seg = encodeURIComponent;

export class AdminPage {
  /** @param {import('./session.js').Session} session */
  constructor(session) {
    this.session = session;
    this.seq = 0; // answers of an older refresh are dropped
    $('admin-refresh').addEventListener('click', () => this.open());
    $('ban-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.ban($('ban-user').value.trim(), $('ban-reason').value.trim());
    });
    $('delete-room-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.deleteRoom($('delete-room').value.trim().toLowerCase());
    });
    $('notice-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.postNotice($('notice-text').value.trim(), $('notice-room').value.trim().toLowerCase());
    });
    for (const [id, key] of [['setting-guests', 'guestSignIn'], ['setting-registration', 'registration']]) {
      $(id).addEventListener('change', () => this.setting(key, $(id).checked));
    }
  }

  /** An admin request with the session's token; a 401 renews the token and tries once more. */
  async call(path, options = {}) {
    try {
      return await api(path, { ...options, token: this.session.token });
    } catch (e) {
      if (e.status !== 401 || !(await this.session.renew())) throw e;
      return api(path, { ...options, token: this.session.token });
    }
  }

  /** Runs an action: its outcome is announced in the status line, a failure in the alert line. */
  async act(action, done) {
    $('admin-status').textContent = '';
    $('admin-error').textContent = '';
    try {
      const result = await action();
      $('admin-status').textContent = done(result);
      return true;
    } catch (e) {
      $('admin-error').textContent = adminFailure(e);
      return false;
    }
  }

  /** The page as it is now, without the outcome of earlier actions. */
  open() {
    $('admin-status').textContent = '';
    $('admin-error').textContent = '';
    return this.refresh();
  }

  /** Reads everything the page shows again (the outcome of the last action stays on screen). */
  async refresh() {
    const seq = ++this.seq;
    try {
      const [connections, online, bans, settings] = await Promise.all([
        this.call('/api/admin/connections'),
        this.call('/api/admin/users/online'),
        this.call('/api/admin/bans'),
        this.call('/api/admin/settings'),
      ]);
      if (seq !== this.seq) return;
      this.drawUsers(online.users);
      this.drawConnections(connections.connections);
      this.drawBans(bans.bans);
      this.drawSettings(settings);
      $('admin-updated').textContent = 'Updated ' + timeFormat.format(new Date()) + '.';
    } catch (e) {
      if (seq === this.seq) $('admin-error').textContent = adminFailure(e);
    }
  }

  drawUsers(users) {
    const self = this.session.user ? this.session.user.id : null;
    const rows = [...users].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)).map((user) => {
      const actions = el('td', { class: 'actions' });
      if (user.id !== self) {
        const disconnect = el('button', { type: 'button', 'aria-label': 'Disconnect ' + user.name, text: 'Disconnect' });
        disconnect.addEventListener('click', () => this.disconnect(user));
        const ban = el('button', { type: 'button', 'aria-label': 'Ban ' + user.name, text: 'Ban…' });
        ban.addEventListener('click', () => {
          $('ban-user').value = user.id;
          $('ban-reason').focus();
        });
        actions.append(disconnect, ' ', ban);
      } else {
        actions.append(el('span', { class: 'hint', text: 'you' }));
      }
      return el('tr', { 'data-user': user.id },
        el('td', { text: user.name }),
        el('td', { class: 'mono', text: user.id }),
        el('td', { text: String(user.connections) }),
        el('td', { text: user.rooms.join(', ') }),
        actions);
    });
    $('online-users').replaceChildren(...rows);
    $('no-users').hidden = rows.length > 0;
  }

  drawConnections(connections) {
    const rows = [...connections].sort((a, b) => a.since - b.since).map((c) => el('tr', {},
      el('td', { text: c.user.name }),
      el('td', { text: c.transport }),
      el('td', { class: 'mono', text: c.address }),
      el('td', {}, el('time', { datetime: new Date(c.since).toISOString(), text: timeFormat.format(new Date(c.since)) })),
      el('td', { text: c.rooms.join(', ') })));
    $('connections').replaceChildren(...rows);
    $('no-connections').hidden = rows.length > 0;
  }

  drawBans(bans) {
    const items = [...bans].sort((a, b) => a.since - b.since).map((ban) => {
      const unban = el('button', { type: 'button', 'aria-label': 'Unban ' + ban.user, text: 'Unban' });
      unban.addEventListener('click', () => this.unban(ban.user));
      return el('li', { 'data-user': ban.user },
        el('span', { class: 'mono', text: ban.user }),
        el('span', { text: ban.reason ? ' — ' + ban.reason : ' — no reason given' }),
        el('span', { class: 'hint', text: ' (by ' + ban.by + ', ' + timeFormat.format(new Date(ban.since)) + ') ' }),
        unban);
    });
    $('bans').replaceChildren(...items);
    $('no-bans').hidden = items.length > 0;
  }

  drawSettings(settings) {
    $('setting-guests').checked = settings.guestSignIn === true;
    $('setting-registration').checked = settings.registration === true;
  }

  disconnect(user) {
    return this.act(() => this.call('/api/admin/users/' + seg(user.id) + '/disconnect', { method: 'POST' }),
      (res) => 'Disconnected ' + user.name + ': ' + res.closed + (res.closed === 1 ? ' connection' : ' connections') + ' closed.')
      .then(() => this.refresh());
  }

  async ban(userId, reason) {
    if (!userId) {
      $('admin-error').textContent = 'Enter the id of the user to ban.';
      $('ban-user').focus();
      return;
    }
    const ok = await this.act(() => this.call('/api/admin/bans/' + seg(userId), { method: 'PUT', body: reason ? { reason } : {} }),
      () => 'Banned ' + userId + '.');
    if (ok) {
      $('ban-user').value = '';
      $('ban-reason').value = '';
    }
    this.refresh();
  }

  async unban(userId) {
    await this.act(() => this.call('/api/admin/bans/' + seg(userId), { method: 'DELETE' }), () => 'Unbanned ' + userId + '.');
    this.refresh();
  }

  async deleteRoom(roomId) {
    if (!roomId) {
      $('admin-error').textContent = 'Enter the id of the room to delete.';
      $('delete-room').focus();
      return;
    }
    const ok = await this.act(() => this.call('/api/admin/rooms/' + seg(roomId), { method: 'DELETE' }),
      () => 'Deleted the room ' + roomId + '.');
    if (ok) $('delete-room').value = '';
    this.refresh();
  }

  async postNotice(text, room) {
    if (!text) {
      $('admin-error').textContent = 'Write the text of the notice.';
      $('notice-text').focus();
      return;
    }
    const body = room ? { text, room } : { text };
    const ok = await this.act(() => this.call('/api/admin/notices', { method: 'POST', body }),
      () => 'Posted the notice to ' + (room ? 'the room ' + room : 'everyone') + '.');
    if (ok) $('notice-text').value = '';
  }

  async setting(key, on) {
    const names = { guestSignIn: 'Guest sign-in', registration: 'Registration' };
    let settings = null;
    await this.act(async () => {
      settings = await this.call('/api/admin/settings', { method: 'PATCH', body: { [key]: on } });
      return settings;
    }, (s) => names[key] + ' is now ' + (s[key] ? 'on' : 'off') + '.');
    if (settings) this.drawSettings(settings);
    else this.refresh(); // show the settings as they are
  }
}

/** What the server says about the signed-in user: {id, name, guest, operator}; not an operator when unknown. */
export async function whoAmI(session) {
  try {
    return await api('/api/me', { token: session.token });
  } catch (e) {
    return { operator: false };
  }
}
