// Delta sync, end to end: the real CLI against the emulator in its own process (latency 50 ms,
// capacity 4), the demo's users pipeline with `delta: {}`. Night 0 sends everything into an
// empty store and state; night 1 is the same export with 1% of the rows changed (seeded), and
// sends only those. Prints wall time, the night's share of the full run's, CPU µs per row (user
// + system of the CLI process) and the filter's own time per row (summary.json durations.deltaFilterCpuMs).
//   npm run build && node bench/delta.mjs [--n 200000] [--changed 0.01] [--latency 50] [--capacity 4] [--batch 500] [--out bench/out/delta]
// With the demo's batches of 500 the emulator takes 4 x 500 items per 50 ms, more than the client's
// CPU can feed it, so the full run is bound by the client's CPU; --batch 100 (8,000 items/s) is
// closer to an API that answers a few thousand items a second.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  },
});
const OUT = values.out;
const N = Number(values.n);
const CHANGED = Math.round(N * Number(values.changed));
mkdirSync(join(OUT, 'data'), { recursive: true });

const night = (k) => join(OUT, 'data', `users-${N}-${CHANGED}-night${k}.csv`);
for (const k of [0, 1]) if (!existsSync(night(k))) await writeDemoUsers(night(k), N, 42, k, CHANGED);

const demo = parseYaml(readFileSync(join(ROOT, 'pipelines', 'demo-users.yaml'), 'utf8'));
function pipeline(k) {
  const file = join(OUT, `night${k}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        ...demo,
        name: 'bench-delta',
        source: { ...demo.source, path: night(k) },
        errors: { maxRejects: '5%' },
        batch: { ...demo.batch, size: Number(values.batch) },
        delta: {},
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

async function run(k) {
  const runDir = join(OUT, 'runs', `night${k}`);
  rmSync(runDir, { recursive: true, force: true });
  const rssFile = `${runDir}.rss.json`;
  const before = await command('stats');
  const argv = [
    '--import',
    join(ROOT, 'bench', 'rss-report.mjs'),
    join(ROOT, 'dist', 'cli', 'main.js'),
    'run',
    pipeline(k),
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
  const s = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  const rss = JSON.parse(readFileSync(rssFile, 'utf8'));
  const after = await command('stats');
  return {
    read: s.counts.read,
    sent: s.counts.sent,
    unchanged: s.counts.unchanged,
    wallMs: s.durations.totalMs,
    filterMs: s.durations.deltaFilterCpuMs,
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
  const full = await run(0);
  const next = await run(1);
  const load1 = loadavg();
  const f = (x, d = 1) => x.toFixed(d);
  const us = (ms, rows) => f((ms * 1000) / rows);
  console.log(
    `delta bench: ${N.toLocaleString('en-US')} users, ${CHANGED.toLocaleString('en-US')} changed; batches of ${values.batch}, emulator latency ${values.latency} ms, capacity ${values.capacity}; ${new Date().toISOString()}, ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, load ${load0.map((x) => f(x, 2)).join(' ')} -> ${load1.map((x) => f(x, 2)).join(' ')}`,
  );
  for (const [name, r] of [
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
