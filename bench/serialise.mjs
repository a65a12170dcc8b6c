// An item's JSON: V8's JSON.stringify against the serialiser compiled from the mapping's shape
// (src/stages/3-map/item-json.ts), on the items the pipeline's mapping makes of an input's first
// 5,000 records, each written as UTF-8 into a buffer as the batcher does. Checks first that both
// give the same bytes for every item. CPU µs per item, four rounds, in one process.
//   npm run build && node bench/serialise.mjs PIPELINE.json
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipeline } from '../dist/config/index.js';
import { openSource, resolveInputs } from '../dist/stages/1-read/index.js';
import { compileMapping } from '../dist/stages/3-map/compile-mapping.js';

const file = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'out', 'pipelines', 'bench-csv.json');
const spec = await loadPipeline(resolve(file));
const mapping = compileMapping(spec.mapping);
const items = [];
for await (const ev of openSource(await resolveInputs(spec.source, dirname(resolve(file))), spec.source, { limit: 5000 })) {
  if (ev.kind !== 'record') continue;
  const r = mapping(ev.data);
  if (r.ok) items.push(r.item);
}
for (const it of items) if (mapping.json(it) !== JSON.stringify(it)) throw new Error(`not the same JSON: ${JSON.stringify(it)}`);
const buf = Buffer.allocUnsafe(1 << 22);
function usPerItem(serialise) {
  const n = 500_000;
  let at = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    if (at > buf.length - 65536) at = 0;
    at += buf.utf8Write(serialise(items[i % items.length]), at);
  }
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / n).toFixed(3);
}
console.log(
  `serialise: ${file}, ${items.length} items of ~${JSON.stringify(items[0]).length} bytes; ${new Date().toISOString()}, ${cpus()[0]?.model}, Node ${process.version}, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (let r = 1; r <= 4; r++)
  console.log(`  round ${r}: JSON.stringify ${usPerItem(JSON.stringify)} µs/item, compiled ${usPerItem(mapping.json)} µs/item`);
