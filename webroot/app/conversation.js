// The conversation in view: its header, the log (drawn incrementally by LogView), loading older
// messages, the composer (send, reply, edit), each message's actions (edit, delete, reply, react),
// read markers (chat.read once the newest message is on screen) and what arrives on a room's address.

import { api, ApiError } from './session.js';
import { adminFailure, chatFailure } from './codes.js';
import { Addr, REACTIONS, Role, T } from './protocol.js';
import { PAGE, catchUp } from './state.js';
import { LogView, sharedNames } from './render.js';
import { openMenu } from './menu.js';

const TYPING_EVERY_MS = 3000;
const READ_DELAY_MS = 250;
const HIGHLIGHT_MS = 4000;
/** Pages of history read back at most to find a message (search results, quotes). */
const MAX_PAGES_BACK = 40;

export function install(app) {
  const { $, state, connection, session } = app;
  const log = new LogView($('log'));
  const scroller = $('log-scroller');
  let lastTypingSent = 0;
  let mode = null; // {kind: 'reply'|'edit', room, message}
  let readTimer = null;

  const atEnd = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;

  /** The user sees the newest message of the room in view now. */
  app.readingNow = () => !document.hidden && !!state.current && atEnd();

  // ---- the room in view ----

  app.selectRoom = async (id) => {
    const room = state.room(id);
    if (!room) return;
    if (state.current !== id) setMode(null);
    state.current = id;
    app.showPane('rooms', false);
    $('send-error').textContent = '';
    app.drawHeader();
    app.drawRooms();
    app.drawConversation(true);
    app.loadRoles(room);
    if (!room.joined) {
      room.joined = true;
      connection.join(id);
      if (connection.isOpen()) await app.syncRoom(room);
    }
  };

  app.drawHeader = () => {
    const room = state.currentRoom();
    if (!room) return;
    $('room-title').textContent = room.name;
    $('room-topic').textContent = room.isDm ? 'Direct message: only the two of you can read it.' : room.topic;
    $('room-note').hidden = !room.archived;
    $('room-note').textContent = room.archived ? 'This room is archived: it can be read, nobody can write to it.' : '';
    $('message').disabled = room.archived;
    $('send').disabled = room.archived;
    $('room-settings-toggle').hidden = !state.canModerate(room);
    if ($('room-settings-toggle').hidden) app.showRoomSettings(false);
    document.querySelector('.conversation').dataset.kind = room.kind;
  };

  app.clearConversation = () => {
    log.clear();
    setMode(null);
    for (const id of ['members', 'room-title', 'room-topic', 'typing']) $(id).replaceChildren();
    $('room-note').hidden = true;
    $('room-settings-toggle').hidden = true;
    app.showRoomSettings(false);
  };

  app.syncRoom = async (room) => {
    try {
      if (!room.loaded) {
        const page = await connection.request(Addr.HISTORY, { room: room.id, limit: PAGE });
        room.hasOlder = page.messages.length === PAGE;
        room.add(page.messages);
        room.loaded = true;
      } else {
        room.add(await catchUp(connection, room.id, room.lastId()));
      }
      const presence = await connection.request(Addr.PRESENCE, { room: room.id });
      room.setMembers(presence.users);
      if (room.id === state.current) app.drawConversation(!room.drawnOnce);
      app.drawRooms();
    } catch (e) {
      // the connection dropped meanwhile (the next open syncs again), or the room refused us
    }
  };

  app.drawConversation = (scrollToEnd) => {
    const room = state.currentRoom();
    if (!room) return;
    const wasAtEnd = atEnd();
    log.show(room, {
      selfId: state.self?.id,
      shared: sharedNames(room.users()),
      onactions: messageActions,
      onreact: react,
      onquote: (id) => app.openMessage(room.id, id),
    });
    $('load-older').hidden = !room.hasOlder || !room.loaded;
    if (scrollToEnd || wasAtEnd) scroller.scrollTop = scroller.scrollHeight;
    if (room.loaded) room.drawnOnce = true;
    app.drawMembers();
    drawTyping();
    app.markRead();
  };

  function drawTyping() {
    const room = state.currentRoom();
    const names = room ? room.typingNames(state.self?.id) : [];
    $('typing').textContent = names.length === 0 ? ''
      : names.length === 1 ? names[0] + ' is typing…' : names.join(', ') + ' are typing…';
  }
  setInterval(drawTyping, 1000);

  // ---- what arrives on a room's address ----

  app.onRoomEnvelope = (room, env) => {
    const inView = room.id === state.current;
    switch (env.type) {
      case T.CHAT: {
        const reading = inView && app.readingNow();
        const added = room.add([env]);
        if (!added.length) break;
        if (env.replyTo && typeof env.replyTo.id === 'number') room.replied(env.replyTo.id);
        if (env.user.id !== state.self?.id) {
          const mentioned = Array.isArray(env.mentions) && env.mentions.includes(state.self?.id);
          if (!reading) {
            room.unread++;
            if (mentioned) room.mentions++;
          }
          if (mentioned) app.notifyDesktop(env.user.name + ' mentioned you in ' + room.name, env.text, room.id, env.id);
          else if (room.isDm) app.notifyDesktop(env.user.name + ' wrote to you', env.text, room.id, env.id);
        }
        if (inView) app.drawConversation(false);
        break;
      }
      case T.EDIT:
        if (room.edited(env) && inView) app.drawConversation(false);
        break;
      case T.DELETED:
        if (room.deleted(env) && inView) app.drawConversation(false);
        if (mode && mode.message.id === env.id && mode.room === room.id) setMode(null);
        break;
      case T.REACTION:
        if (room.reacted(env) && inView) app.drawConversation(false);
        break;
      case T.JOIN:
        room.memberJoined(env.user);
        if (inView) app.drawMembers();
        break;
      case T.LEFT:
        room.memberLeft(env.user);
        if (inView) app.drawMembers();
        break;
      case T.TYPING:
        room.startedTyping(env.user);
        if (inView) drawTyping();
        break;
      case T.NOTICE:
        room.notice(env);
        if (inView) app.drawConversation(false);
        else room.unread++;
        break;
      case T.MEMBER:
        app.onMemberEvent(room, env);
        break;
      case T.ROOM_UPDATED:
        room.update(env);
        if (inView) {
          app.drawHeader();
          app.drawConversation(false);
        }
        break;
      case T.REMOVED: {
        const why = { kicked: 'kicked you out of', banned: 'banned you from', removed: 'removed you from' }[env.reason] || 'removed you from';
        app.forgetRoom(room, (env.user ? env.user.name : 'A moderator') + ' ' + why + ' ' + room.name + '.');
        return;
      }
      case T.ROOM_DELETED: {
        // only its owner or an operator may delete a room
        const by = env.user && env.user.id === state.self?.id ? null
          : env.user && room.roleOf(env.user.id) === Role.OWNER ? 'its owner, ' + env.user.name : 'an operator';
        app.forgetRoom(room, by ? 'The room ' + room.name + ' was deleted by ' + by + '.' : 'You deleted the room ' + room.name + '.');
        return;
      }
      default:
        break;
    }
    app.drawRooms();
  };

  // ---- older messages, and finding one message ----

  let loadingOlder = null;
  function loadOlder() {
    const room = state.currentRoom();
    if (!room || loadingOlder || !room.hasOlder || !room.loaded) return loadingOlder || Promise.resolve();
    loadingOlder = (async () => {
      const fromEnd = scroller.scrollHeight - scroller.scrollTop;
      try {
        const page = await connection.request(Addr.HISTORY, { room: room.id, before: room.firstId(), limit: PAGE });
        room.hasOlder = page.messages.length === PAGE;
        room.add(page.messages);
        if (room.id === state.current) {
          app.drawConversation(false);
          scroller.scrollTop = scroller.scrollHeight - fromEnd; // keep the reader's place
        }
      } catch (e) {
        // offline: try again on the next scroll
      } finally {
        loadingOlder = null;
      }
    })();
    return loadingOlder;
  }

  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop < 40) loadOlder();
    scheduleRead();
  });
  $('load-older').addEventListener('click', loadOlder);

  /** Opens a room at one message (search results, quotes): older pages are read until it is loaded. */
  app.openMessage = async (roomId, id) => {
    if (!state.room(roomId)) state.known({ id: roomId });
    await app.selectRoom(roomId);
    const room = state.room(roomId);
    if (!room) return;
    for (let i = 0; i < 50 && !room.loaded && state.current === roomId; i++) await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < MAX_PAGES_BACK && !room.messages.has(id) && room.hasOlder && room.firstId() > id; i++) {
      await loadOlder();
    }
    const node = log.nodeOf(id);
    if (!node || state.current !== roomId) {
      $('send-error').textContent = 'That message is no longer in the room.';
      return;
    }
    node.scrollIntoView({ block: 'center' });
    node.classList.add('highlight');
    node.tabIndex = -1;
    node.focus();
    setTimeout(() => node.classList.remove('highlight'), HIGHLIGHT_MS);
  };

  // ---- read markers ----

  /** Soon after the newest message is on screen (and the page is visible): chat.read. */
  function scheduleRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(app.markRead, READ_DELAY_MS);
  }

  app.markRead = () => {
    const room = state.currentRoom();
    if (!room || !room.loaded || !app.readingNow()) return;
    const last = room.lastId();
    if (last === null) return;
    if (room.unread || room.mentions) {
      room.unread = 0;
      room.mentions = 0;
      app.drawRooms();
    }
    if (last <= room.readSent || last <= room.lastRead) return;
    const before = room.readSent;
    room.readSent = last;
    connection.request(Addr.READ, { room: room.id, id: last }).then((res) => {
      room.lastRead = Math.max(room.lastRead, res.lastRead || 0);
      if (!(room.id === state.current && app.readingNow())) {
        room.unread = res.unread || 0;
        room.mentions = res.mentions || 0;
        app.drawRooms();
      }
    }).catch((err) => {
      if (err.failureCode === 0) room.readSent = before; // not sent: again next time
    });
  };
  document.addEventListener('visibilitychange', scheduleRead);
  window.addEventListener('focus', scheduleRead);

  // ---- message actions ----

  function messageActions(m, button) {
    const room = state.room(m.room) || state.currentRoom();
    const own = m.user.id === state.self?.id;
    const items = [];
    if (!room.archived) items.push({ label: 'Reply', action: () => setMode({ kind: 'reply', room: room.id, message: m }) });
    if (!room.archived) {
      items.push({
        label: 'React',
        action: (anchor) => openMenu(anchor, 'Reactions', REACTIONS.map((emoji) => {
          const current = room.messages.get(m.id);
          const mine = (current?.reactions || []).find((r) => r.emoji === emoji)?.users?.some((u) => u.id === state.self?.id);
          return { label: emoji, ariaLabel: (mine ? 'Take back ' : 'React with ') + emoji, action: () => react(m, emoji, !mine) };
        })),
      });
    }
    if (own && !room.archived) items.push({ label: 'Edit', action: () => setMode({ kind: 'edit', room: room.id, message: room.messages.get(m.id) || m }) });
    if (own || state.canModerate(room) || state.operator) items.push({ label: 'Delete', action: () => deleteMessage(m) });
    openMenu(button, 'Message actions', items);
  }

  async function react(m, emoji, on) {
    $('send-error').textContent = '';
    try {
      await connection.request(Addr.REACT, { room: m.room, id: m.id, emoji, on });
    } catch (err) {
      $('send-error').textContent = 'The reaction was not saved: ' + chatFailure(err);
    }
  }

  /** Own messages (and, for moderators, any) over chat.delete; an operator deletes others' over the admin API. */
  async function deleteMessage(m) {
    $('send-error').textContent = '';
    const room = state.room(m.room);
    const own = m.user.id === state.self?.id;
    try {
      const modByRole = !!room && (room.role === Role.OWNER || room.role === Role.MODERATOR);
      if (state.operator && !own && !modByRole) {
        await api('/api/admin/rooms/' + encodeURIComponent(m.room) + '/messages/' + m.id, { method: 'DELETE', token: session.token });
      } else {
        await connection.request(Addr.DELETE, { room: m.room, id: m.id });
      }
    } catch (e) {
      $('send-error').textContent = 'The message was not deleted: ' + (e instanceof ApiError ? adminFailure(e) : chatFailure(e));
    }
  }

  // ---- the composer: send, reply, edit ----

  function setMode(next) {
    mode = next;
    $('composer-context').hidden = !mode;
    if (!mode) {
      $('composer-context-text').textContent = '';
      return;
    }
    const m = mode.message;
    const excerpt = Array.from(m.text || '').slice(0, 80).join('');
    if (mode.kind === 'edit') {
      $('composer-context-text').textContent = 'Editing your message. Enter saves, Escape cancels.';
      $('message').value = m.text;
    } else {
      $('composer-context-text').textContent = 'Replying to ' + m.user.name + ': ' + excerpt;
    }
    $('message').focus();
  }

  $('composer-cancel').addEventListener('click', () => {
    if (mode && mode.kind === 'edit') $('message').value = '';
    setMode(null);
    $('message').focus();
  });

  function failureOf(err, what) {
    if (err.failureCode === 0) {
      return connection.isOpen() ? 'No answer from the server; the message may not have been ' + what + '.'
        : connection.state === 'stopped' ? 'The message was not ' + what + '. ' + connection.why
          : 'You are offline; the message was not ' + what + '.';
    }
    return chatFailure(err, 'The message was not ' + what + '.');
  }

  async function send() {
    const box = $('message');
    const text = box.value;
    if (!text.trim() || !state.current) return;
    const room = state.current;
    $('send-error').textContent = '';
    const editing = mode && mode.kind === 'edit' && mode.room === room ? mode : null;
    const replying = mode && mode.kind === 'reply' && mode.room === room ? mode : null;
    try {
      if (editing) {
        await connection.request(Addr.EDIT, { room, id: editing.message.id, text });
      } else {
        const body = { room, text };
        if (replying) body.replyTo = replying.message.id;
        await connection.request(Addr.SEND, body);
      }
      if (box.value === text) box.value = ''; // cleared only once the server has stored it
      if (mode === editing || mode === replying) setMode(null);
      box.focus();
    } catch (err) {
      $('send-error').textContent = failureOf(err, editing ? 'changed' : 'sent');
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
    } else if (event.key === 'Escape' && mode) {
      event.preventDefault();
      if (mode.kind === 'edit') $('message').value = '';
      setMode(null);
    }
  });

  $('message').addEventListener('input', () => {
    const now = Date.now();
    if (state.current && connection.isOpen() && now - lastTypingSent > TYPING_EVERY_MS && $('message').value.trim()) {
      lastTypingSent = now;
      connection.request(Addr.TYPING, { room: state.current }).catch(() => {});
    }
  });
}
