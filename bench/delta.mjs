// Delta sync, end to end: the real CLI against the emulator in its own process (latency 50 ms,
// capacity 4), the demo's users pipeline with `delta: {}`. Night 0 sends everything into an
// empty store and state; night 1 is the same export with 1% of the rows changed (seeded), and
// sends only those. Prints wall time, the night's share of the full run's, CPU µs per row (user
// + system of the CLI process) and the filter's own time per row (summary.json durations.deltaFilterCpuMs).
// First (unless --no-baseline) the same night 0 without `delta:`, for what delta's first night adds.
//   npm run build && node bench/delta.mjs [--n 200000] [--changed 0.01] [--latency 50] [--capacity 4] [--batch 500]
//     [--ndjson] [--no-baseline] [--prof DIR] [--out bench/out/delta]
// --ndjson reads the same users as NDJSON lines; --prof writes each night's CPU profile (bench/top.mjs reads it).
// With the demo's batches of 500 the emulator takes 4 x 500 items per 50 ms, more than the client's
// CPU can feed it, so the full run is bound by the client's CPU; --batch 100 (8,000 items/s) is
// closer to an API that answers a few thousand items a second.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { writeDemoUsers } from '../dist/demo/demo-data.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(ROOT, 'bench', 'out', 'delta') },
    n: { type: 'string', default: '200000' },
    changed: { type: 'string', default: '0.01' },
    latency: { type: 'string', default: '50' },
    capacity: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
    // Also run night 0's import without `delta:` first (into an empty store): what delta's first night costs on top.
    'no-baseline': { type: 'boolean', default: false },
    // NDJSON instead of the demo's CSV: the same users, one JSON object per line.
    ndjson: { type: 'boolean', default: false },
    // A V8 CPU profile of each night's CLI process, into this folder (read them with bench/top.mjs).
    prof: { type: 'string' },
  },
});
const OUT = values.out;
const N = Number(values.n);
const CHANGED = Math.round(N * Number(values.changed));
mkdirSync(join(OUT, 'data'), { recursive: true });

const csvNight = (k) => join(OUT, 'data', `users-${N}-${CHANGED}-night${k}.csv`);
for (const k of [0, 1]) if (!existsSync(csvNight(k))) await writeDemoUsers(csvNight(k), N, 42, k, CHANGED);
const night = (k) => (values.ndjson ? csvNight(k).replace(/\.csv$/, '.ndjson') : csvNight(k));

/** The same rows as NDJSON, each value a string as the CSV holds it (the mapping converts them alike). */
async function csvToNdjson(from, to) {
  const { CsvRowSplitter } = await import('../dist/stages/1-read/csv-reader.js');
  const splitter = new CsvRowSplitter(demo.source.csv, { file: from });
  const [header, ...rows] = [...splitter.write(readFileSync(from, 'utf8')), ...splitter.end()];
  writeFileSync(to, rows.map((r) => JSON.stringify(Object.fromEntries(header.fields.map((n, i) => [n, r.fields[i]])))).join('\n') + '\n');
}

const demo = parseYaml(readFileSync(join(ROOT, 'pipelines', 'demo-users.yaml'), 'utf8'));
if (values.ndjson) for (const k of [0, 1]) if (!existsSync(night(k))) await csvToNdjson(csvNight(k), night(k));

function pipeline(k, withDelta = true) {
  const file = join(OUT, `night${k}${withDelta ? '' : '-nodelta'}.json`);
  const { delta: _demoDelta, ...base } = demo;
  writeFileSync(
    file,
    JSON.stringify(
      {
        ...base,
        name: 'bench-delta',
        source: values.ndjson ? { path: night(k), format: 'ndjson' } : { ...demo.source, path: night(k) },
        errors: { maxRejects: '5%' },
        batch: { ...demo.batch, size: Number(values.batch) },
        ...(withDelta ? { delta: {} } : {}),
      },
      null,
      2,
    ),
  );
  return file;
}

const emu = spawn(process.execPath, [join(ROOT, 'bench', 'emulator.mjs'), '--latency', values.latency, '--capacity', values.capacity], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: emu.stdout })[Symbol.asyncIterator]();
const info = JSON.parse((await lines.next()).value);
const command = async (c) => {
  emu.stdin.write(c + '\n');
  return JSON.parse((await lines.next()).value);
};

