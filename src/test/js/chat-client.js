// The official client (webroot's @vertx/eventbus-bridge-client.js over sockjs-client) driven from Node for
// process-level tests. One argument: a JSON object
//   {"base": "http://127.0.0.1:8000", "token": "...", "room": "general", "count": 100, "ratePerSecond": 20,
//    "transport": "websocket" | "xhr-streaming" | "xhr-polling" (SockJS) | "raw" (/eventbus/websocket),
//    "after": 0, "settleMs": 1000,
//    "stopWhenDone": true, "timeoutMs": 60000, "name": "c1"}
// It connects, joins the room (registers its address), catches up with chat.history after=<last id seen>
// (initially "after"), then sends "count" messages ("<name>-<k>") at "ratePerSecond", each with a reply
// handler. On every close it connects again with a new EventBus (after 100 ms, up to 1 s between failed
// attempts), rejoins and catches up; live messages that arrive while it catches up wait, and every
// message joins the view once (by id). Sending pauses while it is not caught up.
// It finishes when every send has an outcome, "stopWhenDone" is true or a line "stop" came on stdin, and
// no message arrived for "settleMs"; then it prints one JSON line on stdout:
//   {"received":[ids in view order], "acked":[ids], "failed":[{"code","message"}], "unknown": n,
//    "reconnectMs":[close -> caught up, one per outage], "outages": n (a connection it was caught up on
//    closed), "closes": n (connections that had opened), "failedAttempts": n (closed before opening),
//    "duplicates": n (messages that came again), "ackMaxMs": slowest reply to a send, "timedOut": false}
// and exits 0 (2 when "timeoutMs" passed first). Progress goes to stderr.
'use strict';
const path = require('path');

const options = JSON.parse(process.argv[2] || '{}');
const modules = options.modules || path.resolve(__dirname, '../../../webroot/node_modules');
if (options.transport === 'raw') {
  // the same EventBus over the raw endpoint /eventbus/websocket: it gets a plain WebSocket (faye-websocket,
  // which sockjs-client uses in Node) where it asks for sockjs-client
  const Module = require('module');
  const WebSocketClient = require(path.join(modules, 'faye-websocket')).Client;
  const entry = require.resolve(path.join(modules, 'sockjs-client'));
  const shim = new Module(entry);
  shim.filename = entry;
  shim.loaded = true;
  shim.exports = function RawWebSocket(url) {
    const u = new URL(url);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = u.pathname.replace(/\/$/, '') + '/websocket';
    return new WebSocketClient(u.toString());
  };
  require.cache[entry] = shim;
}
const EventBus = require(path.join(modules, '@vertx/eventbus-bridge-client.js'));

const room = options.room || 'general';
const address = 'chat.room.' + room;
const count = options.count || 0;
const interval = 1000 / (options.ratePerSecond || 10);
const settleMs = options.settleMs === undefined ? 1000 : options.settleMs;
const name = options.name || 'node-client';
const url = options.base + '/eventbus?token=' + encodeURIComponent(options.token);

const view = [];            // ids in the order they joined the view
const seen = new Set();
let lastId = options.after || 0;
const acked = [];
const failed = [];
let unknown = 0;
const reconnectMs = [];
let closes = 0;            // connections that had opened and closed
let failedAttempts = 0;    // connection attempts that closed before they opened
let outages = 0;           // times the client lost a connection it was caught up on (one reconnectMs each)
let duplicates = 0;
let sent = 0;
let pending = new Map();    // send number -> true, for sends of the current connection awaiting a reply
let lastActivity = Date.now();
let stopRequested = !!options.stopWhenDone;
let closedAt = null;        // when the connection in use closed (null: none lost)
let retryDelay = 100;
let bus = null;
let caughtUp = false;
let buffered = [];          // live messages that came while catching up

function log(...args) {
  process.stderr.write('[' + name + '] ' + args.join(' ') + '\n');
}

