// Drives Socket.IO servers with the official `socket.io-client`, so that envgrid's tests exercise the
// gateway's A2C-SMCP server with a client nobody here wrote. Interactive: one JSON command per stdin
// line, one JSON answer per stdout line ({"id", "ok": true, "result"} or {"id", "ok": false, "error"}).
//
//   node sio.mjs
//
// Commands (every one may carry "id", echoed back):
//   {"op":"connect","client":"a","url":"http://127.0.0.1:8080","namespace":"/smcp","version":"0.4.0",
//    "auth":{"token":"t"},"transports":["polling","websocket"]}
//        -> {"sid","transport"} once connected, or an error with the connect_error message (and its data as JSON)
//           (the a2c_version goes in the query, as the SDKs put it; "version": null leaves it out)
//        (also "firstTransport": the one the engine started on)
//   {"op":"waitUpgrade","client":"a","timeoutMs":5000} -> {"ms"}: from the start of the connection until
//        the engine moved from polling to WebSocket
//   {"op":"emit","client":"a","event":"e","args":[...],"timeoutMs":3000}
//        -> {"acked":true,"args":[...]} (every ack argument) or {"acked":false} when none came in time
//   {"op":"send","client":"a","event":"e","args":[...]}              -> emits without asking for an ack
//   {"op":"waitEvent","client":"a","event":"e","timeoutMs":3000}     -> the first unread such event's arguments
//   {"op":"events","client":"a"}                                     -> every unread event [{event,args}], consumed
//        (a disconnect is recorded as event "disconnect" with the reason, e.g. "io server disconnect")
//   {"op":"serve","client":"c","event":"client:tool_call","reply":[...]|null,"delayMs":0}
//        -> answers that server-initiated event with the reply arguments (null: never answers); the
//           requests are recorded as events named "served:<event>"
//   {"op":"disconnect","client":"a"}
//   {"op":"upgradeTimes","url":...,"version":...,"count":12,"timeoutMs":3000}
//        -> {"ms":[...]} how long each of `count` fresh connections took from its start to WebSocket
//           (null: still polling after timeoutMs)
import { io } from 'socket.io-client';
import readline from 'node:readline';
import { exitAfterOutput } from './exit.mjs';

const clients = new Map();

function out(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function client(name) {
  const c = clients.get(name);
  if (!c) throw new Error(`no client ${name}`);
  return c;
}

function open(cmd) {
  const query = cmd.version === null ? {} : { a2c_version: cmd.version ?? '0.4.0' };
  const socket = io(cmd.url + (cmd.namespace ?? '/smcp'), {
    path: cmd.path ?? '/socket.io',
    query,
    auth: cmd.auth ?? {},
    transports: cmd.transports ?? ['polling', 'websocket'],
    reconnection: false,
    forceNew: true,
    timeout: cmd.timeoutMs ?? 5000,
  });
  const c = { socket, events: [], waiters: [], startedAt: Date.now(), upgradeMs: null, onUpgrade: [] };
  socket.onAny((event, ...args) => record(c, event, args));
  // reserved events are not seen by onAny: a disconnect is recorded as event "disconnect" with its reason
  socket.on('disconnect', (reason) => record(c, 'disconnect', [reason]));
  // the engine exists as soon as io() returns (autoConnect); it starts on the first transport listed
  c.firstTransport = socket.io.engine.transport.name;
  socket.io.engine.once('upgrade', () => {
    c.upgradeMs = Date.now() - c.startedAt;
    c.onUpgrade.splice(0).forEach((f) => f());
  });
  return c;
}

function record(c, event, args) {
  c.events.push({ event, args });
  for (const w of [...c.waiters]) {
    const i = c.events.findIndex((e) => e.event === w.event);
    if (i >= 0) {
      const [hit] = c.events.splice(i, 1);
      c.waiters.splice(c.waiters.indexOf(w), 1);
      w.resolve(hit.args);
    }
  }
}

function connected(c, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timeout')), timeoutMs);
    c.socket.once('connect', () => { clearTimeout(timer); resolve(); });
    // the server's CONNECT_ERROR data (if any) follows the message as JSON
    c.socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(new Error(err.data === undefined ? err.message : `${err.message} ${JSON.stringify(err.data)}`));
    });
  });
}

