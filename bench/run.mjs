// `npm run bench`: the whole pipeline (reader -> map -> validate -> batch -> send -> results,
// rejects and journal) on N demo users per source format, against the emulator in a process of
// its own; next to each figure, in the same run and on the same file, the reader alone (the
// format's ceiling) and a naive chain (bench/naive.mjs). Then `send.concurrency: auto` against
// an emulator with a fixed capacity and latency. Every measured program runs in a child
// process, so peak RSS is its own.
//
//   node bench/run.mjs [--n 1000000] [--sources csv,csv-narrow,csv.gz,zip,ndjson,json,parquet] [--no-naive]
//                      [--no-parse] [--no-adaptive] [--scale] [--no-record] [--out bench/out]
//                      [--container-mb 512]
//
// csv-narrow is the same users as a 5-column CSV (code,first,last,email,city): there the costs per
// item after validation weigh most, next to the demo's wide rows where parsing does. CPU time per
// row (user + sys) is the headline: wall time on a shared machine mostly measures the load.
// --scale also runs the CSV pipeline at 100k and 3M rows and compares their peak RSS.
// --container-mb runs each pipeline child in a memory cgroup of that size, as in a container:
// Node sizes its heap from the cgroup's limit (needs root and a cgroup v1 memory hierarchy or
// cgroup v2 with the memory controller; see bench/memory-cgroup.mjs).
// Unless --no-record, the results replace the generated block of bench/LOG.md (the dated log; BENCHMARKS.md
// holds the targets' current figures, updated by hand from it).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureInputs, FORMATS, NARROW } from './generate.mjs';
import { pipelineFor as pipelineForIn } from './pipelines.mjs';
import { startEmulatorProcess, targetEnv } from './emulator-process.mjs';
import { memoryCgroup } from './memory-cgroup.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    sources: { type: 'string', default: ['csv', NARROW, ...FORMATS.slice(1)].join(',') },
    'no-naive': { type: 'boolean', default: false },
    'no-parse': { type: 'boolean', default: false },
    'no-adaptive': { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench', 'out') },
    'adaptive-rows': { type: 'string', default: '60000' },
    'container-mb': { type: 'string' },
  },
});
const N = Number(args.n);
const OUT = resolve(args.out);
const sources = args.sources.split(',').filter((s) => s !== '');
const KNOWN = [...FORMATS, NARROW];
for (const s of sources) if (!KNOWN.includes(s)) throw new Error(`unknown source ${s}; known: ${KNOWN.join(', ')}`);
const say = (s) => process.stdout.write(s + '\n');

