// Preloaded into a measured child (`node --import ./bench/alloc-report.mjs …`): samples every
// allocation with V8's sampling heap profiler, objects collected by minor and major GCs included,
// and on exit appends `{argv, allocatedBytes, top}` as one line to $BENCH_ALLOC_FILE: what the
// process allocated in all (an estimate, one sample per 4 KB on average) and the functions that
// allocated most. Unlike CPU time, it does not depend on the machine's load. With the bench:
//   BENCH_ALLOC_FILE=/tmp/alloc.ndjson BENCH_PIPELINE_NODE_FLAGS="--import ./bench/alloc-report.mjs" \
//     node bench/run.mjs --n 200000 --sources csv-narrow,csv --no-naive --no-parse --no-adaptive --no-record
// and divide by the rows read (start-up allocates ~10 MB, ~50 B/row at 200k rows).
import { appendFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_ALLOC_FILE;
if (file !== undefined && file !== '') {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.on('exit', () => {
    // A session on the main thread answers synchronously, so this runs to the end inside 'exit'.
    session.post('HeapProfiler.stopSampling', (err, res) => {
      if (err) return;
      const byFunction = new Map();
      let total = 0;
      const walk = (node) => {
        total += node.selfSize;
        if (node.selfSize > 0) {
          const f = node.callFrame;
          const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
          byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
        }
        for (const c of node.children) walk(c);
      };
      walk(res.profile.head);
      const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25);
      appendFileSync(file, JSON.stringify({ argv: process.argv.slice(2), allocatedBytes: total, top }) + '\n');
    });
  });
}
