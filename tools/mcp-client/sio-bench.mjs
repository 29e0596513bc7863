// Measures one Socket.IO server's /smcp namespace with the official `socket.io-client`, for the gateway's
// comparison of Socket.IO server libraries (SocketIoComparison runs it once per candidate, in one run).
//
//   node sio-bench.mjs --url http://127.0.0.1:8080 --token t --office-prefix office-x- --version 0.4.0
//                      --fresh 50 --concurrency 1,32 --warmup 5 --measure 10
//
// (a) `fresh` connections one after another, default transports (polling, then the upgrade to WebSocket): each
//     connects with {auth: {token}}, sends `server:join_office` {role: "agent", name, office_id} with an ack at once,
//     and waits for the ack and for the upgrade (5 s at most each) before closing.
// (b) per concurrency C: C clients connected and upgraded, each joined to its own office, each sending
//     `server:list_room` {agent, req_id, office_id} with an ack in a closed loop, `warmup` then `measure` seconds;
//     clients connect together and one not on WebSocket within 5 s is measured on polling (counted in onWebSocket).
//
// stdout, one JSON object per line:
//   {"kind":"fresh","count","connectMs":{p50,p95,max},"upgradeMs":{...},"firstAckMs":{...},"stalls","errors"}
//     connectMs from the start to the namespace connect, upgradeMs from the start to WebSocket, firstAckMs from the
//     connect to the join's ack; stalls: upgrades later than 1 s or never
//   {"kind":"mark","at":"start"|"end","concurrency"}   printed as the measured window opens and closes
//   {"kind":"steady","concurrency","onWebSocket","acks","perSecond","p50","p99","errors"}   latencies in ms
import { io } from 'socket.io-client';
import { exitAfterOutput } from './exit.mjs';

const STALL_MS = 1000;
const WAIT_MS = 5000;

function parseArgs(argv) {
  const args = { version: '0.4.0', fresh: 50, concurrency: [1, 32], warmup: 5, measure: 10 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[++i];
    switch (key) {
      case '--url': args.url = value; break;
      case '--token': args.token = value; break;
      case '--office-prefix': args.officePrefix = value; break;
      case '--version': args.version = value; break;
      case '--fresh': args.fresh = Number(value); break;
      case '--concurrency': args.concurrency = value.split(',').map(Number); break;
      case '--warmup': args.warmup = Number(value); break;
      case '--measure': args.measure = Number(value); break;
      default: throw new Error(`unknown argument ${key}`);
    }
  }
  for (const required of ['url', 'token', 'officePrefix']) {
    if (args[required] == null) throw new Error(`--${required} is required`);
  }
  return args;
}

function out(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(values) {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1) ?? null };
}

function open(args) {
  return io(args.url + '/smcp', {
    path: '/socket.io',
    query: { a2c_version: args.version },
    auth: { token: args.token },
    reconnection: false,
    forceNew: true,
    timeout: WAIT_MS,
  });
}

function within(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
}

/** Resolves with ms since `start` at the engine's upgrade to WebSocket, or null if none within WAIT_MS. */
function upgraded(socket, start) {
  return within(new Promise((resolve) => socket.io.engine.once('upgrade', () => resolve(performance.now() - start))), WAIT_MS);
}

function connected(socket) {
  return new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
}

async function join(socket, name, office) {
  const answer = await socket.timeout(WAIT_MS).emitWithAck('server:join_office', { role: 'agent', name, office_id: office });
  if (answer !== true) throw new Error(`join refused: ${JSON.stringify(answer)}`);
}

async function fresh(args) {
  const connects = [];
  const upgrades = [];
  const firstAcks = [];
  let stalls = 0;
  let errors = 0;
  for (let i = 0; i < args.fresh; i++) {
    const start = performance.now();
    const socket = open(args);
    const upgrade = upgraded(socket, start);
    try {
      await connected(socket);
      const at = performance.now();
      connects.push(at - start);
      await join(socket, `fresh-${i}`, `${args.officePrefix}fresh-${i}`);
      firstAcks.push(performance.now() - at);
    } catch (e) {
      errors++;
    }
    const upgradeMs = await upgrade;
    upgrades.push(upgradeMs);
    if (upgradeMs == null || upgradeMs > STALL_MS) stalls++;
    socket.close();
  }
  out({ kind: 'fresh', count: args.fresh, connectMs: summary(connects), upgradeMs: summary(upgrades),
    firstAckMs: summary(firstAcks), stalls, errors });
}

async function loop(socket, name, office, until, latencies) {
  let errors = 0;
  let n = 0;
  while (performance.now() < until) {
    const start = performance.now();
    try {
      await socket.timeout(WAIT_MS).emitWithAck('server:list_room', { agent: name, req_id: `r${n++}`, office_id: office });
      if (latencies) latencies.push(performance.now() - start);
    } catch (e) {
      errors++;
    }
  }
  return errors;
}

async function steady(args, concurrency) {
  // connected together; a client whose upgrade has not come within WAIT_MS is measured on polling
  const clients = await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
    const start = performance.now();
    const socket = open(args);
    const upgrade = upgraded(socket, start);
    await connected(socket);
    const name = `steady-${concurrency}-${i}`;
    const office = `${args.officePrefix}steady-${concurrency}-${i}`;
    await join(socket, name, office);
    return { socket, name, office, webSocket: (await upgrade) != null };
  }));
  const warm = performance.now() + args.warmup * 1000;
  await Promise.all(clients.map((c) => loop(c.socket, c.name, c.office, warm, null)));
  const latencies = [];
  out({ kind: 'mark', at: 'start', concurrency });
  const start = performance.now();
  const until = start + args.measure * 1000;
  const errors = (await Promise.all(clients.map((c) => loop(c.socket, c.name, c.office, until, latencies))))
    .reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - start) / 1000;
  out({ kind: 'mark', at: 'end', concurrency });
  latencies.sort((a, b) => a - b);
  out({ kind: 'steady', concurrency, onWebSocket: clients.filter((c) => c.webSocket).length, acks: latencies.length, perSecond: latencies.length / seconds,
    p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors });
  clients.forEach((c) => c.socket.close());
}

const args = parseArgs(process.argv.slice(2));
await fresh(args);
for (const concurrency of args.concurrency) {
  await steady(args, concurrency);
}
await exitAfterOutput(0);
