// Searching messages (chat.search) in every room the user may read: results newest first, a page at
// a time; a result opens its room at the message (older history read until it is there).

import { chatFailure } from './codes.js';
import { Addr } from './protocol.js';
import { el, timeOf } from './render.js';

const LIMIT = 20;
const dayTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function install(app) {
  const { $, state, connection } = app;
  let query = null; // {q, next}

  function show(open) {
    $('search-results').hidden = !open;
    if (!open) {
      $('results').replaceChildren();
      $('more-results').hidden = true;
      query = null;
    }
  }

  function result(m) {
    const room = state.room(m.room);
    const where = room ? room.name : m.room;
    const excerpt = Array.from(m.text || '').slice(0, 160).join('');
    const b = el('button', { type: 'button', class: 'result', 'aria-label': m.user.name + ' in ' + where + ': ' + excerpt },
      el('span', { class: 'result-meta' }, el('span', { class: 'result-room', text: where }), ' · ',
        el('span', { class: 'sender', text: m.user.name }), ' · ', timeOf(m.ts, dayTime)),
      el('span', { class: 'result-text', text: excerpt }));
    b.addEventListener('click', () => app.openMessage(m.room, m.id));
    return el('li', { 'data-room': m.room, 'data-id': String(m.id) }, b);
  }

  async function run(before) {
    const q = query.q;
    const body = { q, limit: LIMIT };
    if (before) body.before = before;
    $('search-status').textContent = 'Searching…';
    try {
      const res = await connection.request(Addr.SEARCH, body);
      if (!query || query.q !== q) return;
      $('results').append(...res.messages.map(result));
      query.next = res.next || null;
      $('more-results').hidden = !query.next;
      const n = $('results').children.length;
      $('search-status').textContent = n === 0 ? 'No message matches "' + q + '".'
        : n + (n === 1 ? ' message matches' : ' messages match') + (query.next ? ' so far.' : '.');
    } catch (err) {
      $('search-status').textContent = chatFailure(err, 'The search failed.');
    }
  }

  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = $('search').value.trim();
    show(true);
    $('results').replaceChildren();
    $('more-results').hidden = true;
    if (Array.from(q).length < 2) {
      query = null;
      $('search-status').textContent = 'Write at least 2 characters to search.';
      return;
    }
    query = { q, next: null };
    run(null);
  });
  $('search').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') show(false);
  });
  $('more-results').addEventListener('click', () => {
    if (query && query.next) run(query.next);
  });
  $('close-search').addEventListener('click', () => {
    show(false);
    $('search').focus();
  });
}