// ---- machine ---------------------------------------------------------------------------------
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  node: process.version,
  date: new Date().toISOString(),
  loadAvgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
};
say(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; node ${machine.node}; ${machine.date}; load ${machine.loadAvgAtStart.join(' ')}`,
);

// ---- children ----------------------------------------------------------------------------------
/** Runs a node child and resolves with its stdout, exit code and wall time. */
async function runChild(argv, env = {}, command = process.execPath) {
  const started = performance.now();
  const child = spawn(command, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr, wallMs: performance.now() - started };
}

// ---- pipelines ---------------------------------------------------------------------------------
const pipelineFor = (format, path, overrides = {}) => pipelineForIn(OUT, format, path, overrides);

/** Node flags for the pipeline's process only (e.g. heap limits), to measure their effect: BENCH_PIPELINE_NODE_FLAGS="--max-old-space-size=64". */
const PIPELINE_NODE_FLAGS = (process.env.BENCH_PIPELINE_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

const container = args['container-mb'] !== undefined ? memoryCgroup(Number(args['container-mb'])) : undefined;
if (container !== undefined) {
  say(`pipelines run in a memory cgroup of ${args['container-mb']} MB (${container.dir})`);
  process.on('exit', () => container.remove());
}

/** The real CLI, in a child, with the peak-RSS reporter preloaded. */
async function runPipelineChild(emu, pipelineFile, runDir, extraArgs = []) {
  await emu.command('reset');
  rmSync(runDir, { recursive: true, force: true });
  const rssFile = `${runDir}.rss.json`;
  const emuBefore = await emu.command('stats');
  const argv = [
    ...PIPELINE_NODE_FLAGS,
    '--import',
    join(ROOT, 'bench', 'rss-report.mjs'),
    join(ROOT, 'dist', 'cli', 'main.js'),
    'run',
    pipelineFile,
    '--target',
    'propel',
    '--out',
    runDir,
    '--fresh',
    '--quiet',
    ...extraArgs,
  ];
  const env = { ...targetEnv(emu), BENCH_RSS_FILE: rssFile };
  const r = container !== undefined ? await runChild(container.argv(process.execPath, argv), env, '/bin/sh') : await runChild(argv, env);
  // Exit 1 is "completed with rejects": the demo data is broken on purpose in 1 row of 200.
  if (r.code !== 0 && r.code !== 1) throw new Error(`pipeline ${pipelineFile} exited ${r.code}: ${r.stderr}`);
  if (!existsSync(join(runDir, 'summary.json')))
    throw new Error(`pipeline ${pipelineFile} exited ${r.code} without a summary: ${r.stderr}`);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  const rss = JSON.parse(readFileSync(rssFile, 'utf8'));
  const emuStats = await emu.command('stats');
  return {
    rows: summary.counts.read,
    ms: summary.durations.totalMs,
    rowsPerSec: Math.round((summary.counts.read * 1000) / summary.durations.totalMs),
    maxRssBytes: rss.maxRssBytes,
    cpuMs: Math.round(rss.cpuMs),
    created: summary.counts.created,
    rejected: summary.counts.rejected,
    requests: emuStats.requests,
    throttled: emuStats.throttled,
    // The API's stand-in shares this machine's cores: its CPU per row bounds what any client reaches here.
    emulatorCpuMs: Math.round(emuStats.cpuMs - emuBefore.cpuMs),
  };
}

async function parseOnly(pipelineFile) {
  const r = await runChild([join(ROOT, 'bench', 'parse-only.mjs'), pipelineFile]);
  if (r.code !== 0) throw new Error(`parse-only failed: ${r.stderr}`);
  const o = JSON.parse(r.stdout);
  return {
    rows: o.rows,
    ms: Math.round(o.ms),
    rowsPerSec: Math.round((o.rows * 1000) / o.ms),
    maxRssBytes: o.maxRssBytes,
    cpuMs: Math.round(o.cpuMs),
  };
}

async function naive(emu, format, path) {
  await emu.command('reset');
  const r = await runChild([join(ROOT, 'bench', 'naive.mjs'), format, path, emu.baseUrl, emu.tokenUrl, emu.clientId], {
    BENCH_SECRET: emu.clientSecret,
  });
  if (r.code !== 0) throw new Error(`naive chain failed: ${r.stderr}`);
  const o = JSON.parse(r.stdout);
  return {
    rows: o.rows,
    sent: o.sent,
    ms: Math.round(o.ms),
    rowsPerSec: Math.round((o.rows * 1000) / o.ms),
    maxRssBytes: o.maxRssBytes,
    cpuMs: Math.round(o.cpuMs),
  };
}

const mb = (b) => `${(b / 1024 ** 2).toFixed(0)} MB`;
const num = (n) => n.toLocaleString('en-US');
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
// CPU time per row is what a loaded machine distorts least (wall time includes waiting for a core).
const usPerRow = (f) => (f.rows > 0 ? `${((f.cpuMs * 1000) / f.rows).toFixed(1)} µs` : '–');
const emuUsPerRow = (p) => (p.rows > 0 ? `${Math.round((p.emulatorCpuMs * 1000) / p.rows)} µs` : '–');
/**
 * What this machine allows whatever the client does: the pipeline and the emulator together
 * cannot use more than every core, and the emulator (one thread) not more than one.
 */
function ceilings(p) {
  const cores = machine.cores;
  const both = p.cpuMs + p.emulatorCpuMs;
  return {
    machine: both > 0 ? Math.round((cores * p.rows * 1000) / both) : 0,
    emulator: p.emulatorCpuMs > 0 ? Math.round((p.rows * 1000) / p.emulatorCpuMs) : 0,
    client: p.cpuMs > 0 ? Math.round((p.rows * 1000) / p.cpuMs) : 0,
  };
}

// ---- the run -----------------------------------------------------------------------------------
say(`inputs: ${num(N)} demo users per format in ${join(OUT, 'data')}`);
const inputs = await ensureInputs(join(OUT, 'data'), N, say);
const emu = await startEmulatorProcess();
const results = {
  machine,
  n: N,
  containerMb: args['container-mb'] !== undefined ? Number(args['container-mb']) : undefined,
  sources: {},
  adaptive: undefined,
  scale: undefined,
};
try {
  for (const format of sources) {
    const { path, bytes } = inputs[format];
    const file = pipelineFor(format, path);
    const row = { bytes };
    if (!args['no-parse']) row.parse = await parseOnly(file);
    row.pipeline = await runPipelineChild(emu, file, join(OUT, 'runs', format));
    if (!args['no-naive']) row.naive = await naive(emu, format, path);
    results.sources[format] = row;
    const p = row.pipeline;
    row.ceilings = ceilings(p);
    say(
      `${format.padEnd(7)} pipeline ${num(p.rowsPerSec).padStart(8)} rows/s, peak RSS ${mb(p.maxRssBytes).padStart(7)}, CPU ${usPerRow(p)}/row` +
        (row.parse
          ? ` | reader alone ${num(row.parse.rowsPerSec).padStart(8)} rows/s, ${usPerRow(row.parse)}/row (pipeline at ${ratio(p.rowsPerSec, row.parse.rowsPerSec)})`
          : '') +
        (row.naive
          ? ` | naive ${num(row.naive.rowsPerSec).padStart(7)} rows/s, ${mb(row.naive.maxRssBytes)}, ${usPerRow(row.naive)}/row (pipeline ${ratio(p.rowsPerSec, row.naive.rowsPerSec)}; CPU per row ${ratio(p.cpuMs / p.rows, row.naive.cpuMs / row.naive.rows)} the naive chain's)`
          : ''),
    );
    say(
      `${''.padEnd(7)} emulator ${emuUsPerRow(p)}/row: this machine's ceiling ${num(row.ceilings.machine)} rows/s (${machine.cores} cores / pipeline + emulator CPU), ` +
        `the emulator's own ${num(row.ceilings.emulator)} rows/s (one thread); the pipeline's CPU alone allows ${num(row.ceilings.client)} rows/s per core`,
    );
  }
} finally {
  await emu.stop();
}

