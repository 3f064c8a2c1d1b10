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

/** The message log of a room: day separators where the local date changes, own messages marked. */
export function renderLog(list, messages, selfId) {
  const items = [];
  let lastDay = null;
  for (const m of messages) {
    const day = dayKey(m.ts);
    if (day !== lastDay) {
      items.push(el('li', { class: 'day', role: 'separator', text: dayFormat.format(new Date(m.ts)) }));
      lastDay = day;
    }
    const own = m.user.id === selfId;
    items.push(el('li', { class: 'message' + (own ? ' own' : ''), 'data-id': String(m.id) },
      el('div', { class: 'meta' },
        el('span', { class: 'sender', text: own ? m.user.name + ' (you)' : m.user.name }),
        el('time', { datetime: new Date(m.ts).toISOString(), text: timeFormat.format(new Date(m.ts)) })),
      el('p', { class: 'text', text: m.text })));
  }
  list.replaceChildren(...items);
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

export function renderMembers(list, room, selfId) {
  const names = [...room.members.entries()]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([id, name]) => el('li', { text: id === selfId ? name + ' (you)' : name }));
  list.replaceChildren(...names);
}
