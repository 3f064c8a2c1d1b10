// DOM rendering. Everything a user typed is inserted with textContent, never parsed as markup.
// The message log is drawn incrementally (LogView): one node per message id, kept while its envelope
// object stays the same, replaced in place when it changes, new ones inserted where they belong.

import { T } from './protocol.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

function dayKey(ts) {
  const d = new Date(ts);
  return d.getFullYear() + '-' + d.getMonth() + '-' + d.getDate();
}

/** How the app compares display names: NFKC, lower case ("Sam", "sam" and "ｓａｍ" are one name). */
export function nameKey(name) {
  return String(name).normalize('NFKC').toLowerCase();
}

/** The names (as nameKey) that more than one of these users has. */
export function sharedNames(users) {
  const idsByName = new Map();
  for (const user of users) {
    const key = nameKey(user.name);
    if (!idsByName.has(key)) idsByName.set(key, new Set());
    idsByName.get(key).add(user.id);
  }
  return new Set([...idsByName].filter(([, ids]) => ids.size > 1).map(([key]) => key));
}

/** Tells apart users of the same name: "#" and the last 4 characters of the user id. */
export function idTag(id) {
  return '#' + String(id).slice(-4);
}

/** What follows a user's name: "guest" for a guest, the id tag when someone else has the same name. */
function userMarks(user, shared) {
  return [
    user.guest === true ? el('span', { class: 'guest-mark', title: 'a guest, not a registered account', text: 'guest' }) : null,
    shared.has(nameKey(user.name)) ? el('span', { class: 'id-tag', title: 'to tell apart users of the same name', text: idTag(user.id) }) : null,
  ];
}

export function timeOf(ts, format = timeFormat) {
  return el('time', { datetime: new Date(ts).toISOString(), title: fullFormat.format(new Date(ts)), text: format.format(new Date(ts)) });
}