// ---- send.concurrency: auto against a capacity -------------------------------------------------
if (!args['no-adaptive']) {
  const capacity = 6;
  const latencyMs = 100;
  const batchSize = 100;
  const rows = Math.min(N, Number(args['adaptive-rows']));
  const capped = await startEmulatorProcess(['--capacity', String(capacity), '--latency', String(latencyMs)]);
  try {
    const { path } = inputs.ndjson;
    const fixed = await runPipelineChild(
      capped,
      pipelineFor('ndjson', path, { name: 'bench-fixed', batch: { size: batchSize }, send: { concurrency: capacity } }),
      join(OUT, 'runs', 'fixed'),
      ['--limit', String(rows)],
    );
    const auto = await runPipelineChild(
      capped,
      pipelineFor('ndjson', path, { name: 'bench-auto', batch: { size: batchSize }, send: { concurrency: 'auto' } }),
      join(OUT, 'runs', 'auto'),
      ['--limit', String(rows)],
    );
    const ideal = Math.round((capacity * batchSize * 1000) / latencyMs);
    results.adaptive = { capacity, latencyMs, batchSize, rows, idealRowsPerSec: ideal, fixed, auto };
    say(
      `auto    capacity ${capacity} x ${latencyMs} ms, batches of ${batchSize} (at most ${num(ideal)} rows/s): ` +
        `fixed concurrency ${capacity} ${num(fixed.rowsPerSec)} rows/s; auto ${num(auto.rowsPerSec)} rows/s = ${((100 * auto.rowsPerSec) / fixed.rowsPerSec).toFixed(1)}% of it, ` +
        `${auto.throttled} of ${auto.requests} requests answered 429 (${((100 * auto.throttled) / Math.max(1, auto.requests)).toFixed(2)}%)`,
    );
  } finally {
    await capped.stop();
  }
}