// ms from the start of the connection until the engine moved from polling to WebSocket; null if not within timeoutMs
function upgraded(c, timeoutMs) {
  return new Promise((resolve) => {
    if (c.upgradeMs !== null) return resolve(c.upgradeMs);
    const timer = setTimeout(() => resolve(null), timeoutMs);
    c.onUpgrade.push(() => { clearTimeout(timer); resolve(c.upgradeMs); });
  });
}

const ops = {
  async connect(cmd) {
    const c = open(cmd);
    clients.set(cmd.client, c);
    await connected(c, cmd.timeoutMs ?? 5000);
    return { sid: c.socket.id, firstTransport: c.firstTransport, transport: c.socket.io.engine.transport.name };
  },
  async waitUpgrade(cmd) {
    const ms = await upgraded(client(cmd.client), cmd.timeoutMs ?? 5000);
    if (ms === null) throw new Error('still polling');
    return { ms };
  },
  async emit(cmd) {
    const c = client(cmd.client);
    try {
      const args = await new Promise((resolve, reject) => {
        c.socket.timeout(cmd.timeoutMs ?? 3000).emit(cmd.event, ...(cmd.args ?? []), (err, ...ackArgs) => {
          if (err) reject(err); else resolve(ackArgs);
        });
      });
      return { acked: true, args };
    } catch {
      return { acked: false };
    }
  },
  async send(cmd) {
    client(cmd.client).socket.emit(cmd.event, ...(cmd.args ?? []));
    return {};
  },
  async waitEvent(cmd) {
    const c = client(cmd.client);
    const i = c.events.findIndex((e) => e.event === cmd.event);
    if (i >= 0) return { args: c.events.splice(i, 1)[0].args };
    return await new Promise((resolve, reject) => {
      const w = { event: cmd.event, resolve: (args) => { clearTimeout(timer); resolve({ args }); } };
      const timer = setTimeout(() => {
        c.waiters.splice(c.waiters.indexOf(w), 1);
        reject(new Error(`no ${cmd.event} within ${cmd.timeoutMs ?? 3000} ms`));
      }, cmd.timeoutMs ?? 3000);
      c.waiters.push(w);
    });
  },
  async events(cmd) {
    const c = client(cmd.client);
    return { events: c.events.splice(0) };
  },
  async serve(cmd) {
    const c = client(cmd.client);
    c.socket.on(cmd.event, (...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      record(c, 'served:' + cmd.event, args);
      if (cmd.reply === null || ack === null) return;
      setTimeout(() => ack(...cmd.reply), cmd.delayMs ?? 0);
    });
    return {};
  },
  async disconnect(cmd) {
    client(cmd.client).socket.disconnect();
    clients.delete(cmd.client);
    return {};
  },
  async upgradeTimes(cmd) {
    const ms = [];
    for (let i = 0; i < (cmd.count ?? 12); i++) {
      const c = open({ ...cmd, transports: ['polling', 'websocket'] });
      await connected(c, cmd.timeoutMs ?? 5000);
      ms.push(await upgraded(c, cmd.timeoutMs ?? 3000));
      c.socket.disconnect();
    }
    return { ms };
  },
};

const running = new Set();
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (text) => {
  const done = handle(text);
  running.add(done);
  done.finally(() => running.delete(done));
});

async function handle(text) {
  if (!text.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(text);
  } catch (e) {
    out({ ok: false, error: 'not JSON: ' + e.message });
    return;
  }
  try {
    const op = ops[cmd.op];
    if (!op) throw new Error(`unknown op ${cmd.op}`);
    out({ id: cmd.id, ok: true, result: await op(cmd) });
  } catch (e) {
    out({ id: cmd.id, ok: false, error: e.message });
  }
}

// end of input: let the commands still running answer, then leave
lines.on('close', async () => {
  await Promise.allSettled([...running]);
  for (const c of clients.values()) c.socket.disconnect();
  await exitAfterOutput(0);
});
