// Node `ws` peer for the vertx-chat load generator: the same bridge frames as the raw endpoint
// (guest sign-in, register, chat.send, fan-out), without authentication, storage or presence; one
// process, one thread, like the service on one core. Used for docs/PERFORMANCE.md:
//   npm install ws@8.18.3 && taskset -c 0 node ws-peer.js 19124
// then the generator with --url http://127.0.0.1:19124 --transport raw --scenario fanout.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');
const port = Number(process.argv[2] || 19190);
let next = 0;
const rooms = new Map();   // room -> Set<ws>
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', c => { body += c; });
  req.on('end', () => {
    if (req.url === '/api/auth/guest') {
      const n = ++next;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token: 't' + n, user: { id: 'u' + n, name: 'g' + n } }));
    } else if (req.url === '/api/rooms') {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(body);
    } else {
      res.writeHead(200); res.end('ok');
    }
  });
});
const wss = new WebSocketServer({ server, path: '/eventbus/websocket' });
wss.on('connection', (ws, req) => {
  const token = new URL(req.url, 'http://x').searchParams.get('token') || 't0';
  const user = 'u' + token.substring(1);
  const joined = new Set();
  ws.on('message', data => {
    const f = JSON.parse(data.toString());
    if (f.type === 'register' && f.address.startsWith('chat.room.')) {
      let members = rooms.get(f.address);
      if (!members) rooms.set(f.address, members = new Set());
      members.add(ws); joined.add(f.address);
      const env = JSON.stringify({ type: 'message', address: f.address, body: { type: 'join', user: { id: user } } });
      for (const m of members) m.send(env);
    } else if (f.type === 'send' && f.address === 'chat.send') {
      const address = 'chat.room.' + f.body.room;
      const msg = { type: 'chat', room: f.body.room, text: f.body.text, user: { id: user }, id: Date.now() };
      // encoded once, one Buffer written to every member (what ws's broadcast example does, minus the per-client string conversion)
      const frame = Buffer.from(JSON.stringify({ type: 'message', address, body: msg }));
      const members = rooms.get(address);
      if (members) for (const m of members) m.send(frame, { binary: false });
      if (f.replyAddress) ws.send(JSON.stringify({ type: 'message', address: f.replyAddress, body: { id: msg.id } }));
    }
  });
  ws.on('close', () => { for (const a of joined) rooms.get(a)?.delete(ws); });
});
server.listen(port, '127.0.0.1', () => console.log('ws peer on ' + port));