// ---- memory against input size -----------------------------------------------------------------
if (args.scale) {
  const small = await ensureInputs(join(OUT, 'data'), 100_000, say);
  const big = await ensureInputs(join(OUT, 'data'), 3_000_000, say);
  const e = await startEmulatorProcess();
  try {
    const a = await runPipelineChild(e, pipelineFor('csv', small.csv.path, { name: 'bench-scale-100k' }), join(OUT, 'runs', 'scale-100k'));
    const b = await runPipelineChild(e, pipelineFor('csv', big.csv.path, { name: 'bench-scale-3m' }), join(OUT, 'runs', 'scale-3m'));
    results.scale = { small: a, big: b };
    say(`scale   CSV peak RSS at 100k rows ${mb(a.maxRssBytes)}, at 3M rows ${mb(b.maxRssBytes)} (${ratio(b.maxRssBytes, a.maxRssBytes)})`);
  } finally {
    await e.stop();
  }
}

// ---- targets and the record --------------------------------------------------------------------
const checks = [];
const check = (name, ok, figure) => checks.push({ name, ok, figure });
const csv = results.sources.csv;
for (const format of ['csv', NARROW]) {
  const s = results.sources[format];
  if (s?.naive)
    check(
      `${format}: CPU per row ≤ 0.67× the naive chain's`,
      s.pipeline.cpuMs / s.pipeline.rows <= (0.67 * s.naive.cpuMs) / s.naive.rows,
      `${usPerRow(s.pipeline)} vs ${usPerRow(s.naive)}: ${ratio(s.pipeline.cpuMs / s.pipeline.rows, s.naive.cpuMs / s.naive.rows)}`,
    );
}
if (csv?.naive)
  check(
    'CSV end to end ≥ 1.5× the naive chain',
    csv.pipeline.rowsPerSec >= 1.5 * csv.naive.rowsPerSec,
    ratio(csv.pipeline.rowsPerSec, csv.naive.rowsPerSec),
  );
const withCeiling = (s) =>
  `${num(s.pipeline.rowsPerSec)} rows/s (this machine's ceiling with the emulator on it: ${num(s.ceilings.machine)})`;
if (results.sources.ndjson)
  check('NDJSON ≥ 150,000 rows/s', results.sources.ndjson.pipeline.rowsPerSec >= 150_000, withCeiling(results.sources.ndjson));
if (results.sources.json)
  check('JSON document ≥ 40,000 rows/s', results.sources.json.pipeline.rowsPerSec >= 40_000, withCeiling(results.sources.json));
if (N >= 1_000_000 && Object.keys(results.sources).length > 0) {
  const worst = Math.max(...Object.values(results.sources).map((s) => s.pipeline.maxRssBytes));
  check(`peak RSS ≤ 150 MB at ${num(N)} rows (worst source)`, worst <= 150 * 1024 ** 2, mb(worst));
}
const pq = results.sources.parquet;
if (pq && csv)
  check(
    'Parquet peak RSS within 1.2× of CSV',
    pq.pipeline.maxRssBytes <= 1.2 * csv.pipeline.maxRssBytes,
    ratio(pq.pipeline.maxRssBytes, csv.pipeline.maxRssBytes),
  );
if (results.scale)
  check(
    'RSS at 3M rows within 1.3× of 100k',
    results.scale.big.maxRssBytes <= 1.3 * results.scale.small.maxRssBytes,
    ratio(results.scale.big.maxRssBytes, results.scale.small.maxRssBytes),
  );
if (results.adaptive) {
  const a = results.adaptive;
  check(
    'auto: ≥ 90% of the capacity’s throughput',
    a.auto.rowsPerSec >= 0.9 * a.fixed.rowsPerSec,
    `${((100 * a.auto.rowsPerSec) / a.fixed.rowsPerSec).toFixed(1)}%`,
  );
  check(
    'auto: < 1% of requests answered 429',
    a.auto.throttled < 0.01 * a.auto.requests,
    `${((100 * a.auto.throttled) / Math.max(1, a.auto.requests)).toFixed(2)}%`,
  );
}
results.checks = checks;
machine.loadAvgAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
for (const c of checks) say(`${c.ok ? 'MET ' : 'GAP '} ${c.name}: ${c.figure}`);

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'last-run.json'), JSON.stringify(results, null, 2) + '\n');
if (!args['no-record']) {
  const file = join(ROOT, 'bench', 'LOG.md');
  const BEGIN = '<!-- bench:begin (written by npm run bench; edits inside are replaced) -->';
  const END = '<!-- bench:end -->';
  const block = `${BEGIN}\n${markdown(results)}\n${END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  writeFileSync(file, a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text}\n${block}\n`);
  say(`recorded in ${file}`);
}

