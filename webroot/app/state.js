// What the app knows, in one place: the signed-in user, the rooms and direct messages (their messages
// by id, members, roles, unread and mention counts), the room in view and the user's preferences.
// Envelopes are kept as received and replaced (never changed) when an edit, a deletion, a reaction
// or a reply changes them, so the log redraws exactly the messages whose object changed.

import { Kind, QUOTE_LENGTH, Role, T } from './protocol.js';

export const PAGE = 50;
const TYPING_SHOWN_MS = 5000;
/** Server notices kept per room (they are not stored in history: only those received are shown). */
const MAX_NOTICES = 50;

export class RoomState {
  constructor(info) {
    this.id = info.id;
    this.kind = info.kind || (info.private ? Kind.PRIVATE : Kind.PUBLIC);
    this.with = info.with || null; // the other user of a direct message
    this.name = info.name || (this.with ? this.with.name : info.id);
    this.topic = info.topic || '';
    this.archived = info.archived === true;
    this.role = info.role || null; // own role here, when known (owner, moderator, member)
    this.memberCount = info.members || 0;
    this.messages = new Map(); // id -> envelope ("chat", or "deleted" for a tombstone)
    this.notices = []; // notice envelopes received, oldest first
    this.sorted = null; // cache of messages ordered by id
    this.members = new Map(); // user id -> user {id, name, guest?}: present now
    this.roles = new Map(); // user id -> {user, role}: the member rows the server lists
    this.muted = []; // [{user, until}] (moderators see them)
    this.banned = []; // [{user, by, since}]
    this.typing = new Map(); // user id -> {name, until}
    this.unread = 0;
    this.mentions = 0;
    this.lastRead = 0;
    this.readSent = 0; // the last id this tab marked read
    this.joined = false;
    this.loaded = false; // first page fetched
    this.hasOlder = true;
  }

  get isDm() {
    return this.kind === Kind.DM;
  }

  get isPrivate() {
    return this.kind === Kind.PRIVATE;
  }

  update(info) {
    if (info.name !== undefined) this.name = info.name || (this.with ? this.with.name : info.id);
    if (info.topic !== undefined) this.topic = info.topic || '';
    if (info.archived !== undefined) this.archived = info.archived === true;
    if (info.private !== undefined && !this.isDm) this.kind = info.private ? Kind.PRIVATE : Kind.PUBLIC;
    if (info.kind) this.kind = info.kind;
    if (info.role) this.role = info.role;
    if (!this.joined && typeof info.members === 'number') this.memberCount = info.members;
  }

  /**
   * Adds chat envelopes and the tombstones history returns for deleted messages ({"id","room",
   * "type":"deleted","ts"}); a message known already is replaced when history has a newer state of it
   * (edited, reactions). Returns the chat envelopes that were new.
   */
  add(envelopes) {
    const added = [];
    let changed = false;
    for (const env of envelopes) {
      if (typeof env.id !== 'number') continue;
      const known = this.messages.get(env.id);
      if (env.type === T.CHAT && !known) {
        this.messages.set(env.id, env);
        this.typing.delete(env.user.id);
        added.push(env);
        changed = true;
      } else if (env.type === T.CHAT && known.type === T.CHAT && changedMessage(known, env)) {
        this.messages.set(env.id, env);
        changed = true;
      } else if (env.type === T.DELETED && (!known || known.type !== T.DELETED)) {
        this.messages.set(env.id, tombstone(env, known, this.id));
        changed = true;
      }
    }
    if (changed) this.sorted = null;
    return added;
  }

  /** A live "deleted" envelope: the message, if loaded, becomes a tombstone (keeping its place and time). */
  deleted(env) {
    const known = this.messages.get(env.id);
    if (!known || known.type === T.DELETED) return false;
    this.messages.set(env.id, tombstone(env, known, this.id));
    this.requote(env.id, { id: env.id, deleted: true });
    this.sorted = null;
    return true;
  }

  /** The replies loaded of message `id` get a new quote of it. */
  requote(id, quote) {
    for (const [key, m] of this.messages) {
      if (m.replyTo && m.replyTo.id === id) this.messages.set(key, { ...m, replyTo: quote });
    }
  }

  /** A live "edit": the new text and its time, same id and place. */
  edited(env) {
    const known = this.messages.get(env.id);
    if (!known || known.type !== T.CHAT) return false;
    this.messages.set(env.id, { ...known, text: env.text, edited: env.edited || env.ts });
    this.requote(env.id, { id: env.id, user: known.user, text: Array.from(env.text).slice(0, QUOTE_LENGTH).join('') });
    this.sorted = null;
    return true;
  }

  /** A live "reaction": the emoji's count from the server, the reactor added or taken away. */
  reacted(env) {
    const known = this.messages.get(env.id);
    if (!known || known.type !== T.CHAT) return false;
    const reactions = (known.reactions || []).map((r) => ({ ...r, users: [...(r.users || [])] }));
    let entry = reactions.find((r) => r.emoji === env.emoji);
    if (!entry) {
      entry = { emoji: env.emoji, count: 0, users: [] };
      reactions.push(entry);
    }
    entry.users = entry.users.filter((u) => u.id !== env.user.id);
    if (env.on) entry.users.push(env.user);
    entry.count = typeof env.count === 'number' ? env.count : entry.users.length;
    this.messages.set(env.id, { ...known, reactions: reactions.filter((r) => r.count > 0) });
    this.sorted = null;
    return true;
  }

