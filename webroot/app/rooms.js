// What the app knows about each room: its messages (by id, so none is shown twice; a deleted one as
// a tombstone), the server notices received while the page was open, members, who is typing and how
// many messages arrived while it was not in view.

export const PAGE = 50;
const TYPING_SHOWN_MS = 5000;
/** Server notices kept per room (they are not stored in history: only those received are shown). */
const MAX_NOTICES = 50;

export class RoomState {
  constructor(info) {
    this.id = info.id;
    this.name = info.name || info.id;
    this.topic = info.topic || '';
    this.memberCount = info.members || 0;
    this.messages = new Map(); // id -> envelope ("chat", or "deleted" for a tombstone)
    this.notices = []; // notice envelopes received, oldest first
    this.sorted = null; // cache of messages ordered by id
    this.members = new Map(); // user id -> user {id, name, guest?}
    this.typing = new Map(); // user id -> {name, until}
    this.unread = 0;
    this.joined = false;
    this.loaded = false; // first page fetched
    this.hasOlder = true;
  }

  update(info) {
    this.name = info.name || info.id;
    this.topic = info.topic || '';
    if (!this.joined) this.memberCount = info.members || 0;
  }

  /**
   * Adds chat envelopes and the tombstones history returns for deleted messages ({"id","room",
   * "type":"deleted","ts"}); returns the chat envelopes that were new.
   */
  add(envelopes) {
    const added = [];
    let changed = false;
    for (const env of envelopes) {
      if (typeof env.id !== 'number') continue;
      const known = this.messages.get(env.id);
      if (env.type === 'chat' && !known) {
        this.messages.set(env.id, env);
        this.typing.delete(env.user.id);
        added.push(env);
        changed = true;
      } else if (env.type === 'deleted' && (!known || known.type !== 'deleted')) {
        this.messages.set(env.id, { id: env.id, room: this.id, type: 'deleted', ts: known ? known.ts : env.ts });
        changed = true;
      }
    }
    if (changed) this.sorted = null;
    return added;
  }

  /**
   * A live "deleted" envelope: the message, if loaded, becomes a tombstone (keeping its place and
   * time); one not loaded yet comes as a tombstone with its page of history. Returns whether shown.
   */
  deleted(env) {
    const known = this.messages.get(env.id);
    if (!known || known.type === 'deleted') return false;
    this.messages.set(env.id, { id: env.id, room: this.id, type: 'deleted', ts: known.ts });
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

  startedTyping(user) {
    this.typing.set(user.id, { name: user.name, until: Date.now() + TYPING_SHOWN_MS });
  }

  /** Everyone the room shows: its members and the authors of the messages loaded. */
  users() {
    const byId = new Map();
    for (const m of this.messages.values()) if (m.user) byId.set(m.user.id, m.user);
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
