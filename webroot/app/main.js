// The chat app's entry: sign-in, the connection and what arrives on it, and the start. The parts of
// the page are modules that install their functions on `app` (the one object they share): the rooms
// pane (sidepanel.js), the conversation (conversation.js), members and room settings (members.js),
// search (search.js), notifications and the title (notify.js), preferences (settings.js). What the
// app knows lives in state.js; envelope types and addresses in protocol.js; codes in codes.js.

import { api, ApiError, Session } from './session.js';
import { Connection } from './connection.js';
import { Err, SIGN_IN_FAILURES } from './codes.js';
import { Addr, Sub, T } from './protocol.js';
import { state } from './state.js';
import { el } from './render.js';
import { AdminPage, whoAmI } from './admin.js';
import * as sidepanel from './sidepanel.js';
import * as conversation from './conversation.js';
import * as members from './members.js';
import * as search from './search.js';
import * as notify from './notify.js';
import * as settings from './settings.js';

const $ = (id) => document.getElementById(id);
const MAX_NOTES = 20;

const session = new Session();
const app = { $, session, state };

app.connection = new Connection(session, {
  onstate: showState,
  onopen: () => app.resync(),
  onenvelope: onEnvelope,
  onjoinfailed: (room, err) => {
    const known = state.room(room);
    if (known) known.joined = false;
    app.connection.leave(room);
    const refused = err.failureCode === Err.ROOM_NOT_FOUND || err.failureCode === Err.BANNED_FROM_ROOM;
    if (refused && room !== state.current && known) {
      // a room from the counts or a notice that this user may no longer read: it just goes away
      app.forgetRoom(known, null);
      return;
    }
    const why = err.failureCode === Err.BANNED_FROM_ROOM ? 'you are banned from it'
      : err.failureCode === Err.ROOM_NOT_FOUND ? 'there is no such room (or it is private)' : err.message;
    app.showError('send-error', 'Could not join ' + (known ? known.name : room) + ': ' + why);
  },
  onnote: addNote,
});
const admin = new AdminPage(session);

app.note = addNote;
app.showError = (id, message) => {
  $(id).textContent = message;
};

for (const part of [sidepanel, conversation, members, search, notify, settings]) part.install(app);

// ---- connection state ----

/** The state in the top bar (only once signed in); why the app is not online in the line below it. */
function showState(stateName, why) {
  const status = $('status');
  status.dataset.state = stateName;
  status.textContent = stateName;
  status.hidden = !session.user;
  const note = $('connection-note');
  note.dataset.state = stateName;
  note.hidden = !why;
  $('connection-why').textContent = why || '';
  $('reload').hidden = stateName !== 'stopped';
}

$('reload').addEventListener('click', () => location.reload());

// ---- notes: server notices to everyone and what happened to this user, kept until dismissed ----

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
  app.connection.stop();
  app.stopRooms();
  state.clear();
  app.clearConversation();
  setOperator(false);
  $('chat-view').hidden = true;
  $('search-form').hidden = true;
  $('rooms-toggle').hidden = true;
  $('status').hidden = true;
  $('connection-note').hidden = true;
  $('sign-out').hidden = true;
  $('whoami').hidden = true;
  $('sign-in-view').hidden = false;
  $('sign-in-error').textContent = message || '';
  app.updateTitle();
  $('name').focus();
  signInOptions();
}

/** Shows only the ways of signing in the server offers now (GET /api/auth/options); all of them when it cannot say. */
async function signInOptions() {
  try {
    const options = await api('/api/auth/options');
    if (options.guests === false) guestsOff();
    else {
      $('join-guest').hidden = false;
      $('sign-in-intro').textContent = 'Join as a guest with a name, or use an account.';
    }
    $('register').hidden = options.registration === false;
  } catch (e) {
    // unreachable now: the buttons stay; a refusal says why when one is pressed
  }
}

/**
 * Guest sign-in switched off (the options said so, or the server refused a guest since): the guest button goes
 * away and the form says to use an account.
 */
function guestsOff() {
  $('join-guest').hidden = true;
  $('sign-in-intro').textContent = 'Guest sign-in is switched off on this server: sign in with an account, or register one.';
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
    if (e instanceof ApiError && e.code === Err.GUESTS_DISABLED) guestsOff();
    $('sign-in-error').textContent = e instanceof ApiError ? SIGN_IN_FAILURES[e.code] || e.message : String(e);
  }
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  let action = event.submitter ? event.submitter.value : 'guest';
  // Enter in the form "clicks" its first button: with a password typed, that means signing in
  const inField = document.activeElement === $('name') || document.activeElement === $('password');
  if (action === 'guest' && $('password').value && inField) action = 'login';
  if (action === 'guest' && $('join-guest').hidden) action = 'login';
  signIn(action);
});

$('sign-out').addEventListener('click', () => {
  session.clear();
  $('notes').replaceChildren();
  showSignIn();
});

function drawWhoami() {
  if (session.user) {
    $('whoami').textContent = session.user.name + (session.kind === 'guest' ? ' (guest)' : state.operator ? ' (operator)' : '');
  }
}
session.onchange = () => {
  drawWhoami();
  state.self = session.user ? { id: session.user.id, name: session.user.name } : null;
};
session.onexpired = (reason) => showSignIn(reason || 'Your session has expired. Please sign in again.');

// ---- what arrives ----

/** Every envelope: on the rooms joined, on chat.user.<own id> (notices) and on chat.directory. */
function onEnvelope(env) {
  if (!env || typeof env !== 'object') return;
  switch (env.type) {
    case T.NOTICE:
      if (!env.room) {
        addNote(env.text, 'notice'); // to everyone, on chat.user.<own id>
        return;
      }
      break;
    case T.MENTION:
    case T.DM:
    case T.INVITED:
    case T.READ:
      app.onUserNotice(env);
      return;
    case T.ROOM_CREATED:
      app.onDirectory(env);
      return;
    default:
      break;
  }
  const room = state.room(env.room);
  if (!room) {
    if (env.type === T.ROOM_UPDATED || env.type === T.ROOM_DELETED) app.onDirectory(env);
    return;
  }
  app.onRoomEnvelope(room, env);
}

/** After a (re)connect: counts and the user's rooms, DMs, preferences; every joined room catches up. */
app.resync = async () => {
  app.connection.subscribe(Sub.DIRECTORY, onEnvelope, () => app.pollRooms());
  await Promise.all([app.loadDms().then(app.loadUnread), app.loadPrefs()]);
  await Promise.all([...state.rooms.values()].filter((r) => r.joined).map((r) => app.syncRoom(r)));
  app.loadRooms();
};

// ---- the admin page (operators only) ----

function setOperator(on) {
  state.operator = on;
  drawWhoami();
  $('admin-toggle').hidden = !on;
  if (!on) showAdmin(false);
  if (state.current) app.drawConversation(false);
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

// ---- start ----

function startChat() {
  state.self = { id: session.user.id, name: session.user.name };
  $('sign-in-view').hidden = true;
  $('chat-view').hidden = false;
  $('search-form').hidden = false;
  $('rooms-toggle').hidden = false;
  $('sign-out').hidden = false;
  $('whoami').hidden = false;
  $('status').hidden = false;
  app.connection.start();
  whoAmI(session).then((me) => {
    if (session.user && me.id === session.user.id) setOperator(me.operator === true);
  });
  app.startRooms();
  $('message').focus();
}

// for the browser tests and a look from the developer tools (the server checks every request anyway)
window.vertxChat = { state, Addr, request: (address, body) => app.connection.request(address, body) };

if (session.restore()) startChat();
else showSignIn();
