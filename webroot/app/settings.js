// The user's preferences (chat.prefs): whether others may open direct messages with them, and whom they
// blocked (a blocked user can neither open a DM with them nor be written to).

import { chatFailure } from './codes.js';
import { Addr } from './protocol.js';
import { el } from './render.js';

export function install(app) {
  const { $, state, connection } = app;

  function apply(prefs) {
    state.prefs = { dms: prefs.dms !== false, blocked: Array.isArray(prefs.blocked) ? prefs.blocked : [] };
    draw();
  }

  function draw() {
    $('pref-dms').checked = state.prefs.dms;
    $('blocked').replaceChildren(...state.prefs.blocked.map((user) => {
      const b = el('button', { type: 'button', class: 'quiet', 'aria-label': 'Unblock ' + user.name, text: 'Unblock' });
      b.addEventListener('click', () => app.setBlocked(user, false));
      return el('li', {}, el('span', { text: user.name + ' ' }), b);
    }));
    $('no-blocked').hidden = state.prefs.blocked.length > 0;
  }

  async function change(body) {
    $('settings-error').textContent = '';
    try {
      apply(await connection.request(Addr.PREFS, body));
      return true;
    } catch (err) {
      $('settings-error').textContent = chatFailure(err, 'The setting was not saved.');
      draw();
      return false;
    }
  }

  app.loadPrefs = async () => {
    try {
      apply(await connection.request(Addr.PREFS, {}));
    } catch (e) {
      // an older server or offline: the defaults stay shown
    }
  };

  app.setBlocked = async (user, on) => {
    if (await change(on ? { block: user.id } : { unblock: user.id })) {
      app.note(on ? 'You blocked ' + user.name + '.' : 'You unblocked ' + user.name + '.');
    }
  };

  $('pref-dms').addEventListener('change', () => change({ dms: $('pref-dms').checked }));
  draw();
}