async function run(k, withDelta = true) {
  const runDir = join(OUT, 'runs', `night${k}${withDelta ? '' : '-nodelta'}`);
  rmSync(runDir, { recursive: true, force: true });
  const rssFile = `${runDir}.rss.json`;
  const before = await command('stats');
  const argv = [
    ...(values.prof !== undefined ? ['--cpu-prof', '--cpu-prof-dir', values.prof, '--cpu-prof-name', `night${k}.cpuprofile`] : []),
    '--import',
    join(ROOT, 'bench', 'rss-report.mjs'),
    join(ROOT, 'dist', 'cli', 'main.js'),
    'run',
    pipeline(k, withDelta),
    '--target',
    'propel',
    '--out',
    runDir,
    '--state',
    join(OUT, 'state'),
    '--quiet',
  ];
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      PROPEL_BASE_URL: info.baseUrl,
      PROPEL_TOKEN_URL: info.tokenUrl,
      PROPEL_CLIENT_ID: info.clientId,
      PROPEL_CLIENT_SECRET: info.clientSecret,
      BENCH_RSS_FILE: rssFile,
    },
  });
  const [code] = await once(child, 'exit');
  if (code !== 0 && code !== 1) throw new Error(`night ${k} exited ${code}`);
  if (values.prof !== undefined && !withDelta)
    renameSync(join(values.prof, `night${k}.cpuprofile`), join(values.prof, `night${k}-nodelta.cpuprofile`));
  const s = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  const rss = JSON.parse(readFileSync(rssFile, 'utf8'));
  const after = await command('stats');
  return {
    read: s.counts.read,
    sent: s.counts.sent,
    unchanged: s.counts.unchanged ?? 0,
    wallMs: s.durations.totalMs,
    filterMs: s.durations.deltaFilterCpuMs ?? 0,
    cpuMs: rss.cpuMs,
    maxRssBytes: rss.maxRssBytes,
    requests: s.requests,
    throttled: (after.throttled ?? 0) - (before.throttled ?? 0),
  };
}

const load0 = loadavg();
rmSync(join(OUT, 'state'), { recursive: true, force: true });
await command('reset');
try {
  let plain;
  if (!values['no-baseline']) {
    plain = await run(0, false);
    await command('reset');
    rmSync(join(OUT, 'state'), { recursive: true, force: true });
  }
  const full = await run(0);
  const next = await run(1);
  const load1 = loadavg();
  const f = (x, d = 1) => x.toFixed(d);
  const us = (ms, rows) => f((ms * 1000) / rows);
  console.log(
    `delta bench: ${N.toLocaleString('en-US')} users, ${CHANGED.toLocaleString('en-US')} changed; batches of ${values.batch}, emulator latency ${values.latency} ms, capacity ${values.capacity}; ${new Date().toISOString()}, ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, load ${load0.map((x) => f(x, 2)).join(' ')} -> ${load1.map((x) => f(x, 2)).join(' ')}`,
  );
  for (const [name, r] of [
    ...(plain !== undefined ? [['without delta', plain]] : []),
    ['full (night 0)', full],
    ['1% changed (night 1)', next],
  ]) {
    console.log(
      `  ${name.padEnd(21)} ${f(r.wallMs / 1000).padStart(6)} s wall, sent ${r.sent.toLocaleString('en-US').padStart(9)}, unchanged ${r.unchanged.toLocaleString('en-US').padStart(9)}, ${r.requests} requests, CPU ${us(r.cpuMs, r.read)} µs/row, filter ${us(r.filterMs, r.read)} µs CPU/row, peak RSS ${f(r.maxRssBytes / 2 ** 20, 0)} MB`,
    );
  }
  console.log(
    `  night 1 took ${f((100 * next.wallMs) / full.wallMs)}% of the full run's wall time and ${f((100 * next.cpuMs) / full.cpuMs)}% of its CPU`,
  );
  if (plain !== undefined) console.log(`  night 0 took ${f(full.cpuMs / plain.cpuMs, 2)}x the CPU of the same import without delta`);
  writeFileSync(
    join(OUT, `last-run-batch${values.batch}.json`),
    JSON.stringify(
      {
        n: N,
        changed: CHANGED,
        batch: Number(values.batch),
        latencyMs: Number(values.latency),
        capacity: Number(values.capacity),
        load: [load0, load1],
        ndjson: values.ndjson,
        plain,
        full,
        next,
      },
      null,
      2,
    ),
  );
} finally {
  emu.stdin.end();
  await once(emu, 'exit');
}
