// The chat app: sign-in, rooms, the conversation in view, members, typing and the composer; server
// notices and what operators did (a deleted message or room); the admin page for operators.

import { api, ApiError, Session } from './session.js';
import { Connection } from './connection.js';
import { SEND_FAILURES, SIGN_IN_FAILURES, adminFailure } from './codes.js';
import { RoomState, catchUp, PAGE } from './rooms.js';
import { el, renderLog, renderMembers, renderRooms, sharedNames } from './render.js';
import { AdminPage, whoAmI } from './admin.js';

const $ = (id) => document.getElementById(id);
const TYPING_EVERY_MS = 3000;

const session = new Session();
const rooms = new Map(); // id -> RoomState
let current = null; // id of the room in view
let lastTypingSent = 0;
let roomsTimer = null;
let operator = false; // GET /api/me said so: the admin page and the Delete buttons are shown
const SEARCH_DELAY_MS = 300;
const MAX_NOTES = 20;

// The server lists rooms a page at a time (GET /api/rooms?q=&after=). The list shows the pages read
// for the current search, plus, without a search, the rooms this tab is in.
const listing = { q: '', ids: new Set(), next: null, extended: false, loaded: false, seq: 0 };
let searchTimer = null;

const connection = new Connection(session, {
  onstate: showState,
  onopen: resync,
  onenvelope: onEnvelope,
  onjoinfailed: (room, err) => {
    if (rooms.has(room)) rooms.get(room).joined = false;
    connection.rooms.delete(room);
    showError('send-error', 'Could not join ' + room + ': ' + err.message);
  },
  onnote: addNote,
});
const admin = new AdminPage(session);

// ---- connection state ----

/** The state in the top bar; why the app is not online (and what to do) in the line below it. */
function showState(state, why) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = state;
  const note = $('connection-note');
  note.dataset.state = state;
  note.hidden = !why;
  $('connection-why').textContent = why || '';
  $('reload').hidden = state !== 'stopped';
}

$('reload').addEventListener('click', () => location.reload());

// ---- notes: server notices to everyone and what operators did, kept until dismissed ----

function addNote(text, kind = 'event') {
  const dismiss = el('button', { type: 'button', class: 'dismiss', text: 'Dismiss' });
  const note = el('li', { class: 'note ' + kind },
    el('span', { class: 'note-label', text: kind === 'notice' ? 'Server notice: ' : '' }),
    el('span', { class: 'note-text', text }),
    ' ',
    el('time', { datetime: new Date().toISOString(), text: new Date().toLocaleTimeString() }),
    ' ',
    dismiss);
  dismiss.addEventListener('click', () => {
    note.remove();
    $('message').focus();
  });
  const list = $('notes');
  list.append(note);
  while (list.children.length > MAX_NOTES) list.firstElementChild.remove();
}

// ---- sign-in ----

function showSignIn(message) {
  connection.stop();
  clearInterval(roomsTimer);
  rooms.clear();
  resetListing('');
  $('room-search').value = '';
  current = null;
  setOperator(false);
  $('chat-view').hidden = true;
  $('sign-out').hidden = true;
  $('whoami').hidden = true;
  $('sign-in-view').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('name').focus();
}

async function signIn(action) {
  const name = $('name').value.trim();
  const password = $('password').value;
  $('sign-in-error').textContent = '';
  try {
    if (action === 'guest') await session.guest(name);
    else if (action === 'login') await session.login(name, password);
    else await session.register(name, password);
    $('password').value = '';
    startChat();
  } catch (e) {
    $('sign-in-error').textContent = e instanceof ApiError ? SIGN_IN_FAILURES[e.code] || e.message : String(e);
  }
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const action = event.submitter ? event.submitter.value : 'guest';
  signIn(action);
});

$('sign-out').addEventListener('click', () => {
  session.clear();
  $('notes').replaceChildren();
  showSignIn();
});

function drawWhoami() {
  if (session.user) {
    $('whoami').textContent = session.user.name + (session.kind === 'guest' ? ' (guest)' : operator ? ' (operator)' : '');
  }
}
session.onchange = drawWhoami;
session.onexpired = (reason) => showSignIn(reason || 'Your session has expired. Please sign in again.');

// ---- rooms ----

function roomsPath(q, after) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (after) params.set('after', after);
  const query = params.toString();
  return '/api/rooms' + (query ? '?' + query : '');
}

function known(info) {
  if (rooms.has(info.id)) rooms.get(info.id).update(info);
  else rooms.set(info.id, new RoomState(info));
}

/** Reads one page of the current search (the first, or the one after `after`); stale answers are dropped. */
async function readRooms(after) {
  if (!session.token) return;
  const seq = listing.seq;
  try {
    const res = await api(roomsPath(listing.q, after), { token: session.token });
    if (seq !== listing.seq) return;
    for (const info of res.rooms) {
      known(info);
      listing.ids.add(info.id);
    }
    if (after) {
      listing.next = res.next;
      listing.extended = true;
    } else if (!listing.extended) {
      listing.next = res.next;
    }
    listing.loaded = true;
    drawRooms();
  } catch (e) {
    if (e.status === 401) await session.renew();
  }
}

