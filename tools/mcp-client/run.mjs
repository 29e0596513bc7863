// Drives an MCP server with the official MCP TypeScript SDK client, so that envgrid's tests
// exercise its MCP endpoints with a client nobody here wrote.
//
//   node run.mjs --url http://127.0.0.1:8080/mcp [--transport streamable|sse]
//                [--header "Authorization: Bearer x"]... < steps.json
//
// stdin: a JSON array of steps, run in order; stdout: one JSON line per step,
// {"step": i, "op": ..., "ok": true, "result": ...} or {"step": i, "op": ..., "ok": false, "error": {...}}.
// Steps:
//   {"op": "listTools"}                         -> tools/list (all pages)
//   {"op": "call", "name": "...", "arguments": {...}, "progress": false, "abortAfterMs": null,
//    "timeoutMs": 60000}                        -> tools/call; progress notifications are collected
//                                                  into result.progress; abortAfterMs cancels the call
//                                                  (the SDK sends notifications/cancelled)
//   {"op": "listResources"} / {"op": "readResource", "uri": "..."}
//   {"op": "ping"}
//   {"op": "sessionId"}                         -> the Mcp-Session-Id the server gave (streamable only)
//   {"op": "terminate"}                         -> DELETE of the session (streamable only)
//   {"op": "close"}                             -> closes the transport
//   {"op": "sleep", "ms": 100}
//   {"op": "fetch", "url": "...", "method": "PUT", "headers": {...}, "body": {...}}
//                                               -> a plain HTTP request (e.g. to another service's API
//                                                  between two MCP steps): {status, body}
//   {"op": "awaitToolListed", "name": "...", "timeoutMs": 60000}
//                                               -> waits for notifications/tools/list_changed
//                                                  (only ones arriving during this step count), lists the
//                                                  tools after each, until one is named so: {notifications}
// A call step may carry "abortWhenFileContains": {"file": "...", "text": "..."} to cancel the call once
// that file (e.g. what an MCP server behind the server under test received) holds the text.
// The process exits 0 when every step ran (a step's own failure is reported, not fatal) and 2 on
// a failure to connect.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { readFileSync } from 'node:fs';
import { exitAfterOutput } from './exit.mjs';

function parseArgs(argv) {
  const args = { transport: 'streamable', headers: {} };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[++i];
    if (key === '--url') args.url = value;
    else if (key === '--transport') args.transport = value;
    else if (key === '--header') {
      const colon = value.indexOf(':');
      args.headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
    } else throw new Error(`unknown argument ${key}`);
  }
  if (!args.url) throw new Error('--url is required');
  return args;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : [];
}

function describe(error) {
  return { message: String(error?.message ?? error), code: error?.code ?? null, data: error?.data ?? null };
}

async function listAll(fetchPage, key) {
  const items = [];
  let cursor;
  do {
    const page = await fetchPage(cursor ? { cursor } : {});
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

function abortWhenFileContains(controller, { file, text }) {
  const timer = setInterval(() => {
    let content = '';
    try { content = readFileSync(file, 'utf8'); } catch { return; }
    if (content.includes(text)) {
      clearInterval(timer);
      controller.abort('cancelled by test');
    }
  }, 50);
  return timer;
}

async function callTool(client, step) {
  const progress = [];
  const controller = new AbortController();
  const options = { signal: controller.signal, timeout: step.timeoutMs ?? 60000 };
  if (step.progress) options.onprogress = (p) => progress.push(p);
  if (step.abortAfterMs != null) setTimeout(() => controller.abort('cancelled by test'), step.abortAfterMs);
  const watcher = step.abortWhenFileContains ? abortWhenFileContains(controller, step.abortWhenFileContains) : null;
  try {
    const result = await client.callTool({ name: step.name, arguments: step.arguments ?? {} }, undefined, options);
    return { ...result, progress };
  } catch (error) {
    // the SDK posts notifications/cancelled without waiting for it; let it leave before the next step or exit
    if (controller.signal.aborted) await new Promise((r) => setTimeout(r, 300));
    throw error;
  } finally {
    if (watcher) clearInterval(watcher);
  }
}

// notifications the server sent that the SDK has no handler of its own for, by method
const notified = new Map();
let onNotified = () => {};

async function awaitToolListed(client, step) {
  const deadline = Date.now() + (step.timeoutMs ?? 60000);
  const method = 'notifications/tools/list_changed';
  let seen = notified.get(method) ?? 0;
  let notifications = 0;
  while (Date.now() < deadline) {
    if ((notified.get(method) ?? 0) > seen) {
      notifications += notified.get(method) - seen;
      seen = notified.get(method);
      const tools = await listAll((p) => client.listTools(p), 'tools');
      if (tools.some((t) => t.name === step.name)) return { notifications };
      continue;
    }
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      onNotified = () => { clearTimeout(timer); resolve(); };
    });
  }
  throw new Error(`no ${method} brought a tool named ${step.name} (${notifications} notifications)`);
}

async function httpFetch(step) {
  const response = await fetch(step.url, { method: step.method ?? 'GET', headers: step.headers ?? {},
    body: step.body == null ? undefined : JSON.stringify(step.body) });
  return { status: response.status, body: await response.text() };
}

async function runStep(client, transport, step) {
  switch (step.op) {
    case 'listTools': return listAll((p) => client.listTools(p), 'tools');
    case 'call': return callTool(client, step);
    case 'listResources': return listAll((p) => client.listResources(p), 'resources');
    case 'readResource': return client.readResource({ uri: step.uri });
    case 'ping': return client.ping();
    case 'sessionId': return transport.sessionId ?? null;
    case 'terminate': await transport.terminateSession(); return null;
    case 'close': await client.close(); return null;
    case 'sleep': await new Promise((r) => setTimeout(r, step.ms)); return null;
    case 'fetch': return httpFetch(step);
    case 'awaitToolListed': return awaitToolListed(client, step);
    default: throw new Error(`unknown op ${step.op}`);
  }
}

const args = parseArgs(process.argv.slice(2));
const steps = await readStdin();
const url = new URL(args.url);
const requestInit = { headers: args.headers };
const transport = args.transport === 'sse'
  ? new SSEClientTransport(url, { requestInit, eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, ...args.headers } }) } })
  : new StreamableHTTPClientTransport(url, { requestInit });
const client = new Client({ name: 'envgrid-test-client', version: '1.0.0' });
client.fallbackNotificationHandler = async (notification) => {
  notified.set(notification.method, (notified.get(notification.method) ?? 0) + 1);
  onNotified();
};
try {
  await client.connect(transport);
} catch (error) {
  console.log(JSON.stringify({ step: -1, op: 'connect', ok: false, error: describe(error) }));
  await exitAfterOutput(2);
}
console.log(JSON.stringify({ step: -1, op: 'connect', ok: true,
  result: { server: client.getServerVersion(), protocolVersion: transport.protocolVersion ?? null,
            capabilities: client.getServerCapabilities() } }));
for (const [i, step] of steps.entries()) {
  try {
    const result = await runStep(client, transport, step);
    console.log(JSON.stringify({ step: i, op: step.op, ok: true, result: result ?? null }));
  } catch (error) {
    console.log(JSON.stringify({ step: i, op: step.op, ok: false, error: describe(error) }));
  }
}
await client.close().catch(() => {});
await exitAfterOutput(0);
