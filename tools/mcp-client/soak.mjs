// Rollout workers for cluster-test's SoakIT: each worker is an official MCP TypeScript SDK client
// (streamable HTTP) that runs envgrid's whole flow again and again until a deadline:
//   allocate_batch_resources (with wait_ms) -> setup_batch_resources -> computer screenshot (observe)
//   -> pyautogui click (act) -> rag_search -> release_batch_resources
//
//   node soak.mjs --url http://127.0.0.1:PORT/mcp --workers 4 --prefix p0 --stop-file <path>
//                 [--types vm_pyautogui,rag] [--wait-ms 8000] [--lease-seconds 40] [--call-timeout-ms 45000]
//
// stdout: one JSON line per event, read by the test while the process runs (it may be killed at any moment):
//   {"w","call","ok","ms","at","kind"} every tool call (at: when it ended, epoch ms); kind "ok", "tool:<envelope code>", "http:<status>",
//                                   "rpc:<json-rpc code>", "timeout" (no answer within --call-timeout-ms), "transport";
//                                   setup_batch_resources answered adds "status" (success/partial/failed): a worker acts
//                                   only on a desktop it set up (no controller session otherwise), else it releases
//   {"w","grant":[{id,type,lease_id,fence}]}   a grant the worker received
//   {"w","released":[ids]}          release_batch_resources answered "completed"
//   {"w","done","iterations"}       the worker stopped: the stop file exists (checked before each flow)
// Exit 0 when every worker stopped.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { existsSync } from 'node:fs';
import { exitAfterOutput } from './exit.mjs';

function parseArgs(argv) {
  const args = { types: 'vm_pyautogui,rag', waitMs: 8000, leaseSeconds: 40, callTimeoutMs: 45000 };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--url') args.url = value;
    else if (key === '--workers') args.workers = Number(value);
    else if (key === '--prefix') args.prefix = value;
    else if (key === '--stop-file') args.stopFile = value;
    else if (key === '--types') args.types = value;
    else if (key === '--wait-ms') args.waitMs = Number(value);
    else if (key === '--lease-seconds') args.leaseSeconds = Number(value);
    else if (key === '--call-timeout-ms') args.callTimeoutMs = Number(value);
    else throw new Error(`unknown argument ${key}`);
  }
  for (const required of ['url', 'workers', 'prefix', 'stopFile']) {
    if (args[required] == null) throw new Error(`--${required} is required`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const emit = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// What went wrong, as one short name the test counts: the envelope's code for a tool error, the HTTP
// status the transport saw, the JSON-RPC code, or a timeout (the SDK's RequestTimeout, -32001).
function kindOf(error) {
  const message = String(error?.message ?? error);
  if (error?.code === -32001) return 'timeout';
  // the transport's refusals carry the HTTP status as their code (StreamableHTTPError)
  if (error instanceof StreamableHTTPError && typeof error.code === 'number') return `http:${error.code}`;
  const http = message.match(/HTTP (\d{3})/);
  if (http) return `http:${http[1]}`;
  if (typeof error?.code === 'number') return `rpc:${error.code}`;
  return 'transport';
}

// A retry after a failure: short, jittered, so the workers do not hit a recovering service in step.
const backoff = () => pause(200 + Math.floor(Math.random() * 800));

class Worker {
  constructor(id) {
    this.id = id;
    this.client = null;
    this.iterations = 0;
  }

  async connect() {
    const transport = new StreamableHTTPClientTransport(new URL(args.url));
    const client = new Client({ name: 'envgrid-soak', version: '1.0.0' });
    await client.connect(transport, { timeout: args.callTimeoutMs });
    this.client = client;
  }

  async drop() {
    const client = this.client;
    this.client = null;
    if (client) await client.close().catch(() => {});
  }

  /** One tools/call; returns the structured content on success, null on any failure (reported). */
  async call(name, argumentsOf) {
    const started = Date.now();
    let kind = 'ok';
    let result = null;
    let why = null;
    try {
      if (!this.client) await this.connect();
      const answer = await this.client.callTool({ name, arguments: argumentsOf }, undefined,
        { timeout: args.callTimeoutMs });
      if (answer.isError) {
        kind = `tool:${answer.structuredContent?.error?.code ?? 'NO_ENVELOPE'}`;
        why = answer.structuredContent?.error ?? answer.content;
      } else {
        result = answer.structuredContent ?? {};
      }
    } catch (error) {
      kind = kindOf(error);
      why = String(error?.message ?? error);
      // the session may be gone with the replica or the Redis it lived in: start a new one next time
      if (kind !== 'timeout') await this.drop();
    }
    const line = { w: this.id, call: name, ok: kind === 'ok', ms: Date.now() - started, at: Date.now(), kind };
    if (result && typeof result.status === 'string' && name === 'setup_batch_resources') line.status = result.status;
    // what went wrong in the service's own words, cut short: the test prints it for a failure it does not call clean
    if (why !== null) line.why = JSON.stringify(why).slice(0, 600);
    emit(line);
    return result;
  }

  async run() {
    const types = args.types.split(',');
    while (!existsSync(args.stopFile)) {
      const granted = await this.call('allocate_batch_resources',
        { worker_id: this.id, resource_types: types, wait_ms: args.waitMs, timeout: args.leaseSeconds });
      if (!granted) {
        await backoff();
        continue;
      }
      emit({ w: this.id, grant: Object.values(granted).filter((r) => r && r.id).map((r) =>
        ({ id: r.id, type: r.type, lease_id: r.lease_id, fence: r.fencing_token })) });
      // as an OSWorld runner does: a desktop whose set-up failed (its controller session may not exist) is given
      // back, not acted on
      const setUp = await this.call('setup_batch_resources', { worker_id: this.id });
      if (setUp?.status === 'success') {
        await this.call('computer', { worker_id: this.id, action: 'screenshot' });
        await this.call('pyautogui', { worker_id: this.id, code: 'pyautogui.click(640, 400)' });
        await this.call('rag_search', { worker_id: this.id, query: 'lease expiry and fencing tokens', top_k: 3 });
      }
      await this.release();
      this.iterations++;
    }
    emit({ w: this.id, done: true, iterations: this.iterations });
  }

  /** Releases until the gateway confirms: a worker that gives up would leave its leases to the expiry. */
  async release() {
    for (let attempt = 0; attempt < 20; attempt++) {
      const answer = await this.call('release_batch_resources', { worker_id: this.id });
      if (answer && answer.status === 'completed') {
        emit({ w: this.id, released: Object.keys(answer.details ?? {}) });
        return;
      }
      await backoff();
    }
  }
}

const workers = Array.from({ length: args.workers }, (_, i) => new Worker(`${args.prefix}-w${i}`));
await Promise.all(workers.map((w) => w.run()));
await Promise.all(workers.map((w) => w.drop()));
await exitAfterOutput(0);
