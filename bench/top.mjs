// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file.
//   node bench/top.mjs PROFILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/top.mjs PROFILE.cpuprofile [N]\n');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const self = new Map();
// Samples are taken at (roughly) fixed intervals; timeDeltas give each sample its duration.
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fns = new Map();
const files = new Map();
for (const [id, us] of self) {
  const { callFrame: cf } = byId.get(id);
  const where = cf.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm/').replace(/.*\/(dist|src)\//, '$1/');
  const fn = `${cf.functionName || '(anon)'} ${where}:${cf.lineNumber + 1}`;
  fns.set(fn, (fns.get(fn) ?? 0) + us);
  files.set(where || cf.functionName, (files.get(where || cf.functionName) ?? 0) + us);
}
const show = (m, title) => {
  process.stdout.write(`\n${title} (total ${(total / 1e6).toFixed(2)} s)\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}\n`);
  }
};
show(fns, 'self time by function');
show(files, 'self time by file');
