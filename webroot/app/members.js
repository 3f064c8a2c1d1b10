// The members pane and the room's settings: who is here, their roles; each other member's actions
// (direct message, block, and for moderators mute, kick, ban, remove; for owners the moderator role);
// inviting to a private room; mutes and bans; renaming, archiving and deleting the room.

import { chatFailure } from './codes.js';
import { Addr, Role } from './protocol.js';
import { el, nameKey, renderMembers, sharedNames } from './render.js';
import { openMenu } from './menu.js';

const MUTES = [[600, '10 minutes'], [3600, '1 hour'], [86400, '1 day']];
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function install(app) {
  const { $, state, connection } = app;

  app.drawMembers = () => {
    const room = state.currentRoom();
    if (!room) return;
    renderMembers($('members'), room, { selfId: state.self?.id, shared: sharedNames(room.users()), onmember: memberActions });
    const mod = state.canModerate(room);
    $('invite-form').hidden = !(room.isPrivate && mod);
    drawSanctions(room, mod);
  };

  /** The room's member rows and roles (chat.members.list); a DM's two members are known already. */
  app.loadRoles = async (room) => {
    if (room.isDm) {
      const rows = [{ user: state.self, role: Role.MEMBER }];
      if (room.with) rows.push({ user: room.with, role: Role.MEMBER });
      room.setRoles({ members: rows }, state.self?.id);
      return;
    }
    try {
      room.setRoles(await connection.request(Addr.MEMBERS_LIST, { room: room.id }), state.self?.id);
      if (room.id === state.current) {
        app.drawHeader();
        app.drawMembers();
      }
    } catch (e) {
      // offline, or an older server: no roles shown
    }
  };

  /** Someone was invited, removed, muted, given a role...: the member rows are read again. */
  app.onMemberEvent = (room, env) => {
    if (room.id === state.current) app.loadRoles(room);
    const target = env.target ? env.target.name : 'someone';
    const actor = env.user ? env.user.name : 'A moderator';
    if (env.target && env.target.id === state.self?.id && env.action === 'muted') {
      app.note(actor + ' muted you in ' + room.name + (env.until ? ' until ' + fullFormat.format(new Date(env.until)) : '') + '.');
    } else if (env.target && env.target.id === state.self?.id && env.action === 'role') {
      app.note(actor + ' made you ' + (env.role === Role.MODERATOR ? 'a moderator' : 'a member') + ' of ' + room.name + '.');
    } else if (room.id === state.current && ['kicked', 'banned', 'removed', 'invited'].includes(env.action)) {
      $('members-status').textContent = actor + ' ' + env.action + ' ' + target + '.';
    }
  };

  async function act(address, body, done) {
    $('members-error').textContent = '';
    $('members-status').textContent = '';
    try {
      await connection.request(address, body);
      if (done) $('members-status').textContent = done;
      const room = state.room(body.room);
      if (room) app.loadRoles(room);
    } catch (err) {
      $('members-error').textContent = chatFailure(err);
    }
  }

  function memberActions(user, button) {
    const room = state.currentRoom();
    if (!room) return;
    const items = [];
    if (!room.isDm || room.with?.id !== user.id) {
      items.push({ label: 'Direct message', action: () => app.openDm({ user: user.id }, 'members-error') });
    }
    const blocked = state.prefs.blocked.some((u) => u.id === user.id);
    items.push({ label: blocked ? 'Unblock' : 'Block', action: () => app.setBlocked(user, !blocked) });
    const role = room.roleOf(user.id);
    const mayModerate = state.canModerate(room) && role !== Role.OWNER && (role !== Role.MODERATOR || state.isOwner(room));
    if (mayModerate) {
      if (room.mutedUntil(user.id)) {
        items.push({ label: 'Unmute', action: () => act(Addr.MEMBERS_UNMUTE, { room: room.id, user: user.id }, user.name + ' may write again.') });
      } else {
        for (const [seconds, words] of MUTES) {
          items.push({ label: 'Mute for ' + words, action: () => act(Addr.MEMBERS_MUTE, { room: room.id, user: user.id, seconds }, user.name + ' is muted for ' + words + '.') });
        }
      }
      items.push({ label: 'Kick', action: () => act(Addr.MEMBERS_KICK, { room: room.id, user: user.id }, user.name + ' was kicked.') });
      items.push({ label: 'Ban', action: () => act(Addr.MEMBERS_BAN, { room: room.id, user: user.id }, user.name + ' is banned from this room.') });
      if (room.isPrivate) {
        items.push({ label: 'Remove from room', action: () => act(Addr.MEMBERS_REMOVE, { room: room.id, user: user.id }, user.name + ' is no longer a member.') });
      }
    }
    if (state.isOwner(room) && role !== Role.OWNER) {
      const next = role === Role.MODERATOR ? Role.MEMBER : Role.MODERATOR;
      items.push({
        label: next === Role.MODERATOR ? 'Make moderator' : 'Make member',
        action: () => act(Addr.MEMBERS_ROLE, { room: room.id, user: user.id, role: next }, user.name + ' is now a ' + next + '.'),
      });
    }
    openMenu(button, 'Actions for ' + user.name, items);
  }

  function drawSanctions(room, mod) {
    const items = [];
    if (mod) {
      for (const m of room.muted.filter((x) => x.until > Date.now())) {
        const b = el('button', { type: 'button', class: 'quiet', 'aria-label': 'Unmute ' + m.user.name, text: 'Unmute' });
        b.addEventListener('click', () => act(Addr.MEMBERS_UNMUTE, { room: room.id, user: m.user.id }, m.user.name + ' may write again.'));
        items.push(el('li', {}, el('span', { text: m.user.name + ', muted until ' + fullFormat.format(new Date(m.until)) + ' ' }), b));
      }
      for (const ban of room.banned) {
        const b = el('button', { type: 'button', class: 'quiet', 'aria-label': 'Unban ' + ban.user.name, text: 'Unban' });
        b.addEventListener('click', () => act(Addr.MEMBERS_UNBAN, { room: room.id, user: ban.user.id }, ban.user.name + ' may come back.'));
        items.push(el('li', {}, el('span', { text: ban.user.name + ', banned ' }), b));
      }
    }
    $('sanctions-list').replaceChildren(...items);
    $('sanctions').hidden = items.length === 0;
  }

  // ---- inviting to a private room ----

  /** A user id from what was typed: a name the app has seen (one user of that name), else taken as an id. */
  function resolveUser(typed) {
    const key = nameKey(typed);
    const named = [...state.knownUsers().values()].filter((u) => nameKey(u.name) === key);
    if (named.length === 1) return { id: named[0].id, name: named[0].name };
    if (named.length > 1) return { error: 'Several users are called ' + typed + ': write the user id of the one you mean.' };
    return { id: typed, name: typed };
  }

  $('invite-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const room = state.currentRoom();
    const typed = $('invite-user').value.trim();
    if (!room || !typed) return;
    const who = resolveUser(typed);
    if (who.error) {
      $('members-error').textContent = who.error;
      return;
    }
    await act(Addr.MEMBERS_INVITE, { room: room.id, user: who.id }, 'Invited ' + who.name + '.');
    if (!$('members-error').textContent) $('invite-user').value = '';
  });

  // ---- the room's settings (moderators: name and topic; owners: archive, delete) ----

  let confirmDelete = false;
  app.showRoomSettings = (open) => {
    const room = state.currentRoom();
    $('room-settings').hidden = !open;
    $('room-settings-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
    confirmDelete = false;
    $('delete-own-room').textContent = 'Delete room';
    $('room-settings-error').textContent = '';
    if (!open || !room) return;
    $('room-name').value = room.name;
    $('room-topic-input').value = room.topic;
    const owner = state.isOwner(room);
    $('archive-room').hidden = !owner;
    $('archive-room').textContent = room.archived ? 'Unarchive room' : 'Archive room';
    $('delete-own-room').hidden = !owner;
  };

  $('room-settings-toggle').addEventListener('click', () => {
    app.showRoomSettings($('room-settings').hidden);
    if (!$('room-settings').hidden) $('room-name').focus();
  });

  async function update(body) {
    const room = state.currentRoom();
    if (!room) return;
    $('room-settings-error').textContent = '';
    try {
      const info = await connection.request(Addr.ROOMS_UPDATE, { room: room.id, ...body });
      room.update(info || body);
      app.drawHeader();
      app.drawRooms();
      app.showRoomSettings(false);
    } catch (err) {
      $('room-settings-error').textContent = chatFailure(err);
    }
  }

  $('room-settings').addEventListener('submit', (event) => {
    event.preventDefault();
    update({ name: $('room-name').value.trim(), topic: $('room-topic-input').value.trim() });
  });
  $('archive-room').addEventListener('click', () => update({ archived: !state.currentRoom()?.archived }));
  $('delete-own-room').addEventListener('click', async () => {
    const room = state.currentRoom();
    if (!room) return;
    if (!confirmDelete) {
      confirmDelete = true;
      $('delete-own-room').textContent = 'Delete ' + room.name + ' and its messages for good?';
      return;
    }
    try {
      await connection.request(Addr.ROOMS_DELETE, { room: room.id });
      app.showRoomSettings(false);
    } catch (err) {
      $('room-settings-error').textContent = chatFailure(err);
    }
  });
}
