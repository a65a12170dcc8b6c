// What a row costs on the way from the reader to its batch's bytes, alone: a pipeline's input
// read through the run's own source stream and admit gate (map + validate) into the Batcher
// (serialised into the request body), in one process, with no HTTP, sink or state. This is the
// part of a full night that issue 24's row path changes; comparing two builds on it is not
// drowned by the sender's and the emulator's share of a whole run.
// CPU is the process's user + system from the first row to the last, per row read. Round 1
// includes the JIT's warm-up, as a run's one pass does.
//   npm run build && node bench/row-path.mjs PIPELINE.json [--rounds 3] [--root DIR]
// `--root`: the build to measure (its dist/). Compare two builds in alternating processes, never
// in one: loaded side by side they share node_modules (Ajv, fast-csv) and Node's own code, whose
// inline caches then see both, and whichever was loaded second measured 1.5-1.8x slower.
// The last line gives the median over rounds 2 and later.
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    root: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '..') },
  },
});
const pipelineFile = positionals[0];
if (pipelineFile === undefined) {
  process.stderr.write('usage: node bench/row-path.mjs PIPELINE.json [--rounds 3] [--root DIR]\n');
  process.exit(2);
}

async function builds(root) {
  const dist = (p) => import(pathToFileURL(join(resolve(root), 'dist', p)).href);
  const { loadPipeline } = await dist('config/index.js');
  const { openSource, resolveInputs } = await dist('stages/1-read/index.js');
  const { admit } = await dist('stages/2-gate/admit.js');
  const { createPrepareEvent } = await dist('stages/2-gate/prepare-event.js');
  const { compileMapping } = await dist('stages/3-map/compile-mapping.js');
  const { Batcher } = await dist('stages/6-batch/batcher.js');
  const spec = await loadPipeline(resolve(pipelineFile));
  const prepare = createPrepareEvent(compileMapping(spec.mapping), spec.resource);
  return async function round() {
    const inputs = await resolveInputs(spec.source, dirname(resolve(pipelineFile)));
    const batcher = new Batcher({ size: spec.batch.size, maxBytes: 2 * 1024 * 1024, envelopeBytes: 16 });
    let read = 0;
    let items = 0;
    let rejects = 0;
    let bytes = 0;
    const emit = (b) => (bytes += b.bytes);
    const before = process.cpuUsage();
    const source = openSource(inputs, spec.source, { chunked: true });
    for await (const chunk of admit(source, { counts: { admitted: () => read++ }, prepare })) {
      for (const ev of chunk) {
        if (ev.kind !== 'item') rejects++;
        else if (batcher.add(ev, emit) === undefined) items++;
      }
    }
    const last = batcher.flush();
    if (last !== undefined) bytes += last.bytes;
    const used = process.cpuUsage(before);
    return { read, items, rejects, bytes, usPerRow: (used.user + used.system) / read };
  };
}

const roots = [values.root];
const rounds = await Promise.all(roots.map(builds));
console.log(
  `row path: ${pipelineFile}; ${new Date().toISOString()}, ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const figures = roots.map(() => []);
for (let r = 1; r <= Number(values.rounds); r++) {
  for (let b = 0; b < roots.length; b++) {
    const x = await rounds[b]();
    if (r > 1) figures[b].push(x.usPerRow);
    console.log(
      `  round ${r}, ${roots[b]}: ${x.usPerRow.toFixed(2)} µs CPU/row (${x.read.toLocaleString('en-US')} read, ${x.items.toLocaleString('en-US')} batched, ${x.rejects.toLocaleString('en-US')} rejected, ${x.bytes.toLocaleString('en-US')} body bytes)`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (Number(values.rounds) > 1)
  console.log(`  median of rounds 2 and later: ${roots.map((root, b) => `${root} ${median(figures[b]).toFixed(2)} µs/row`).join(', ')}`);
