// Reference: the pipeline's own reader drained alone (no mapping, validation or sending), i.e. the
// ceiling the source format puts on a run. Prints { rows, ms, maxRssBytes, cpuMs } as JSON.
//   node bench/parse-only.mjs PIPELINE_FILE
import { dirname } from 'node:path';
import { loadPipeline } from '../dist/config/index.js';
import { openSource, resolveInputs } from '../dist/stages/1-read/index.js';

const spec = await loadPipeline(process.argv[2]);
const inputs = await resolveInputs(spec.source, dirname(spec.file));
const started = performance.now();
let rows = 0;
for await (const ev of openSource(inputs, spec.source)) if (ev.kind === 'record') rows++;
const ms = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    rows,
    ms,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
  }) + '\n',
);
