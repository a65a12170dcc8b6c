// Instructions per row: the real CLI under `valgrind --tool=callgrind`, against bench/emulator.mjs
// in a process of its own (not under valgrind), on the bench's generated inputs. Unlike CPU time,
// an instruction count does not depend on the machine's load, so a change of a few percent shows
// on this shared machine. Each source is run twice, on a file of its first row only (start-up,
// token, one request) and on N rows; instructions per row = (I(N) - I(1)) / (N - 1). (Not
// `--limit 1` on the big file: how much the reader reads ahead before it stops depends on timing.)
// Node runs with --predictable --predictable-gc-schedule (no background threads, a fixed GC
// schedule): without them two runs of one build differ by 1-3%, with them by ~0.1%.
//
//   node bench/instructions.mjs [--n 20000] [--sources csv-narrow,csv] [--repeat 1]
//                               [--cli dist/cli/main.js] [--out bench/out] [--keep] [--node-flags=…]
//
// --cli measures another build (e.g. main's, in a worktree of its own) with this script and inputs.
// --repeat runs each measurement that many times, to see the spread; compare builds beyond it.
// --keep leaves the callgrind files (callgrind.<source>.<n>.<i>.out in OUT/instructions) for
// `callgrind_annotate --inclusive=yes FILE`. Exits 2 when valgrind is not installed.
// Node runs about 50x slower under callgrind: 20k narrow rows take a few minutes.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulatorProcess, targetEnv } from './emulator-process.mjs';
import { ensureInputs, NARROW } from './generate.mjs';
import { pipelineFor } from './pipelines.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    sources: { type: 'string', default: `${NARROW},csv` },
    repeat: { type: 'string', default: '1' },
    cli: { type: 'string', default: join(ROOT, 'dist', 'cli', 'main.js') },
    out: { type: 'string', default: join(ROOT, 'bench', 'out') },
    keep: { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '--predictable --predictable-gc-schedule --random-seed=1' },
  },
});
const say = (s) => process.stdout.write(s + '\n');

const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
if (probe.error !== undefined || probe.status !== 0) {
  process.stderr.write('valgrind is not installed (apt-get install valgrind): instructions cannot be counted here\n');
  process.exit(2);
}

const N = Number(args.n);
const REPEAT = Number(args.repeat);
const OUT = resolve(args.out);
const CLI = resolve(args.cli);
const DIR = join(OUT, 'instructions');
const NODE_FLAGS = args['node-flags'].split(/\s+/).filter(Boolean);
const sources = args.sources.split(',').filter((s) => s !== '');
// Formats whose first record is the first line (after a header): a one-row copy is a prefix of the file.
const LINE_FORMATS = { csv: 2, [NARROW]: 2, ndjson: 1 };
for (const s of sources)
  if (LINE_FORMATS[s] === undefined) throw new Error(`source ${s} not supported here; one of ${Object.keys(LINE_FORMATS).join(', ')}`);
mkdirSync(DIR, { recursive: true });

/** Total instructions of one CLI run under callgrind (all threads), from the file's `totals:` line. */
async function count(emu, pipeline, source, rows, i) {
  await emu.command('reset');
  const runDir = join(DIR, 'run');
  rmSync(runDir, { recursive: true, force: true });
  const outFile = join(DIR, `callgrind.${source}.${rows}.${i}.out`);
  const argv = [
    '--tool=callgrind',
    `--callgrind-out-file=${outFile}`,
    process.execPath,
    ...NODE_FLAGS,
    CLI,
    'run',
    pipeline,
    '--target',
    'propel',
    '--out',
    runDir,
    '--fresh',
    '--quiet',
  ];
  const child = spawn('valgrind', argv, { cwd: ROOT, env: { ...process.env, ...targetEnv(emu) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  // Exit 1 is "completed with rejects": the demo data is broken on purpose in 1 row of 200.
  if (code !== 0 && code !== 1) throw new Error(`the CLI exited ${code} under valgrind: ${stderr.slice(-2000)}`);
  const m = /^(?:totals|summary): (\d+)/m.exec(readFileSync(outFile, 'utf8'));
  if (m === null) throw new Error(`no totals in ${outFile}`);
  if (!args.keep) rmSync(outFile);
  return Number(m[1]);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
say(
  `callgrind on ${CLI}, ${N.toLocaleString('en-US')} rows, node ${process.version}, ${cpus()[0]?.model ?? '?'}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const inputs = await ensureInputs(join(OUT, 'data'), N, say);
const emu = await startEmulatorProcess();
try {
  for (const source of sources) {
    const path = inputs[source].path;
    const onePath = join(DIR, `first-row.${basename(path)}`);
    writeFileSync(onePath, readFileSync(path, 'utf8').split('\n').slice(0, LINE_FORMATS[source]).join('\n') + '\n');
    const one = pipelineFor(join(DIR, 'one'), source, onePath);
    const pipeline = pipelineFor(OUT, source, path);
    const base = [];
    const full = [];
    for (let i = 0; i < REPEAT; i++) {
      base.push(await count(emu, one, source, 1, i));
      full.push(await count(emu, pipeline, source, N, i));
    }
    const perRow = full.map((f, i) => (f - base[i]) / (N - 1));
    const spread = perRow.length > 1 ? ` (runs: ${perRow.map(fmt).join(', ')})` : '';
    say(
      `${source.padEnd(10)} ${fmt(perRow.reduce((a, b) => a + b, 0) / perRow.length)} instructions/row${spread}; 1 row ${base.map(fmt).join(', ')}, ${N} rows ${full.map(fmt).join(', ')}`,
    );
  }
} finally {
  await emu.stop();
}