/** The first page again (polled): member counts and new rooms. */
function loadRooms() {
  return readRooms(null);
}

function resetListing(q) {
  listing.seq++;
  listing.q = q;
  listing.ids = new Set();
  listing.next = null;
  listing.extended = false;
  listing.loaded = false;
}

function search(q) {
  clearTimeout(searchTimer);
  if (q === listing.q) return;
  resetListing(q);
  drawRooms();
  loadRooms();
}

$('room-search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => search($('room-search').value.trim()), SEARCH_DELAY_MS);
});
$('room-search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  search($('room-search').value.trim());
});
$('more-rooms').addEventListener('click', () => {
  if (listing.next) readRooms(listing.next);
});

function drawRooms() {
  const shown = new Map();
  for (const [id, room] of rooms) {
    if (listing.ids.has(id) || (!listing.q && (room.joined || id === current))) shown.set(id, room);
  }
  renderRooms($('room-list'), shown, current, selectRoom);
  $('more-rooms').hidden = !listing.next;
  $('no-rooms').hidden = !(listing.q && listing.loaded && shown.size === 0);
}

/** The room to open first: general, even when it is not on the first page, else the first listed. */
async function firstRoom() {
  if (!rooms.has('general')) {
    try {
      const res = await api(roomsPath('general', null), { token: session.token });
      const general = res.rooms.find((info) => info.id === 'general');
      if (general) known(general);
    } catch (e) {
      // not reachable now: fall back to the first listed room
    }
  }
  if (rooms.has('general')) return 'general';
  return [...listing.ids].sort()[0];
}

async function selectRoom(id) {
  const room = rooms.get(id);
  if (!room) return;
  current = id;
  room.unread = 0;
  $('room-title').textContent = room.name;
  $('room-topic').textContent = room.topic;
  $('send-error').textContent = '';
  drawRooms();
  drawConversation(true);
  if (!room.joined) {
    room.joined = true;
    connection.join(id);
    if (connection.isOpen()) await syncRoom(room);
  }
}

/** After a (re)connect: every joined room fetches what it missed and its members. */
async function resync() {
  await Promise.all([...rooms.values()].filter((r) => r.joined).map(syncRoom));
  loadRooms();
}

async function syncRoom(room) {
  try {
    if (!room.loaded) {
      const page = await connection.request('chat.history', { room: room.id, limit: PAGE });
      room.hasOlder = page.messages.length === PAGE;
      room.add(page.messages);
      room.loaded = true;
    } else {
      room.add(await catchUp(connection, room.id, room.lastId()));
    }
    const presence = await connection.request('chat.presence', { room: room.id });
    room.setMembers(presence.users);
    if (room.id === current) drawConversation(!room.drawnOnce);
    drawRooms();
  } catch (e) {
    // the connection dropped meanwhile; the next open syncs again
  }
}

function onEnvelope(env) {
  if (env.type === 'notice' && !env.room) {
    addNote(env.text, 'notice'); // to everyone, on chat.user.<own id>
    return;
  }
  const room = rooms.get(env.room);
  if (!room) return;
  switch (env.type) {
    case 'chat': {
      const added = room.add([env]);
      if (added.length && env.room !== current && env.user.id !== session.user?.id) room.unread += added.length;
      if (env.room === current) drawConversation(false);
      break;
    }
    case 'join':
      room.memberJoined(env.user);
      if (env.room === current) drawMembers();
      break;
    case 'left':
      room.memberLeft(env.user);
      if (env.room === current) drawMembers();
      break;
    case 'typing':
      room.startedTyping(env.user);
      if (env.room === current) drawTyping();
      break;
    case 'deleted':
      if (room.deleted(env) && env.room === current) drawConversation(false);
      break;
    case 'notice':
      room.notice(env);
      if (env.room === current) drawConversation(false);
      else room.unread++;
      break;
    case 'room.deleted':
      roomDeleted(room);
      return;
    default:
      break;
  }
  drawRooms();
}

/** An operator deleted the room: it leaves the list (and the view), with a note saying so. */
function roomDeleted(room) {
  rooms.delete(room.id);
  listing.ids.delete(room.id);
  connection.leave(room.id);
  addNote('The room ' + room.name + ' was deleted by an operator.');
  if (current === room.id) {
    current = null;
    $('log').replaceChildren();
    $('members').replaceChildren();
    $('room-title').textContent = '';
    $('room-topic').textContent = '';
    $('typing').textContent = '';
    firstRoom().then((id) => {
      if (!current && id) selectRoom(id);
    });
  }
  drawRooms();
}

// ---- the conversation ----

function drawConversation(scrollToEnd) {
  const room = rooms.get(current);
  if (!room) return;
  const scroller = $('log-scroller');
  const atEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  renderLog($('log'), room.list(), session.user?.id, sharedNames(room.users()),
    { notices: room.notices, ondelete: operator ? deleteMessage : null });
  $('load-older').hidden = !room.hasOlder || !room.loaded;
  if (scrollToEnd || atEnd) scroller.scrollTop = scroller.scrollHeight;
  if (room.loaded) room.drawnOnce = true;
  drawMembers();
  drawTyping();
}