  /** A new reply to a loaded message: its reply count goes up. */
  replied(originalId) {
    const known = this.messages.get(originalId);
    if (!known || known.type !== T.CHAT) return false;
    this.messages.set(originalId, { ...known, replies: (known.replies || 0) + 1 });
    this.sorted = null;
    return true;
  }

  notice(env) {
    this.notices.push(env);
    if (this.notices.length > MAX_NOTICES) this.notices.shift();
  }

  list() {
    if (!this.sorted) this.sorted = [...this.messages.values()].sort((a, b) => a.id - b.id);
    return this.sorted;
  }

  lastId() {
    const list = this.list();
    return list.length ? list[list.length - 1].id : null;
  }

  firstId() {
    const list = this.list();
    return list.length ? list[0].id : null;
  }

  setMembers(users) {
    this.members = new Map(users.map((u) => [u.id, u]));
    this.memberCount = this.members.size;
  }

  memberJoined(user) {
    this.members.set(user.id, user);
    this.memberCount = this.members.size;
  }

  memberLeft(user) {
    this.members.delete(user.id);
    this.typing.delete(user.id);
    this.memberCount = this.members.size;
  }

  /** The answer of chat.members.list: member rows with roles, and (for moderators) mutes and bans. */
  setRoles(answer, selfId) {
    this.roles = new Map((answer.members || []).map((m) => [m.user.id, m]));
    this.muted = answer.muted || [];
    this.banned = answer.banned || [];
    const own = this.roles.get(selfId);
    if (own) this.role = own.role;
    else if (!this.isPrivate && !this.isDm) this.role = Role.MEMBER;
  }

  roleOf(userId) {
    const row = this.roles.get(userId);
    return row ? row.role : null;
  }

  mutedUntil(userId) {
    const m = this.muted.find((x) => x.user.id === userId);
    return m && m.until > Date.now() ? m.until : 0;
  }

  startedTyping(user) {
    this.typing.set(user.id, { name: user.name, until: Date.now() + TYPING_SHOWN_MS });
  }

  /** Everyone the room shows: its members (present or with a member row) and the authors loaded. */
  users() {
    const byId = new Map();
    for (const m of this.messages.values()) if (m.user) byId.set(m.user.id, m.user);
    for (const [id, row] of this.roles) byId.set(id, row.user);
    for (const [id, user] of this.members) byId.set(id, user);
    return [...byId.values()];
  }

  /** Names of those typing now, dropping the stale ones. */
  typingNames(selfId) {
    const now = Date.now();
    const names = [];
    for (const [id, t] of this.typing) {
      if (t.until <= now) this.typing.delete(id);
      else if (id !== selfId) names.push(t.name);
    }
    return names;
  }
}

function tombstone(env, known, room) {
  return { id: env.id, room, type: T.DELETED, ts: known ? known.ts : env.ts };
}

function changedMessage(a, b) {
  return a.text !== b.text || a.edited !== b.edited || a.replies !== b.replies
    || JSON.stringify(a.reactions || []) !== JSON.stringify(b.reactions || []);
}

/** The app's state: who is signed in, the rooms (DMs too) by id, the room in view, preferences. */
export const state = {
  self: null, // {id, name}
  operator: false,
  rooms: new Map(), // id -> RoomState
  current: null, // id of the room in view
  prefs: { dms: true, blocked: [] },

  room(id) {
    return this.rooms.get(id);
  },

  currentRoom() {
    return this.current ? this.rooms.get(this.current) : null;
  },

  /** A room from a listing or an answer: added, or its known state updated. */
  known(info) {
    const known = this.rooms.get(info.id);
    if (known) {
      known.update(info);
      return known;
    }
    const room = new RoomState(info);
    this.rooms.set(info.id, room);
    return room;
  },

  dms() {
    return [...this.rooms.values()].filter((r) => r.isDm);
  },

  totalUnread() {
    let n = 0;
    for (const r of this.rooms.values()) n += r.unread;
    return n;
  },

  /** Moderator, owner or operator in this room. */
  canModerate(room) {
    return !!room && !room.isDm && (this.operator || room.role === Role.OWNER || room.role === Role.MODERATOR);
  },

  /** Owner or operator: archive, delete, name moderators. */
  isOwner(room) {
    return !!room && !room.isDm && (this.operator || room.role === Role.OWNER);
  },

  /** Everyone the app has seen, by id (members and authors in every room), for invites by name. */
  knownUsers() {
    const byId = new Map();
    for (const room of this.rooms.values()) {
      for (const u of room.users()) byId.set(u.id, u);
      if (room.with) byId.set(room.with.id, room.with);
    }
    return byId;
  },

  clear() {
    this.self = null;
    this.operator = false;
    this.rooms.clear();
    this.current = null;
    this.prefs = { dms: true, blocked: [] };
  },
};

/** Reads a room's history over the bridge until nothing is missing after `after` (bounded). */
export async function catchUp(connection, room, after) {
  const all = [];
  let cursor = after;
  for (let i = 0; i < 20; i++) {
    const page = await connection.request('chat.history', { room, after: cursor, limit: 200 });
    all.push(...page.messages);
    if (page.messages.length < 200) break;
    cursor = page.messages[page.messages.length - 1].id;
  }
  return all;
}
