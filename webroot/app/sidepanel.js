// The rooms pane: the rooms listed (a page at a time, filtered by name), the user's direct messages,
// creating rooms, opening a direct message by name; the counts at start (chat.unread), new public
// rooms as the directory announces them, and the user's own notices (mention, dm, invited, read).

import { api } from './session.js';
import { CREATE_ROOM_FAILURES, DM_FAILURES, Err } from './codes.js';
import { Addr, Kind, ROOM_ID, ROOM_ID_RULE, Role, T } from './protocol.js';
import { renderRoomList } from './render.js';

const SEARCH_DELAY_MS = 300;
const POLL_MS = 15000;

export function install(app) {
  const { $, state, session, connection } = app;
  // The server lists rooms a page at a time (GET /api/rooms?q=&after=). The list shows the pages read
  // for the current filter, plus, without a filter, the rooms this tab is in.
  const listing = { q: '', ids: new Set(), next: null, extended: false, loaded: false, seq: 0 };
  let filterTimer = null;
  let pollTimer = null;

  function roomsPath(q, after) {
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    if (after) params.set('after', after);
    const query = params.toString();
    return '/api/rooms' + (query ? '?' + query : '');
  }

  /** Reads one page of the current filter (the first, or the one after `after`); stale answers are dropped. */
  async function readRooms(after) {
    if (!session.token) return;
    const seq = listing.seq;
    try {
      const res = await api(roomsPath(listing.q, after), { token: session.token });
      if (seq !== listing.seq) return;
      for (const info of res.rooms) {
        state.known(info);
        listing.ids.add(info.id);
      }
      if (after) {
        listing.next = res.next;
        listing.extended = true;
      } else if (!listing.extended) {
        listing.next = res.next;
      }
      listing.loaded = true;
      app.drawRooms();
    } catch (e) {
      if (e.status === 401) await session.renew();
    }
  }

  app.loadRooms = () => readRooms(null);

  /** The directory could not be registered: new rooms come from reading the list now and then. */
  app.pollRooms = () => {
    if (!pollTimer) pollTimer = setInterval(app.loadRooms, POLL_MS);
  };

  function resetListing(q) {
    listing.seq++;
    listing.q = q;
    listing.ids = new Set();
    listing.next = null;
    listing.extended = false;
    listing.loaded = false;
  }

  function filter(q) {
    clearTimeout(filterTimer);
    if (q === listing.q) return;
    resetListing(q);
    app.drawRooms();
    app.loadRooms();
  }

  function matches(room, q) {
    const key = q.toLowerCase();
    return room.id.includes(key) || room.name.toLowerCase().includes(key);
  }

  $('room-search').addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => filter($('room-search').value.trim()), SEARCH_DELAY_MS);
  });
  $('room-search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    filter($('room-search').value.trim());
  });
  $('more-rooms').addEventListener('click', () => {
    if (listing.next) readRooms(listing.next);
  });

  app.drawRooms = () => {
    const shown = [];
    for (const [id, room] of state.rooms) {
      if (room.isDm) continue;
      if (listing.ids.has(id) || (!listing.q && (room.joined || id === state.current))) shown.push(room);
    }
    renderRoomList($('room-list'), shown, state.current, app.selectRoom);
    $('more-rooms').hidden = !listing.next;
    $('no-rooms').hidden = !(listing.q && listing.loaded && shown.length === 0);
    const dms = state.dms();
    renderRoomList($('dm-list'), dms, state.current, app.selectRoom, { online: false });
    $('no-dms').hidden = dms.length > 0;
    app.updateTitle();
  };

  /** The room to open first: general, even when it is not on the first page, else the first listed. */
  async function firstRoom() {
    if (!state.rooms.has('general')) {
      try {
        const res = await api(roomsPath('general', null), { token: session.token });
        const general = res.rooms.find((info) => info.id === 'general');
        if (general) state.known(general);
      } catch (e) {
        // not reachable now: fall back to the first listed room
      }
    }
    if (state.rooms.has('general')) return 'general';
    return [...listing.ids].sort()[0];
  }
  app.firstRoom = firstRoom;

  app.startRooms = () => {
    app.loadRooms().then(firstRoom).then((id) => {
      if (!state.current && id) app.selectRoom(id);
    });
  };

  app.stopRooms = () => {
    clearInterval(pollTimer);
    pollTimer = null;
    resetListing('');
    $('room-search').value = '';
    $('room-list').replaceChildren();
    $('dm-list').replaceChildren();
  };

  /** Name and topic of a room this tab has only an id of (from the counts or a notice). */
  async function fetchInfo(id) {
    try {
      const res = await api(roomsPath(id, null), { token: session.token });
      const info = res.rooms.find((r) => r.id === id);
      if (info) {
        state.known(info);
        app.drawRooms();
        if (id === state.current) app.drawHeader();
      }
    } catch (e) {
      // the id stands in for the name
    }
  }

  /** A room this user belongs to or has read: known and joined, so its counts move live. */
  function adopt(info) {
    const room = state.known(info);
    if (!room.isDm && room.name === room.id && !info.name) fetchInfo(room.id);
    if (!room.joined) {
      room.joined = true;
      connection.join(room.id);
      if (connection.isOpen()) app.syncRoom(room);
    }
    return room;
  }

  /** chat.unread: unread and mention counts of the user's rooms, the same in every tab and device. */
  app.loadUnread = async () => {
    try {
      const res = await connection.request(Addr.UNREAD, {});
      for (const c of res.rooms || []) {
        const room = c.room.startsWith('dm-') ? state.room(c.room) : adopt({ id: c.room });
        if (!room) continue; // a DM: chat.dm.list brings it
        room.lastRead = c.lastRead || 0;
        room.readSent = Math.max(room.readSent, room.lastRead);
        room.unread = c.unread || 0;
        room.mentions = c.mentions || 0;
      }
      app.drawRooms();
      app.markRead();
    } catch (e) {
      // a server without read markers, or offline: counts stay those of this tab
    }
  };

  /** chat.dm.list: the user's direct messages, joined so that they count and show new messages. */
  app.loadDms = async () => {
    try {
      const res = await connection.request(Addr.DM_LIST, {});
      for (const d of res.dms || []) addDm(d.room, d.with);
      app.drawRooms();
    } catch (e) {
      // no direct messages on this server, or offline
    }
  };

  function addDm(id, withUser) {
    const room = state.known({ id, kind: Kind.DM, with: withUser });
    room.kind = Kind.DM;
    if (withUser) {
      room.with = withUser;
      room.name = withUser.name;
    }
    room.role = Role.MEMBER;
    return adopt({ id });
  }

  /** Opens (or creates) the direct message with a user ({user: id} or {name}); errors go to `errorId`. */
  app.openDm = async (target, errorId) => {
    $(errorId).textContent = '';
    try {
      const res = await connection.request(Addr.DM_OPEN, target);
      const room = addDm(res.room.id, res.room.with);
      app.drawRooms();
      await app.selectRoom(room.id);
      $('message').focus();
      return true;
    } catch (err) {
      const why = err.failureCode === 0 ? 'No answer from the server (offline?).'
        : DM_FAILURES[err.failureCode] || err.message || 'The direct message could not be opened.';
      $(errorId).textContent = why;
      return false;
    }
  };

  $('dm-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('dm-name').value.trim();
    if (!name) {
      $('dm-error').textContent = 'Write the name of the person to write to.';
      return;
    }
    if (await app.openDm({ name }, 'dm-error')) $('dm-name').value = '';
  });

  /** Notices on chat.user.<own id>: mentions and DMs (counted here unless the room is joined), invitations, reads. */
  app.onUserNotice = (env) => {
    switch (env.type) {
      case T.READ: {
        const room = state.room(env.room);
        if (!room) return;
        room.lastRead = env.lastRead || room.lastRead;
        room.readSent = Math.max(room.readSent, room.lastRead);
        room.unread = env.unread || 0;
        room.mentions = env.mentions || 0;
        break;
      }
      case T.MENTION: {
        const known = state.room(env.room);
        if (known && known.joined) return; // the message itself counts it
        const room = known || state.known({ id: env.room });
        if (!known) fetchInfo(env.room);
        room.unread++;
        room.mentions++;
        listing.ids.add(room.id);
        app.notifyDesktop(env.user.name + ' mentioned you in ' + room.name, env.text, room.id, env.id);
        break;
      }
      case T.DM: {
        const known = state.room(env.room);
        if (known && known.joined) return;
        const room = addDm(env.room, env.user);
        room.unread++;
        app.notifyDesktop(env.user.name + ' wrote to you', env.text, room.id, env.id);
        break;
      }
      case T.INVITED: {
        const room = adopt({ id: env.room, name: env.name, topic: env.topic, kind: Kind.PRIVATE, role: Role.MEMBER });
        app.note(env.user.name + ' invited you to the private room ' + room.name + '.');
        break;
      }
      default:
        return;
    }
    app.drawRooms();
  };

  /** chat.directory: public rooms created, renamed or deleted by anyone. */
  app.onDirectory = (env) => {
    if (env.type === T.ROOM_CREATED) {
      const room = state.known({ id: env.room, name: env.name, topic: env.topic });
      if (!listing.q || matches(room, listing.q)) listing.ids.add(room.id);
    } else if (env.type === T.ROOM_UPDATED) {
      const room = state.room(env.room);
      if (room) room.update(env);
    } else if (env.type === T.ROOM_DELETED) {
      listing.ids.delete(env.room);
    }
    app.drawRooms();
  };

  /** The room went away for this user (deleted, or removed from it): out of the list and the view. */
  app.forgetRoom = (room, note) => {
    state.rooms.delete(room.id);
    listing.ids.delete(room.id);
    connection.leave(room.id);
    if (note) app.note(note);
    if (state.current === room.id) {
      state.current = null;
      app.clearConversation();
      firstRoom().then((id) => {
        if (!state.current && id) app.selectRoom(id);
      });
    }
    app.drawRooms();
  };

  // ---- creating rooms ----

  $('create-room-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const id = $('new-room').value.trim().toLowerCase();
    const name = $('new-room-name').value.trim();
    const topic = $('new-room-topic').value.trim();
    const isPrivate = $('new-room-private').checked;
    $('create-room-error').textContent = '';
    if (!ROOM_ID.test(id)) {
      $('create-room-error').textContent = (id ? 'That room id is not allowed. ' : '') + ROOM_ID_RULE;
      $('new-room').focus();
      return;
    }
    if (id.startsWith('dm-')) {
      $('create-room-error').textContent = 'Room ids starting with "dm-" are kept for direct messages. Choose another.';
      return;
    }
    const body = { id, name: name || id };
    if (topic) body.topic = topic;
    if (isPrivate) body.private = true;
    try {
      // over the bridge (chat.rooms.create answers with the owner's role); REST while not connected
      const info = connection.isOpen() ? await connection.request(Addr.ROOMS_CREATE, body)
        : await api('/api/rooms', { method: 'POST', token: session.token, body });
      const room = state.known({ ...info, role: Role.OWNER });
      room.kind = info.private === true || (info.private === undefined && isPrivate) ? Kind.PRIVATE : Kind.PUBLIC;
      room.role = Role.OWNER;
      for (const field of ['new-room', 'new-room-name', 'new-room-topic']) $(field).value = '';
      $('new-room-private').checked = false;
      $('room-search').value = '';
      filter('');
      await app.selectRoom(room.id);
    } catch (e) {
      const code = e.failureCode !== undefined ? e.failureCode : e.code;
      $('create-room-error').textContent = code === Err.INVALID_ROOM ? ROOM_ID_RULE
        : code === 0 && e.failureCode === 0 ? 'No answer from the server (offline?). Try again.'
          : CREATE_ROOM_FAILURES[code] || e.message;
    }
  });

  // ---- the panes on a phone: the rooms pane and the members pane open on demand ----

  app.showPane = (which, open) => {
    const view = $('chat-view');
    view.dataset[which + 'Open'] = open ? 'true' : 'false';
    $(which + '-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
  };
  $('rooms-toggle').addEventListener('click', () => app.showPane('rooms', $('chat-view').dataset.roomsOpen !== 'true'));
  $('members-toggle').addEventListener('click', () => app.showPane('members', $('chat-view').dataset.membersOpen !== 'true'));
}