function add(message) {
  lastActivity = Date.now();
  if (seen.has(message.id)) {
    duplicates++;
    return;
  }
  seen.add(message.id);
  view.push(message.id);
  lastId = Math.max(lastId, message.id);
}

function live(err, frame) {
  if (err || !frame.body || frame.body.type !== 'chat') {
    return;
  }
  if (caughtUp) {
    add(frame.body);
  } else {
    buffered.push(frame.body);
  }
}

function history(eb, after) {
  return new Promise((resolve, reject) => {
    eb.send('chat.history', {room, after, limit: 200}, (err, reply) => err ? reject(err) : resolve(reply.body.messages));
  });
}

async function catchUp(eb) {
  for (let page = 0; page < 100000; page++) {
    const messages = await history(eb, lastId);
    if (eb !== bus) {
      return;
    }
    if (messages.length === 0) {
      break;
    }
    messages.forEach(add);
  }
  buffered.sort((a, b) => a.id - b.id).forEach(add);
  buffered = [];
  caughtUp = true;
  if (closedAt !== null) {
    reconnectMs.push(Date.now() - closedAt);
    log('caught up', Date.now() - closedAt, 'ms after the close');
    closedAt = null;
  }
}

function connect() {
  const transports = options.transport === 'raw' ? undefined : [options.transport || 'websocket'];
  const eb = new EventBus(url, {transports, vertxbus_ping_interval: 2000});
  bus = eb;
  caughtUp = false;
  buffered = [];
  eb.onerror = () => {};
  let opened = false;
  eb.onopen = () => {
    opened = true;
    retryDelay = 100;
    eb.registerHandler(address, live);
    catchUp(eb).catch(err => {
      log('catch-up failed', err && (err.failureCode + ' ' + err.message));
      if (eb === bus) {
        eb.close();
      }
    });
  };
  eb.onclose = (e) => {
    if (eb !== bus) {
      return;
    }
    if (opened) {
      closes++;
    } else {
      failedAttempts++;
    }
    unknown += pending.size;
    pending = new Map();
    caughtUp = false;
    if (closedAt === null) {
      closedAt = Date.now();
      outages++;
    }
    log('closed', e && e.code, e && e.reason);
    bus = null;
    if (!finished) {
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 1000);
    }
  };
}

function sendNext() {
  if (sent >= count || !bus || !caughtUp || bus.state !== EventBus.OPEN) {
    return;
  }
  const k = sent++;
  const startedAt = Date.now();
  pending.set(k, true);
  const mine = pending;
  bus.send('chat.send', {room, text: name + '-' + k}, (err, reply) => {
    if (mine !== pending || !pending.delete(k)) {
      return; // the connection closed first: counted as unknown
    }
    if (err) {
      failed.push({code: err.failureCode, message: err.message});
    } else {
      acked.push(reply.body.id);
      ackMaxMs = Math.max(ackMaxMs, Date.now() - startedAt);
    }
  });
}
let ackMaxMs = 0;

let finished = false;
function finish(timedOut) {
  if (finished) {
    return;
  }
  finished = true;
  clearInterval(sender);
  clearInterval(checker);
  process.stdout.write(JSON.stringify({received: view, acked, failed, unknown, reconnectMs, outages, closes,
    failedAttempts, duplicates, ackMaxMs, timedOut}) + '\n');
  if (bus) {
    const eb = bus;
    bus = null;
    eb.close();
  }
  setTimeout(() => process.exit(timedOut ? 2 : 0), 100);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => {
  if (chunk.split('\n').some(line => line.trim() === 'stop')) {
    stopRequested = true;
  }
});
process.stdin.on('end', () => { stopRequested = true; });

const sender = setInterval(sendNext, interval);
const checker = setInterval(() => {
  const sendsDone = sent >= count && pending.size === 0;
  if (sendsDone && stopRequested && caughtUp && Date.now() - lastActivity >= settleMs) {
    finish(false);
  }
}, 50);
setTimeout(() => finish(true), options.timeoutMs || 60000);
connect();