/** "1 reply", "3 replies"; "1 unread", ... */
export function counted(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

/** Text with its @name tokens in spans (highlighted), as text nodes only. */
function withMentions(text) {
  const p = el('p', { class: 'text' });
  const re = /@[\p{L}\p{N}_.-]+/gu;
  let at = 0;
  for (const match of text.matchAll(re)) {
    if (match.index > at) p.append(text.slice(at, match.index));
    p.append(el('span', { class: 'at', text: match[0] }));
    at = match.index + match[0].length;
  }
  if (at < text.length) p.append(text.slice(at));
  return p;
}

/** Who reacted with one emoji, as a sentence for the tooltip and the accessible name. */
function reactors(r) {
  const names = (r.users || []).map((u) => u.name);
  const more = r.count - names.length;
  return names.join(', ') + (more > 0 ? (names.length ? ' and ' : '') + counted(more, 'other', 'others') : '');
}

/**
 * The node of one chat message. ctx: {selfId, shared, onactions(m, button), onreact(m, emoji, on),
 * onquote(id)}.
 */
function messageNode(m, ctx) {
  const own = m.user.id === ctx.selfId;
  const mentioned = !own && Array.isArray(m.mentions) && m.mentions.includes(ctx.selfId);
  const actions = el('button', {
    type: 'button', class: 'message-actions', 'aria-label': 'Message actions', 'aria-haspopup': 'menu',
    'aria-expanded': 'false', title: 'Message actions', 'data-key': 'actions', text: '⋯',
  });
  actions.addEventListener('click', () => ctx.onactions(m, actions));
  let quote = null;
  if (m.replyTo) {
    const q = m.replyTo;
    quote = el('button', { type: 'button', class: 'quote', 'data-key': 'quote', 'aria-label': 'Show the message this replies to' },
      el('span', { class: 'quote-label', text: q.deleted ? 'Reply to a deleted message' : q.user ? 'Reply to ' + q.user.name + ':' : 'Reply to an earlier message' }),
      q.text ? el('span', { class: 'quote-text', text: ' ' + q.text }) : null);
    quote.addEventListener('click', () => ctx.onquote(q.id));
  }
  let reactions = null;
  if (Array.isArray(m.reactions) && m.reactions.length) {
    reactions = el('div', { class: 'reactions' }, ...m.reactions.map((r) => {
      const mine = (r.users || []).some((u) => u.id === ctx.selfId);
      const who = reactors(r);
      const b = el('button', {
        type: 'button', class: 'reaction', 'aria-pressed': mine ? 'true' : 'false', 'data-key': 'r' + r.emoji,
        title: r.emoji + ' ' + who, 'aria-label': r.emoji + ' ' + r.count + (who ? ', by ' + who : ''), text: r.emoji + ' ' + r.count,
      });
      b.addEventListener('click', () => ctx.onreact(m, r.emoji, !mine));
      return b;
    }));
  }
  return el('li', {
    class: 'message' + (own ? ' own' : '') + (mentioned ? ' mentioned' : ''), 'data-id': String(m.id), id: 'msg-' + m.id,
  },
  el('div', { class: 'meta' },
    el('span', { class: 'sender', text: own ? m.user.name + ' (you)' : m.user.name }),
    ...userMarks(m.user, ctx.shared),
    timeOf(m.ts),
    m.edited ? el('span', { class: 'edited', title: 'edited ' + fullFormat.format(new Date(m.edited)), text: '(edited)' }) : null,
    mentioned ? el('span', { class: 'mention-mark', text: 'mentions you' }) : null,
    actions),
  quote,
  withMentions(m.text),
  reactions,
  m.replies > 0 ? el('p', { class: 'replies', text: counted(m.replies, 'reply', 'replies') }) : null);
}

function tombstoneNode(m) {
  return el('li', { class: 'message deleted', 'data-id': String(m.id), id: 'msg-' + m.id },
    el('p', { class: 'tombstone' }, el('span', { text: 'This message was deleted.' }), ' ', timeOf(m.ts)));
}

function noticeNode(n) {
  return el('li', { class: 'server-notice' },
    el('div', { class: 'meta' }, el('span', { class: 'sender', text: 'Server notice' }), timeOf(n.ts)),
    el('p', { class: 'notice-text', text: n.text }));
}

/** Messages (in id order) and notices (in arrival order) merged by time, with a key each. */
function keyed(messages, notices) {
  const out = [];
  let n = 0;
  let lastDay = null;
  const push = (key, obj) => {
    const day = dayKey(obj.ts);
    if (day !== lastDay) {
      out.push({ key: 'day-' + day, obj: day, ts: obj.ts });
      lastDay = day;
    }
    out.push({ key, obj });
  };
  for (const m of messages) {
    while (n < notices.length && notices[n].ts < m.ts) push('n-' + notices[n].ts + '-' + n, notices[n++]);
    push('m-' + m.id, m);
  }
  for (; n < notices.length; n++) push('n-' + notices[n].ts + '-' + n, notices[n]);
  return out;
}

/** The log of the room in view, drawn incrementally. */
export class LogView {
  constructor(list) {
    this.list = list;
    this.roomId = null;
    this.nodes = new Map(); // key -> {obj, node}
    this.ctxKey = '';
  }

  /** Draws `room`: ctx as for a message, plus whatever changes every message's look (ctxKey). */
  show(room, ctx) {
    const ctxKey = ctx.selfId + '|' + [...ctx.shared].join(',');
    if (room.id !== this.roomId || ctxKey !== this.ctxKey) {
      this.roomId = room.id;
      this.ctxKey = ctxKey;
      this.nodes.clear();
      this.list.replaceChildren();
    }
    const wanted = keyed(room.list(), room.notices);
    const keep = new Set();
    let ref = this.list.firstChild;
    for (const { key, obj, ts } of wanted) {
      keep.add(key);
      let entry = this.nodes.get(key);
      if (entry && entry.obj !== obj && !key.startsWith('day-')) {
        const fresh = this.node(key, obj, ctx, ts);
        const focusKey = entry.node.contains(document.activeElement) ? document.activeElement.dataset.key : null;
        if (entry.node.parentNode) entry.node.replaceWith(fresh);
        if (ref === entry.node) ref = fresh;
        entry = { obj, node: fresh };
        this.nodes.set(key, entry);
        if (focusKey) fresh.querySelector('[data-key="' + CSS.escape(focusKey) + '"]')?.focus();
      } else if (!entry) {
        entry = { obj, node: this.node(key, obj, ctx, ts) };
        this.nodes.set(key, entry);
      }
      if (entry.node === ref) ref = ref.nextSibling;
      else this.list.insertBefore(entry.node, ref);
    }
    for (const [key, entry] of this.nodes) {
      if (!keep.has(key)) {
        if (entry.node.contains(document.activeElement)) this.list.closest('[tabindex]')?.focus();
        entry.node.remove();
        this.nodes.delete(key);
      }
    }
  }

  node(key, obj, ctx, ts) {
    if (key.startsWith('day-')) return el('li', { class: 'day', role: 'separator', text: dayFormat.format(new Date(ts)) });
    if (obj.type === T.NOTICE) return noticeNode(obj);
    if (obj.type === T.DELETED) return tombstoneNode(obj);
    return messageNode(obj, ctx);
  }

  /** The node of a message id, if shown. */
  nodeOf(id) {
    const entry = this.nodes.get('m-' + id);
    return entry ? entry.node : null;
  }

  clear() {
    this.roomId = null;
    this.nodes.clear();
    this.list.replaceChildren();
  }
}

/**
 * A list of rooms (or direct messages), drawn in place: one item per room id, its button updated.
 * The button's accessible name says the counts in words ("side, 2 unread, 1 mention").
 */
export function renderRoomList(list, rooms, currentId, onselect, { online = true } = {}) {
  const byId = new Map([...list.children].map((li) => [li.dataset.room, li]));
  const sorted = [...rooms].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  let ref = list.firstChild;
  for (const room of sorted) {
    let li = byId.get(room.id);
    if (!li) {
      const button = el('button', { type: 'button' });
      button.addEventListener('click', () => onselect(room.id));
      li = el('li', { 'data-room': room.id }, button);
    }
    byId.delete(room.id);
    const button = li.firstChild;
    const parts = [room.name];
    if (room.isPrivate) parts.push('private');
    if (room.archived) parts.push('archived');
    if (room.unread > 0) parts.push(counted(room.unread, 'unread', 'unread'));
    if (room.mentions > 0) parts.push(counted(room.mentions, 'mention', 'mentions'));
    button.setAttribute('aria-label', parts.join(', '));
    button.setAttribute('aria-current', room.id === currentId ? 'true' : 'false');
    button.replaceChildren(
      el('span', { class: 'name', text: room.name }),
      el('span', { class: 'badges' },
        room.isPrivate ? el('span', { class: 'lock', title: 'private room', text: '🔒' }) : null,
        room.mentions > 0 ? el('span', { class: 'mention-badge', title: counted(room.mentions, 'mention', 'mentions'), text: '@' + room.mentions }) : null,
        room.unread > 0 ? el('span', { class: 'unread', text: room.unread + ' unread' }) : null,
        online && !room.isDm && room.memberCount > 0 ? el('span', { class: 'count', text: room.memberCount + ' online' }) : null));
    if (li === ref) ref = ref.nextSibling;
    else list.insertBefore(li, ref);
  }
  for (const li of byId.values()) li.remove();
}

/**
 * The members panel: who is here (and, in a private room, every member), their role, a mute mark,
 * and a button per other member opening their actions (ctx.onmember(user, button)).
 */
export function renderMembers(list, room, ctx) {
  const users = new Map();
  for (const [id, u] of room.members) users.set(id, { user: u, online: true });
  if (room.isPrivate || room.isDm) {
    for (const [id, row] of room.roles) if (!users.has(id)) users.set(id, { user: row.user, online: false });
  }
  const items = [...users.values()]
    .sort((a, b) => Number(b.online) - Number(a.online) || a.user.name.localeCompare(b.user.name) || a.user.id.localeCompare(b.user.id))
    .map(({ user, online }) => {
      const role = room.roleOf(user.id);
      const muted = room.mutedUntil(user.id);
      let actions = null;
      if (user.id !== ctx.selfId) {
        actions = el('button', {
          type: 'button', class: 'member-actions', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
          'aria-label': 'Actions for ' + user.name, title: 'Actions for ' + user.name, text: '⋯',
        });
        actions.addEventListener('click', () => ctx.onmember(user, actions));
      }
      return el('li', { class: online ? 'online' : 'offline', 'data-user': user.id },
        el('span', { class: 'name', text: user.id === ctx.selfId ? user.name + ' (you)' : user.name }),
        ...userMarks(user, ctx.shared),
        role && role !== 'member' ? el('span', { class: 'role-tag', text: role }) : null,
        muted ? el('span', { class: 'role-tag muted', title: 'muted until ' + fullFormat.format(new Date(muted)), text: 'muted' }) : null,
        online ? null : el('span', { class: 'away', text: 'away' }),
        actions);
    });
  list.replaceChildren(...items);
}
