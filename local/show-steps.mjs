// Prints the MCP client's result lines (tools/mcp-client/run.mjs) next to the steps that produced them,
// shortened, for people watching the demo.
import { readFileSync } from 'node:fs';

const steps = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.trim());
const shorten = (text) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);
for (const line of lines) {
  const out = JSON.parse(line);
  const step = out.step >= 0 ? steps[out.step] : { op: 'connect' };
  const title = step.op === 'call' ? `${step.name} ${JSON.stringify(step.arguments)}` : step.op;
  let shown;
  if (!out.ok) shown = `failed: ${out.error.message}`;
  else if (step.op === 'listTools') shown = out.result.map((t) => t.name).join(', ');
  else if (step.op === 'call') shown = (out.result.isError ? 'tool error: ' : '') + JSON.stringify(out.result.structuredContent);
  else shown = JSON.stringify(out.result);
  console.log(`\u001b[1m> ${title}\u001b[0m\n  ${shorten(shown)}`);
}
