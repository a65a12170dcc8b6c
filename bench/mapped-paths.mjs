// What watching the mapped paths (src/preflight/mapped-paths.ts) costs per record: the demo
// mapping over the first 20,000 records of an input, with and without the watch, in one process,
// alternated; CPU µs per record (user + system), medians of 6 rounds.
//   npm run build && node bench/mapped-paths.mjs PIPELINE_FILE
import { dirname } from 'node:path';
import { loadPipeline } from '../dist/config/index.js';
import { compileMapping } from '../dist/stages/3-map/index.js';
import { MappedPaths } from '../dist/preflight/index.js';
import { openSource, resolveInputs } from '../dist/stages/1-read/index.js';

const spec = await loadPipeline(process.argv[2]);
const records = [];
for await (const ev of openSource(await resolveInputs(spec.source, dirname(spec.file)), spec.source, { limit: 20_000 })) {
  if (ev.kind === 'record') records.push(ev.data);
}
const plain = compileMapping(spec.mapping);
const watched = new MappedPaths(spec).watch(compileMapping(spec.mapping));
const REPEAT = 25;
const cpuPerRecord = (map) => {
  const start = process.cpuUsage();
  let ok = 0;
  for (let k = 0; k < REPEAT; k++) for (const r of records) if (map(r).ok) ok++;
  const used = process.cpuUsage(start);
  return ok >= 0 ? (used.user + used.system) / (REPEAT * records.length) : 0;
};
const rounds = { plain: [], watched: [] };
for (let i = 0; i < 6; i++) {
  rounds.plain.push(cpuPerRecord(plain));
  rounds.watched.push(cpuPerRecord(watched));
}
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
process.stdout.write(
  JSON.stringify({
    records: records.length,
    plainUs: +median(rounds.plain).toFixed(3),
    watchedUs: +median(rounds.watched).toFixed(3),
    ratio: +(median(rounds.watched) / median(rounds.plain)).toFixed(3),
  }) + '\n',
);
