// Tool-call round trips with the official MCP TypeScript SDK client, against two targets in one run:
// the gateway's /mcp with the session bound to an A2C-SMCP office (gateway -> Computer -> stdio MCP server),
// and the same MCP server started here and called directly over stdio.
//
//   node bench.mjs --url http://127.0.0.1:8080/mcp --header "Authorization: Bearer x" --office ID
//                  --tool bench-1.everything__echo --direct-tool echo --command node --args '["index.js","stdio"]'
//                  --warmup 5 --measure 10 --concurrency 1,8
//
// Each cell: `concurrency` loops on one client session, each calling the tool with {"message": "bench"} in a
// closed loop; warm-up seconds first, then measured seconds. stdout: one JSON line per cell,
// {"target", "concurrency", "calls", "perSecond", "p50", "p99", "errors"} (latencies in ms).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { exitAfterOutput } from './exit.mjs';

function parseArgs(argv) {
  const args = { headers: {}, warmup: 5, measure: 10, concurrency: [1] };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[++i];
    switch (key) {
      case '--url': args.url = value; break;
      case '--header': {
        const colon = value.indexOf(':');
        args.headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
        break;
      }
      case '--office': args.office = value; break;
      case '--tool': args.tool = value; break;
      case '--direct-tool': args.directTool = value; break;
      case '--command': args.command = value; break;
      case '--args': args.args = JSON.parse(value); break;
      case '--warmup': args.warmup = Number(value); break;
      case '--measure': args.measure = Number(value); break;
      case '--concurrency': args.concurrency = value.split(',').map(Number); break;
      default: throw new Error(`unknown argument ${key}`);
    }
  }
  for (const required of ['url', 'office', 'tool', 'directTool', 'command', 'args']) {
    if (args[required] == null) throw new Error(`--${required} is required`);
  }
  return args;
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function loop(client, tool, until, latencies) {
  let errors = 0;
  while (performance.now() < until) {
    const start = performance.now();
    const result = await client.callTool({ name: tool, arguments: { message: 'bench' } });
    const took = performance.now() - start;
    if (result.isError) errors++;
    if (latencies) latencies.push(took);
  }
  return errors;
}

async function cell(target, client, tool, concurrency, warmup, measure) {
  const warm = performance.now() + warmup * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => loop(client, tool, warm, null)));
  const latencies = [];
  const start = performance.now();
  const until = start + measure * 1000;
  const errors = (await Promise.all(Array.from({ length: concurrency }, () => loop(client, tool, until, latencies))))
    .reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { target, concurrency, calls: latencies.length, perSecond: latencies.length / seconds,
    p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), errors };
}

async function throughGateway(args) {
  const client = new Client({ name: 'envgrid-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(args.url), { requestInit: { headers: args.headers } }));
  const joined = await client.callTool({ name: 'smcp_join_office', arguments: { office_id: args.office } });
  if (joined.isError) throw new Error(`smcp_join_office failed: ${JSON.stringify(joined)}`);
  const deadline = Date.now() + 90000;
  while (!(await client.listTools()).tools.some((t) => t.name === args.tool)) {
    if (Date.now() > deadline) throw new Error(`${args.tool} never listed in office ${args.office}`);
    await new Promise((r) => setTimeout(r, 200)); // waiting for the Computer to start its server, not measuring
  }
  return client;
}

async function direct(args) {
  const client = new Client({ name: 'envgrid-bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: args.command, args: args.args, stderr: 'ignore' }));
  return client;
}

const args = parseArgs(process.argv.slice(2));
const gateway = await throughGateway(args);
const stdio = await direct(args);
for (const concurrency of args.concurrency) {
  console.log(JSON.stringify(await cell('direct stdio', stdio, args.directTool, concurrency, args.warmup, args.measure)));
  console.log(JSON.stringify(await cell('through gateway', gateway, args.tool, concurrency, args.warmup, args.measure)));
}
await gateway.close();
await stdio.close();
await exitAfterOutput(0);
