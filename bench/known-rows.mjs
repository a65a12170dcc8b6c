// What an unchanged row costs on a quiet delta night, alone: the night-1 export of bench/delta.mjs
// read through the run's own source stream and admit gate (map + validate, which a known record
// skips) into the delta filter, with the state's text hashes in a RecordIndex (built here from
// night 0, as a run loads it from its state). Beside it, the same export with nothing known (every
// row read, mapped, validated and compared as an item): the path every row took before.
// CPU is the process's user + system between the first and the last row, per row read; the
// index is built once, before the clock starts (a run loads it once: bench/delta.mjs counts that).
// Round 1 includes the JIT's warm-up, as a run's one pass does. So night 0's hashes are collected
// in a child process: read here, through the same reader with another `take`, they would leave
// the reader compiled, with type feedback a run never has, and round 1 would be no run's pass.
//   npm run build && node bench/known-rows.mjs [--n 1000000] [--ndjson] [--rounds 2]
// Reads bench/delta.mjs's inputs (bench/out/delta/data/): run that first, with the same --n.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadPipeline } from '../dist/config/index.js';
import { openSource, resolveInputs } from '../dist/stages/1-read/index.js';
import { admit } from '../dist/stages/2-gate/admit.js';
import { createPrepareEvent } from '../dist/stages/2-gate/prepare-event.js';
import { compileMapping } from '../dist/stages/3-map/compile-mapping.js';
import { filterChunk } from '../dist/stages/5-delta/delta-filter.js';
import { PassedKeys } from '../dist/stages/5-delta/passed-keys.js';
import { runFingerprint } from '../dist/stages/5-delta/fingerprint.js';
import { itemSchemaText } from '../dist/stages/4-validate/schema-registry.js';
import { INDEX_CHARS, RecordIndex } from '../dist/state/record-index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    changed: { type: 'string', default: '0.01' },
    ndjson: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    data: { type: 'string', default: join(ROOT, 'bench', 'out', 'delta', 'data') },
    'emit-night0': { type: 'string' },
  },
});
const N = Number(values.n);
const CHANGED = Math.round(N * Number(values.changed));
const ext = values.ndjson ? 'ndjson' : 'csv';
const file = (k) => join(values.data, `users-${N}-${CHANGED}-night${k}.${ext}`);
if (!existsSync(file(1))) {
  process.stderr.write(`no ${file(1)}: run node bench/delta.mjs --n ${N}${values.ndjson ? ' --ndjson' : ''} first\n`);
  process.exit(2);
}

const demo = parseYaml(readFileSync(join(ROOT, 'pipelines', 'demo-users.yaml'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'bench-known-'));
const pipelineFile = join(tmp, 'pipeline.json');
writeFileSync(
  pipelineFile,
  JSON.stringify({ ...demo, source: values.ndjson ? { path: file(1), format: 'ndjson' } : { ...demo.source, path: file(1) } }),
);
const spec = await loadPipeline(pipelineFile);
const fingerprint = runFingerprint(spec, itemSchemaText('users'));
const prepare = createPrepareEvent(compileMapping(spec.mapping), 'users');

async function inputsOf(k) {
  return resolveInputs({ ...spec.source, path: file(k) }, '/');
}

/** With --emit-night0 FILE (the child's part): night 0's text hashes into FILE, back to back, as the state's pages hold them. */
async function emitNight0(to) {
  const hashes = [];
  const known = { fingerprint, take: (h) => (hashes.push(h.slice(0, INDEX_CHARS)), -1) };
  for await (const chunk of openSource(await inputsOf(0), spec.source, { chunked: true, known })) void chunk;
  writeFileSync(to, hashes.join(''), 'latin1');
}

/** Night 0's text hashes, as the state holds them after night 0 was acknowledged, loaded as a run loads them. */
function indexOfNight0() {
  const to = join(tmp, 'night0-hashes');
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2), '--emit-night0', to], { stdio: 'inherit' });
  const page = readFileSync(to, 'latin1');
  rmSync(tmp, { recursive: true, force: true });
  const index = new RecordIndex(page.length / INDEX_CHARS);
  for (let at = 0; at + INDEX_CHARS <= page.length; at += INDEX_CHARS) index.add(page, null, at);
  return index;
}

if (values['emit-night0'] !== undefined) {
  await emitNight0(values['emit-night0']);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

const ledger = { visitAll: () => new Map(), refreshTexts: () => undefined, transaction: (fn) => fn() };

async function night(index) {
  const counts = {
    unchanged: 0,
    passed: 0,
    heldBack(n) {
      this.unchanged += n;
    },
    changesFound(f, c) {
      this.passed += f + c;
    },
  };
  const known =
    index !== undefined
      ? {
          fingerprint,
          take: (h) => {
            const s = index.find(h);
            if (s >= 0) index.markSeen(s);
            return s;
          },
        }
      : undefined;
  const source = openSource(await inputsOf(1), spec.source, { chunked: true, ...(known !== undefined ? { known } : {}) });
  const opts = { ledger, passed: new PassedKeys(), ...(index !== undefined ? { index } : {}), prepare, counts, now: Date.now };
  let read = 0;
  const before = process.cpuUsage();
  for await (const chunk of admit(source, { counts: { admitted: () => read++ }, prepare })) filterChunk(chunk, opts);
  const used = process.cpuUsage(before);
  return { read, unchanged: counts.unchanged, usPerRow: (used.user + used.system) / read };
}

const load0 = loadavg();
console.log(
  `known rows: ${N.toLocaleString('en-US')} ${ext} rows, ${CHANGED.toLocaleString('en-US')} changed; ${new Date().toISOString()}, ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, load ${load0.map((x) => x.toFixed(2)).join(' ')}`,
);
// Built once (the page it is built from is garbage before the first round starts, as a run's index pages are).
const index = indexOfNight0();
await new Promise((resolve) => setTimeout(resolve, 100));
for (let r = 1; r <= Number(values.rounds); r++) {
  const fast = await night(index);
  const slow = await night(undefined);
  console.log(
    `  round ${r}: known by their bytes ${fast.usPerRow.toFixed(2)} µs CPU/row (${fast.unchanged.toLocaleString('en-US')} of ${fast.read.toLocaleString('en-US')} unchanged), every row as an item ${slow.usPerRow.toFixed(2)} µs CPU/row: ${(slow.usPerRow / fast.usPerRow).toFixed(1)}x`,
  );
}
console.log(
  `  load after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
