// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file, and
// inclusive time (a function and everything it called) per function of the project's own code.
//   node bench/top.mjs PROFILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

// Piped into `head`, stop quietly once it has read enough.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const [file, n = '25'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/top.mjs PROFILE.cpuprofile [N]\n');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of prof.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const where = (cf) =>
  cf.url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, 'nm/')
    .replace(/.*\/(dist|src)\//, '$1/');
const fnName = (cf) => `${cf.functionName || '(anon)'} ${where(cf)}:${cf.lineNumber + 1}`;
const add = (m, k, us) => m.set(k, (m.get(k) ?? 0) + us);

const fns = new Map();
const files = new Map();
const inclusive = new Map();
let total = 0;
// Samples are taken at (roughly) fixed intervals; timeDeltas give each sample its duration.
prof.samples.forEach((id, i) => {
  const us = prof.timeDeltas[i] ?? 0;
  total += us;
  const { callFrame: cf } = byId.get(id);
  add(fns, fnName(cf), us);
  add(files, where(cf) || cf.functionName, us);
  // Each function on the sample's stack once, so recursion is not counted twice.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at).callFrame;
    if (!/^(dist|src)\//.test(where(frame))) continue;
    const k = fnName(frame);
    if (!seen.has(k)) add(inclusive, k, us);
    seen.add(k);
  }
});
const show = (m, title) => {
  process.stdout.write(`\n${title} (total ${(total / 1e6).toFixed(2)} s)\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}\n`);
  }
};
show(fns, 'self time by function');
show(files, 'self time by file');
show(inclusive, 'inclusive time by function (project code)');
