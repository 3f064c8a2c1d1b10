// The bridge protocol as the app uses it (docs/PROTOCOL.md): addresses, envelope types, the reactions
// palette and the room id rule. Other modules read these names from here, never spell them themselves.

/** Request/reply addresses (client to server). */
export const Addr = Object.freeze({
  SEND: 'chat.send',
  HISTORY: 'chat.history',
  PRESENCE: 'chat.presence',
  TYPING: 'chat.typing',
  EDIT: 'chat.edit',
  DELETE: 'chat.delete',
  REACT: 'chat.react',
  READ: 'chat.read',
  UNREAD: 'chat.unread',
  SEARCH: 'chat.search',
  DM_OPEN: 'chat.dm.open',
  DM_LIST: 'chat.dm.list',
  PREFS: 'chat.prefs',
  ROOMS_CREATE: 'chat.rooms.create',
  ROOMS_UPDATE: 'chat.rooms.update',
  ROOMS_DELETE: 'chat.rooms.delete',
  MEMBERS_LIST: 'chat.members.list',
  MEMBERS_INVITE: 'chat.members.invite',
  MEMBERS_REMOVE: 'chat.members.remove',
  MEMBERS_ROLE: 'chat.members.role',
  MEMBERS_MUTE: 'chat.members.mute',
  MEMBERS_UNMUTE: 'chat.members.unmute',
  MEMBERS_KICK: 'chat.members.kick',
  MEMBERS_BAN: 'chat.members.ban',
  MEMBERS_UNBAN: 'chat.members.unban',
});

/** Addresses the app registers (server to client). */
export const Sub = Object.freeze({
  room: (id) => 'chat.room.' + id,
  user: (id) => 'chat.user.' + id,
  DIRECTORY: 'chat.directory',
});

/** Envelope types: on chat.room.<id>, chat.user.<id> (notices) and chat.directory. */
export const T = Object.freeze({
  CHAT: 'chat',
  JOIN: 'join',
  LEFT: 'left',
  TYPING: 'typing',
  EDIT: 'edit',
  DELETED: 'deleted',
  REACTION: 'reaction',
  MEMBER: 'member',
  REMOVED: 'removed',
  NOTICE: 'notice',
  ROOM_CREATED: 'room.created',
  ROOM_UPDATED: 'room.updated',
  ROOM_DELETED: 'room.deleted',
  MENTION: 'mention',
  DM: 'dm',
  INVITED: 'invited',
  READ: 'read',
});

/** Room kinds and per-room roles. */
export const Kind = Object.freeze({ PUBLIC: 'public', PRIVATE: 'private', DM: 'dm' });
export const Role = Object.freeze({ OWNER: 'owner', MODERATOR: 'moderator', MEMBER: 'member' });

/** The reactions the server accepts, in the order it lists them (chat/Reactions.PALETTE). */
export const REACTIONS = Object.freeze(['👍', '👎', '😄', '🎉', '😕', '❤️', '🚀', '👀']);

/** A room id (bus/Addresses.ROOM_ID), and the same rule in words for people. */
export const ROOM_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const ROOM_ID_RULE = 'A room id is 1 to 64 lower-case letters (a-z), digits and dashes, starting with a letter or a digit, for example "book-club".';

/** How many characters of a message a quote or a notification shows. */
export const QUOTE_LENGTH = 200;