function markdown(r) {
  const m = r.machine;
  const lines = [
    `Latest \`npm run bench -- --n ${r.n}${r.scale ? ' --scale' : ''}${r.containerMb !== undefined ? ` --container-mb ${r.containerMb}` : ''}\`${PIPELINE_NODE_FLAGS.length > 0 ? ` with BENCH_PIPELINE_NODE_FLAGS="${PIPELINE_NODE_FLAGS.join(' ')}"` : ''}: ${m.date}, ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, load average ${m.loadAvgAtStart.join(' ')} at start and ${m.loadAvgAtEnd.join(' ')} at end.`,
    '',
    '| source | input | pipeline CPU/row | naive CPU/row | pipeline / naive (CPU/row) | pipeline rows/s | peak RSS | reader alone rows/s | CPU/row | pipeline / reader | naive rows/s | naive RSS | pipeline / naive (rows/s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [format, s] of Object.entries(r.sources)) {
    lines.push(
      `| ${format} | ${mb(s.bytes)} | ${usPerRow(s.pipeline)} | ${s.naive ? usPerRow(s.naive) : '–'} | ${s.naive ? ratio(s.pipeline.cpuMs / s.pipeline.rows, s.naive.cpuMs / s.naive.rows) : '–'} | ${num(s.pipeline.rowsPerSec)} | ${mb(s.pipeline.maxRssBytes)} | ${s.parse ? num(s.parse.rowsPerSec) : '–'} | ${s.parse ? usPerRow(s.parse) : '–'} | ${s.parse ? ratio(s.pipeline.rowsPerSec, s.parse.rowsPerSec) : '–'} | ${s.naive ? num(s.naive.rowsPerSec) : '–'} | ${s.naive ? mb(s.naive.maxRssBytes) : '–'} | ${s.naive ? ratio(s.pipeline.rowsPerSec, s.naive.rowsPerSec) : '–'} |`,
    );
  }
  lines.push(
    '',
    '| source | emulator CPU/row | machine ceiling rows/s (cores / pipeline + emulator CPU per row) | emulator ceiling rows/s (one thread) | pipeline CPU alone, rows/s per core |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(r.sources).map(
      ([format, s]) =>
        `| ${format} | ${emuUsPerRow(s.pipeline)} | ${num(s.ceilings.machine)} | ${num(s.ceilings.emulator)} | ${num(s.ceilings.client)} |`,
    ),
  );
  if (r.adaptive) {
    const a = r.adaptive;
    lines.push(
      '',
      `\`send.concurrency: auto\` against an emulator taking ${a.capacity} requests at once, ${a.latencyMs} ms each, ${num(a.rows)} rows in batches of ${a.batchSize}: fixed concurrency ${a.capacity} (the capacity's throughput) ${num(a.fixed.rowsPerSec)} rows/s; auto ${num(a.auto.rowsPerSec)} rows/s (${((100 * a.auto.rowsPerSec) / a.fixed.rowsPerSec).toFixed(1)}%), ${a.auto.throttled} of ${a.auto.requests} requests answered 429 (${((100 * a.auto.throttled) / Math.max(1, a.auto.requests)).toFixed(2)}%).`,
    );
  }
  if (r.scale)
    lines.push(
      '',
      `Peak RSS of the CSV pipeline: ${mb(r.scale.small.maxRssBytes)} at 100k rows, ${mb(r.scale.big.maxRssBytes)} at 3M rows (${ratio(r.scale.big.maxRssBytes, r.scale.small.maxRssBytes)}).`,
    );
  lines.push('', ...r.checks.map((c) => `- ${c.ok ? '**met**' : '**gap**'}: ${c.name} — ${c.figure}`));
  return lines.join('\n');
}
