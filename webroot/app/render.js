// DOM rendering. Everything a user typed is inserted with textContent, never parsed as markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
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

/** Messages (in id order) and notices (in arrival order) merged by time, as the log shows them. */
function merged(messages, notices) {
  const out = [];
  let n = 0;
  for (const m of messages) {
    while (n < notices.length && notices[n].ts < m.ts) out.push(notices[n++]);
    out.push(m);
  }
  return out.concat(notices.slice(n));
}

function timeOf(ts) {
  return el('time', { datetime: new Date(ts).toISOString(), text: timeFormat.format(new Date(ts)) });
}

/**
 * The message log of a room: day separators where the local date changes, own messages marked,
 * deleted messages as tombstones, server notices in between. With `ondelete` (operators), each
 * message has a Delete button calling it with the message.
 */
export function renderLog(list, messages, selfId, shared = new Set(), { notices = [], ondelete = null } = {}) {
  const items = [];
  let lastDay = null;
  for (const m of merged(messages, notices)) {
    const day = dayKey(m.ts);
    if (day !== lastDay) {
      items.push(el('li', { class: 'day', role: 'separator', text: dayFormat.format(new Date(m.ts)) }));
      lastDay = day;
    }
    if (m.type === 'notice') {
      items.push(el('li', { class: 'server-notice' },
        el('div', { class: 'meta' }, el('span', { class: 'sender', text: 'Server notice' }), timeOf(m.ts)),
        el('p', { class: 'notice-text', text: m.text })));
      continue;
    }
    if (m.type === 'deleted') {
      items.push(el('li', { class: 'message deleted', 'data-id': String(m.id) },
        el('p', { class: 'tombstone' }, el('span', { text: 'This message was deleted by an operator.' }), ' ', timeOf(m.ts))));
      continue;
    }
    const own = m.user.id === selfId;
    let remove = null;
    if (ondelete) {
      remove = el('button', { type: 'button', class: 'delete-message', 'aria-label': 'Delete message from ' + m.user.name, text: 'Delete' });
      remove.addEventListener('click', () => ondelete(m));
    }
    items.push(el('li', { class: 'message' + (own ? ' own' : ''), 'data-id': String(m.id) },
      el('div', { class: 'meta' },
        el('span', { class: 'sender', text: own ? m.user.name + ' (you)' : m.user.name }),
        ...userMarks(m.user, shared),
        timeOf(m.ts),
        remove),
      el('p', { class: 'text', text: m.text })));
  }
  // a redraw keeps the keyboard focus on the button it was on (or on the log, if that message is gone)
  const focused = list.contains(document.activeElement) ? document.activeElement.closest('li') : null;
  list.replaceChildren(...items);
  if (focused) {
    const again = list.querySelector('li[data-id="' + focused.dataset.id + '"] button');
    if (again) again.focus();
    else list.closest('[tabindex]')?.focus();
  }
}

export function renderRooms(list, rooms, currentId, onselect) {
  const items = [...rooms.values()].sort((a, b) => a.id.localeCompare(b.id)).map((room) => {
    const label = room.unread > 0 ? room.name + ', ' + room.unread + ' unread' : room.name;
    const button = el('button', { type: 'button', 'aria-current': room.id === currentId ? 'true' : 'false', 'aria-label': label },
      el('span', { class: 'name', text: room.name }),
      el('span', {},
        room.unread > 0 ? el('span', { class: 'unread', text: String(room.unread) }) : null,
        el('span', { class: 'count', title: 'members', text: ' ' + room.memberCount })));
    button.addEventListener('click', () => onselect(room.id));
    return el('li', {}, button);
  });
  list.replaceChildren(...items);
}

export function renderMembers(list, room, selfId, shared = new Set()) {
  const items = [...room.members.values()]
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map((user) => el('li', {},
      el('span', { class: 'name', text: user.id === selfId ? user.name + ' (you)' : user.name }),
      ...userMarks(user, shared)));
  list.replaceChildren(...items);
}
