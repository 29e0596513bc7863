// Prints the MCP client's result lines (tools/mcp-client/run.mjs) next to the steps that produced them,
// shortened for people watching the demo; screenshots are written to files instead of printed.
//   node show-steps.mjs <steps.json> <directory for screenshots>  < result lines
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const steps = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const shots = process.argv[3];
const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.trim());
let saved = 0;
const shorten = (text) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);
// base64 PNGs become files; what is printed says where they went
const withoutImages = (value) => JSON.parse(JSON.stringify(value, (key, v) => {
  if (typeof v === 'string' && v.startsWith('iVBORw0KGgo')) {
    const file = join(shots, `screenshot-${++saved}.png`);
    writeFileSync(file, Buffer.from(v, 'base64'));
    return `<PNG ${Buffer.from(v, 'base64').length} bytes, saved as ${file}>`;
  }
  return v;
}));
for (const line of lines) {
  const out = JSON.parse(line);
  const step = out.step >= 0 ? steps[out.step] : { op: 'connect' };
  const title = step.op === 'call' ? `${step.name} ${JSON.stringify(step.arguments)}` : step.op;
  let shown;
  if (!out.ok) shown = `failed: ${out.error.message}`;
  else if (step.op === 'listTools') shown = out.result.map((t) => t.name).join(', ');
  else if (step.op === 'call') shown = (out.result.isError ? 'tool error: ' : '') + JSON.stringify(withoutImages(out.result.structuredContent));
  else shown = JSON.stringify(out.result);
  console.log(`\u001b[1m> ${title}\u001b[0m\n  ${shorten(shown)}`);
}
