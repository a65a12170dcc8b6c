// One NDJSON line of N MB (the cap raised past it), read by the pipeline's reader alone: reading
// must be linear in the line's length (issue 25: a 50 MB line took 55 s and 406 MB before).
// Prints { mb, rows, ms, cpuMs, maxRssBytes } as JSON.
//   node bench/long-line.mjs [MB]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource, resolveInputs } from '../dist/stages/1-read/index.js';

const mb = Number(process.argv[2] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'long-line-'));
const file = join(dir, 'long.ndjson');
writeFileSync(file, `{"id":"A"}\n{"id":"B","note":"${'x'.repeat(mb * 1024 * 1024)}"}\n{"id":"C"}\n`);
const spec = { path: file, format: 'ndjson', maxRecordSize: (mb + 1) * 1024 * 1024 };
const started = performance.now();
let rows = 0;
for await (const ev of openSource(await resolveInputs(spec, dir), spec)) if (ev.kind === 'record') rows++;
const usage = process.resourceUsage();
process.stdout.write(
  JSON.stringify({
    mb,
    rows,
    ms: Math.round(performance.now() - started),
    cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    maxRssBytes: usage.maxRSS * 1024,
  }) + '\n',
);
