// The delta filter's own cost, without streams or HTTP: CPU µs per row of filterChunk over the
// demo's users (mapped and validated as in a run) against a real SQLite state, in chunks of 128
// as the run hands them over. Three nights compared by item (the records' text is not looked at
// here: bench/delta.mjs measures that path): the first (state empty: nothing looked up, every key
// noted as passed on in memory), an unchanged one (every key looked up and marked seen), and 1% changed.
//   npm run build && node bench/delta-filter.mjs [--n 200000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeltaState } from '../dist/state/delta-state.js';
import { filterChunk } from '../dist/stages/5-delta/delta-filter.js';
import { itemHash } from '../dist/stages/5-delta/item-hash.js';
import { PassedKeys } from '../dist/stages/5-delta/passed-keys.js';
import { demoRevisions, demoUserRow, prng, DEMO_USERS_HEADER } from '../dist/demo/demo-data.js';
import { compileMapping } from '../dist/stages/3-map/compile-mapping.js';
import { createPrepareEvent } from '../dist/stages/2-gate/prepare-event.js';
import { loadPipeline } from '../dist/config/index.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200000' } } });
const N = Number(values.n);
const spec = await loadPipeline(new URL('../pipelines/demo-users.yaml', import.meta.url).pathname);
const prepare = createPrepareEvent(compileMapping(spec.mapping), 'users');
const header = DEMO_USERS_HEADER.split(';');

/** A demo row's cells (`;`, fields with `;` or `"` quoted, `""` inside). */
function splitRow(line) {
  const cells = [];
  for (const m of line.matchAll(/(?:^|;)(?:"((?:[^"]|"")*)"|([^;]*))/g)) cells.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
  return cells;
}

/** The night's items, as the admit gate hands them on (valid ones only; rejects cost the filter nothing). */
function items(revision, changes) {
  const r = prng(42);
  const versions = demoRevisions(N, revision, changes);
  const out = [];
  for (let i = 1; i <= N; i++) {
    const cells = splitRow(demoUserRow(i, r, versions.get(i) ?? 0));
    const data = Object.fromEntries(header.map((h, k) => [h, cells[k] ?? '']));
    const ev = prepare({ kind: 'record', prov: { file: 'demo', line: i + 1, seq: i - 1 }, data });
    if (ev.kind === 'item') out.push(ev);
  }
  return out;
}

function measure(state, evs, runId) {
  const empty = !state.counts().any;
  state.beginRun(runId, new Date(), false);
  const counts = {
    unchanged: 0,
    heldBack(n) {
      this.unchanged += n;
    },
    changesFound() {},
  };
  const passed = [];
  const opts = {
    ledger: state,
    passed: new PassedKeys(),
    ...(empty ? { empty: true } : {}),
    counts,
    now: Date.now,
    onPass: (rec, hash) => passed.push({ key: rec.key, sentKey: rec.key, hash, id: 1 }),
  };
  const before = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < evs.length; i += 128) filterChunk(evs.slice(i, i + 128), opts);
  const cpu = process.cpuUsage(before);
  const wallMs = performance.now() - t0;
  // Every item passed on is acknowledged, as after a clean run (not measured: that is the sink's cost).
  for (let i = 0; i < passed.length; i += 4096) state.record(passed.slice(i, i + 4096), [], Date.now());
  return { rows: evs.length, unchanged: counts.unchanged, sent: passed.length, usPerRow: (cpu.user + cpu.system) / evs.length, wallMs };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-delta-filter-'));
try {
  const state = DeltaState.open(join(dir, 'bench.sqlite'), {
    identity: { name: 'bench', baseUrl: 'https://bench.example/v2', clientId: 'bench', persistent: true },
    pipeline: 'bench',
    resource: 'users',
  });
  const night0 = items(0, 0);
  const night1 = items(1, Math.round(N / 100));
  const hashOnly = (() => {
    const before = process.cpuUsage();
    for (const ev of night1) itemHash(JSON.stringify(ev.item));
    const c = process.cpuUsage(before);
    return (c.user + c.system) / night1.length;
  })();
  const results = {
    first: measure(state, night0, 'first'),
    same: measure(state, night0, 'same'),
    onePercent: measure(state, night1, 'one-percent'),
  };
  state.close();
  const f = (x) => x.toFixed(1);
  console.log(
    `delta filter, ${N.toLocaleString('en-US')} users (${night0.length.toLocaleString('en-US')} valid), ${new Date().toISOString()}, load ${(
      await import('node:os')
    )
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  for (const [name, r] of Object.entries(results))
    console.log(
      `  ${name.padEnd(11)} ${f(r.usPerRow).padStart(6)} µs CPU/row  (${r.sent.toLocaleString('en-US')} passed on, ${r.unchanged.toLocaleString('en-US')} unchanged, ${Math.round(r.wallMs)} ms wall)`,
    );
  console.log(`  of which JSON.stringify + SHA-256 alone: ${f(hashOnly)} µs/row`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