function drawMembers() {
  const room = rooms.get(current);
  if (room) renderMembers($('members'), room, session.user?.id, sharedNames(room.users()));
}

function drawTyping() {
  const room = rooms.get(current);
  const names = room ? room.typingNames(session.user?.id) : [];
  $('typing').textContent = names.length === 0 ? ''
    : names.length === 1 ? names[0] + ' is typing…' : names.join(', ') + ' are typing…';
}
setInterval(drawTyping, 1000);

let loadingOlder = false;
async function loadOlder() {
  const room = rooms.get(current);
  if (!room || loadingOlder || !room.hasOlder || !room.loaded) return;
  loadingOlder = true;
  const scroller = $('log-scroller');
  const fromEnd = scroller.scrollHeight - scroller.scrollTop;
  try {
    const before = room.firstId();
    const page = await connection.request('chat.history', { room: room.id, before, limit: PAGE });
    room.hasOlder = page.messages.length === PAGE;
    room.add(page.messages);
    if (room.id === current) {
      drawConversation(false);
      scroller.scrollTop = scroller.scrollHeight - fromEnd; // keep the reader's place
    }
  } catch (e) {
    // offline: try again on the next scroll
  } finally {
    loadingOlder = false;
  }
}

$('log-scroller').addEventListener('scroll', () => {
  if ($('log-scroller').scrollTop < 40) loadOlder();
});
$('load-older').addEventListener('click', loadOlder);

// ---- writing ----

function showError(id, message) {
  $(id).textContent = message;
}

async function send() {
  const box = $('message');
  const text = box.value;
  if (!text.trim() || !current) return;
  const sendingTo = current;
  $('send-error').textContent = '';
  try {
    await connection.request('chat.send', { room: sendingTo, text });
    if (box.value === text) box.value = ''; // cleared only once the server has stored it
    box.focus();
  } catch (err) {
    const why = err.failureCode === 0
      ? (connection.isOpen() ? 'No answer from the server; the message may not have been sent.'
        : connection.state === 'stopped' ? 'The message was not sent. ' + connection.why
          : 'You are offline; the message was not sent.')
      : SEND_FAILURES[err.failureCode] || err.message || 'The message was not sent.';
    showError('send-error', why);
  }
}

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});

$('message').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});

$('message').addEventListener('input', () => {
  const now = Date.now();
  if (current && connection.isOpen() && now - lastTypingSent > TYPING_EVERY_MS && $('message').value.trim()) {
    lastTypingSent = now;
    connection.request('chat.typing', { room: current }).catch(() => {});
  }
});

/** An operator deletes a message; every member's log (this one too) shows the tombstone when it arrives. */
async function deleteMessage(m) {
  $('send-error').textContent = '';
  try {
    await api('/api/admin/rooms/' + encodeURIComponent(m.room) + '/messages/' + m.id, { method: 'DELETE', token: session.token });
  } catch (e) {
    showError('send-error', 'The message was not deleted: ' + adminFailure(e));
  }
}

// ---- the admin page (operators only) ----

function setOperator(on) {
  operator = on;
  drawWhoami();
  $('admin-toggle').hidden = !on;
  if (!on) showAdmin(false);
  if (current) drawConversation(false);
}

function showAdmin(on) {
  $('admin-view').hidden = !on;
  $('chat-view').hidden = on || !session.user;
  $('admin-toggle').textContent = on ? 'Back to chat' : 'Admin page';
  $('admin-toggle').setAttribute('aria-expanded', on ? 'true' : 'false');
  if (on) {
    admin.open();
    $('admin-title').focus();
  }
}

$('admin-toggle').addEventListener('click', () => {
  const opening = $('admin-view').hidden;
  showAdmin(opening);
  if (!opening) $('message').focus();
});

// ---- creating rooms ----

$('create-room-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const id = $('new-room').value.trim().toLowerCase();
  $('create-room-error').textContent = '';
  try {
    const room = await api('/api/rooms', { method: 'POST', token: session.token, body: { id, name: id } });
    rooms.set(room.id, new RoomState(room));
    $('new-room').value = '';
    $('room-search').value = '';
    search('');
    await selectRoom(room.id);
  } catch (e) {
    $('create-room-error').textContent = e.message;
  }
});

// ---- start ----

function startChat() {
  $('sign-in-view').hidden = true;
  $('chat-view').hidden = false;
  $('sign-out').hidden = false;
  $('whoami').hidden = false;
  connection.start();
  whoAmI(session).then((me) => {
    if (session.user && me.id === session.user.id) setOperator(me.operator === true);
  });
  loadRooms().then(firstRoom).then((id) => {
    if (!current && id) selectRoom(id);
  });
  clearInterval(roomsTimer);
  roomsTimer = setInterval(loadRooms, 15000);
  $('message').focus();
}

if (session.restore()) startChat();
else showSignIn();
