// Does a worker thread pay (issue 17, item 3)? The project's own stage functions from dist/, wired
// two ways on the same input, against bench/emulator.mjs in a process of its own:
//
//   one    read -> map + validate (admit) -> batch bytes (Batcher) -> send (BulkClient, send
//          stream) -> result sink (results.ndjson, rejects.ndjson), all on the main thread: the
//          product's wiring (src/run/build-stages.ts) without first look, delta and probe.
//   split  a worker_threads Worker runs read -> admit -> Batcher and posts each closed batch: its
//          bytes and item ends as transferred ArrayBuffers, and per item what the sending side
//          needs to match the answer and write the result or reject line (provenance, the gate's
//          key, the lookup value sent, the source row for an API reject), structured-cloned.
//          Rejects of map/validate travel with the next batch. The main thread sends with the
//          same send stream and writes with the same sink. The worker stops reading while
//          --window batches are unacknowledged (acknowledged when the send stage takes one).
//   lean   as split, but provenance crosses as typed arrays and the keys as string arrays, no
//          source rows (an API reject would have to fetch its row from the worker: not built).
//          An upper bound for what any split wiring could save on the message passing.
//   one-lean  one thread, each closed batch's records cut down to what lean carries: tells the
//          cost of holding whole records in flight apart from the thread split (not by default).
//
// Each wiring runs in a child process of its own (CPU user + sys of all its threads from
// process.cpuUsage(), peak RSS from process.resourceUsage()); wirings alternate within a round,
// and each round prints the load average. The emulator's CPU per run comes from its `stats`.
// CPU is also split by thread (Linux, /proc/self/task): the main thread, the busiest other (the
// worker) and the rest (V8's GC helpers, libuv). From those, two ceilings that the load does not
// move: "quiet bound", what a 2-core machine with only this client and the emulator on it allows
// (no thread above one core, both processes not above every core), and "client alone", the same
// without the emulator (an API elsewhere that answers as fast as it is asked).
//
//   npm run build && node bench/worker-split.mjs [--n 200000] [--sources csv,csv-narrow]
//       [--wirings one,split,lean] [--rounds 3] [--emulators local,remote] [--latency 50]
//       [--capacity 8] [--concurrency 4] [--window 4] [--profile] [--v8-heap] [--out bench/out]
//
//   --wirings    any of one, split, lean, one-lean (above), run in this order and reversed in
//                every other round.
//   --emulators  local: the emulator as bench/run.mjs starts it (no latency); remote: with
//                --latency MS per request and at most --capacity requests at once, a stand-in for
//                a remote API where the client's CPU is not the bound.
//   --window     batches the worker may have posted and not yet seen taken (split, lean).
//   --profile    also one `node --cpu-prof` run of the `one` wiring per source (local emulator),
//                and the share of the main thread's samples spent reading, mapping, validating
//                and serialising: what a worker could take off the main thread at most.
//   --v8-heap    leave V8's heap growth as it is; by default each child bounds it as the CLI does
//                (src/cli/heap-growth.ts, --heap-growing-percent=100).
//   --out        inputs in OUT/data (generated once per N, as bench/run.mjs does), runs in
//                OUT/worker-split/, the figures in OUT/worker-split/last-run.json.
// Batches of 500 (the demo pipeline's). Every child checks that its files hold one result line
// per item answered and one reject line per reject, so both wirings are known to do the same work.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(ROOT, 'dist', p));

/** What both threads load: the pipeline file compiled as a run compiles it (src/run/open-run.ts). */
async function setup(pipelineFile) {
  const [{ loadPipeline }, { RESOURCES }, { requestEnvelope }, { compileMapping }, { resolveInputs }] = await Promise.all([
    dist('config/index.js'),
    dist('core/resource.js'),
    dist('core/request-body.js'),
    dist('mapping/compile-mapping.js'),
    dist('sources/index.js'),
  ]);
  const spec = await loadPipeline(pipelineFile);
  const resource = RESOURCES[spec.resource];
  const mapping = compileMapping(spec.mapping);
  const inputs = await resolveInputs(spec.source, dirname(spec.file), { columns: mapping.sources });
  const envelope = requestEnvelope(resource, []);
  return { spec, resource, mapping, inputs, batch: { size: spec.batch.size, maxBytes: spec.batch.maxBytes, envelopeBytes: envelope.bytes } };
}

/** The reader and the admit gate (map + validate) as build-stages.ts makes them. */
async function openGate(s, counts) {
  const [{ openSource }, { admit }, { createPrepareEvent }] = await Promise.all([dist('sources/index.js'), dist('run/admit.js'), dist('run/prepare-event.js')]);
  const source = openSource(s.inputs, s.spec.source, { deferFailure: true, chunked: true, columns: s.mapping.sources });
  return admit(source, { counts, prepare: createPrepareEvent(s.mapping, s.spec.resource) });
}

// ---- the worker: read -> admit -> Batcher, batches posted -------------------------------------
if (!isMainThread) {
  const { pipelineFile, window, lean } = workerData;
  const s = await setup(pipelineFile);
  const { Batcher } = await dist('batch/batcher.js');
  const counts = { read: 0, admitted() { this.read++; } };
  const batcher = new Batcher(s.batch);
  const lookup = s.resource.lookupKey;
  // Set up before the measured window, as a product would start its worker while it fetches a token.
  const gate = await openGate(s, counts);
  let go;
  const started = new Promise((r) => (go = r));
  let unacked = 0;
  let wake;
  parentPort.on('message', (m) => {
    if (m === 'go') return go();
    unacked--;
    wake?.();
    wake = undefined;
  });
  parentPort.postMessage({ ready: true });
  await started;
  let rejects = [];
  const post = async (b) => {
    while (unacked >= window) await new Promise((r) => (wake = r));
    unacked++;
    const p0 = performance.now();
    const { buf, ends } = b.items;
    const length = b.items.length;
    // A pooled Buffer shares its ArrayBuffer with others: only a buffer of its own is handed over.
    const body = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + length);
    const endsArr = Uint32Array.from(ends);
    const msg = { seq: b.seq, bytes: b.bytes, body, length, ends: endsArr, rejects, ...(lean ? leanRecords(b.records, lookup) : { records: b.records.map((r) => ({ prov: r.prov, key: r.key, sent: r.item[lookup], source: r.source })) }) };
    rejects = [];
    parentPort.postMessage(msg, [body, endsArr.buffer]);
    postMs += performance.now() - p0;
  };
  // Synchronous time spent making and posting messages: the sending half of the crossing's cost.
  let postMs = 0;
  const ready = [];
  const emit = (b) => ready.push(b);
  for await (const chunk of gate) {
    for (const ev of chunk) {
      if (ev.kind === 'reject') rejects.push(ev);
      else {
        const tooBig = batcher.add(ev, emit);
        if (tooBig !== undefined) rejects.push(tooBig);
      }
    }
    // Posted after add() returned: the batcher may still copy from a batch's buffer while it closes it.
    for (const b of ready) await post(b);
    ready.length = 0;
  }
  const last = batcher.flush();
  if (last !== undefined) await post(last);
  // The thread stays until the main thread has read its CPU time and terminates it.
  parentPort.postMessage({ end: true, read: counts.read, rejects, postMs });
}

/** Provenance as typed arrays and one file name per batch (or per item where a batch spans files). */
function leanRecords(records, lookup) {
  const n = records.length;
  const seqs = new Float64Array(n);
  const lines = new Float64Array(n);
  const keys = new Array(n);
  const sent = new Array(n);
  const file = records[0].prov.file;
  let files;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    seqs[i] = r.prov.seq;
    lines[i] = r.prov.line;
    keys[i] = r.key;
    sent[i] = r.item[lookup];
    if (r.prov.file !== file || r.prov.entry !== undefined) files ??= records.map((x) => x.prov);
  }
  return { lean: { seqs, lines, keys, sent, file, files } };
}

// ---- a child: one wiring, one run --------------------------------------------------------------
async function child(opts) {
  // As the CLI does (src/cli/heap-growth.ts): V8 flags are the process's, so the worker's heap grows the same way.
  if (!opts.v8Heap) (await dist('cli/heap-growth.js')).limitHeapGrowth();
  const s = await setup(opts.pipeline);
  const [{ connectTarget }, { createBatchStream }, { ItemBytes }, { createSendStream }, { createResultSink }, { PrivateFile }, { RunCounts }] = await Promise.all([
    dist('run/connect-target.js'),
    dist('batch/batch-stream.js'),
    dist('batch/item-bytes.js'),
    dist('send/send-stream.js'),
    dist('sink/result-sink.js'),
    dist('sink/private-file.js'),
    dist('outcomes/index.js'),
  ]);
  const target = await connectTarget('propel', { env: process.env, cwd: ROOT, resource: s.resource, send: s.spec.send, directives: [] });
  await target.reach();
  rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const results = await PrivateFile.open(join(opts.dir, 'results.ndjson'), 'w');
  const rejects = await PrivateFile.open(join(opts.dir, 'rejects.ndjson'), 'w');
  const counts = new RunCounts();
  const concurrency = opts.concurrency;
  let read;
  /** Split wirings: ms the worker spent making and posting messages, and the main thread rebuilding batches from them (deserialising is not in either). */
  let crossing;
  let receiveMs = 0;
  let cpu0;
  let t0;
  // Both wirings have their stages built (and the worker its modules loaded) before the window.
  let threads0;
  let lastSeen = new Map();
  const measureFromHere = () => {
    threads0 = threadTimes();
    cpu0 = process.cpuUsage();
    t0 = performance.now();
  };
  if (opts.wiring === 'one' || opts.wiring === 'one-lean') {
    const gate = await openGate(s, counts);
    const stages = [gate, createBatchStream(s.batch, undefined, { highWaterMark: 1 })];
    if (opts.wiring === 'one-lean') stages.push(leanBatches(s.resource.lookupKey));
    measureFromHere();
    await pipeline(...stages, createSendStream(target.client, { concurrency }), createResultSink({ results, rejects, counts }));
    read = counts.read;
  } else {
    const lookup = s.resource.lookupKey;
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { pipelineFile: opts.pipeline, window: opts.window, lean: opts.wiring === 'lean' } });
    const inbox = [];
    let wake;
    const arrive = (m) => {
      inbox.push(m);
      wake?.();
      wake = undefined;
    };
    worker.on('message', (m) => arrive(m));
    worker.on('error', (e) => arrive({ error: e }));
    while (inbox.length === 0) await new Promise((r) => (wake = r));
    const first = inbox.shift();
    if (first.error !== undefined) throw first.error;
    measureFromHere();
    worker.postMessage('go');
    const toRecords = (m) => {
      if (m.records !== undefined) return m.records.map((r) => ({ kind: 'item', prov: r.prov, item: { [lookup]: r.sent }, key: r.key, source: r.source }));
      const l = m.lean;
      const out = new Array(l.keys.length);
      for (let i = 0; i < out.length; i++) {
        const prov = l.files !== undefined ? l.files[i] : { file: l.file, line: l.lines[i], seq: l.seqs[i] };
        out[i] = { kind: 'item', prov, item: { [lookup]: l.sent[i] }, key: l.keys[i], source: null };
      }
      return out;
    };
    async function* fromWorker() {
      for (;;) {
        while (inbox.length === 0) await new Promise((r) => (wake = r));
        const m = inbox.shift();
        if (m.error !== undefined) throw m.error;
        yield* m.rejects;
        if (m.end === true) {
          read = m.read;
          crossing = { postMs: m.postMs, receiveMs };
          return;
        }
        const r0 = performance.now();
        const batch = { kind: 'batch', seq: m.seq, records: toRecords(m), items: new ItemBytes(Buffer.from(m.body, 0, m.length), m.ends), bytes: m.bytes };
        receiveMs += performance.now() - r0;
        // Taken by the send stage: the worker may post one more.
        worker.postMessage(1);
        yield batch;
      }
    }
    await pipeline(Readable.from(fromWorker(), { objectMode: true, highWaterMark: 1 }), createSendStream(target.client, { concurrency }), createResultSink({ results, rejects, counts }));
    // Read while the worker thread is still listed in /proc: an ended thread's CPU is only in the process's total.
    lastSeen = threadTimes();
    await worker.terminate();
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const threads = threadsDelta(threads0, new Map([...lastSeen, ...threadTimes()]));
  await Promise.all([results.close(), rejects.close(), target.close()]);
  const lineCount = (f) => {
    const text = readFileSync(join(opts.dir, f), 'utf8');
    return text === '' ? 0 : text.split('\n').length - 1;
  };
  const rejected = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
  const files = { results: lineCount('results.ndjson'), rejects: lineCount('rejects.ndjson') };
  if (files.results !== counts.answered || files.rejects !== rejected) throw new Error(`files disagree with the counts: ${JSON.stringify({ files, answered: counts.answered, rejected })}`);
  const total = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({
      wiring: opts.wiring,
      rows: read,
      answered: counts.answered,
      created: counts.created,
      rejected,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      processCpuMs: (total.user + total.system) / 1000,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      threads,
      ...(crossing !== undefined ? { crossing } : {}),
    }) + '\n',
  );
}

/**
 * one-lean: one thread, but each batch keeps only what lean's main thread gets (provenance, keys,
 * no item, no source row): tells the cost of holding whole records while they are in flight from
 * the cost of the thread split.
 */
function leanBatches(lookup) {
  return new Transform({
    objectMode: true,
    writableHighWaterMark: 1,
    transform(x, _enc, cb) {
      if (x.kind !== 'batch') return cb(null, x);
      cb(null, { ...x, records: x.records.map((r) => ({ kind: 'item', prov: r.prov, item: { [lookup]: r.item[lookup] }, key: r.key, source: null })) });
    },
  });
}

/** CPU ms (user + sys) of each of this process's threads so far, from /proc (Linux; empty elsewhere). */
function threadTimes() {
  const out = new Map();
  let tids = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) in clock ticks of 10 ms.
      out.set(tid, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * Where the window's CPU went by thread: the main thread, the busiest other thread (the worker,
 * in a split wiring) and the rest together (V8's GC helpers, libuv's pool). Threads are all named
 * `node`, so the worker is told by its CPU time; ticks are 10 ms, fine over seconds.
 */
function threadsDelta(before, after) {
  const main = String(process.pid);
  const others = [];
  let mainMs = 0;
  for (const [tid, ms] of after) {
    const d = ms - (before.get(tid) ?? 0);
    if (tid === main) mainMs = d;
    else others.push(d);
  }
  others.sort((a, b) => b - a);
  return { mainMs, busiestOtherMs: others[0] ?? 0, restMs: others.slice(1).reduce((a, b) => a + b, 0) };
}

// ---- the driver --------------------------------------------------------------------------------
async function drive(args) {
  const [{ ensureInputs, NARROW }, { pipelineFor }, { startEmulatorProcess, targetEnv }] = await Promise.all([import('./generate.mjs'), import('./pipelines.mjs'), import('./emulator-process.mjs')]);
  const N = Number(args.n);
  const OUT = resolve(args.out);
  const RUNS = join(OUT, 'worker-split');
  const list = (s) => s.split(',').filter((x) => x !== '');
  const sources = list(args.sources);
  const wirings = list(args.wirings);
  const emulators = list(args.emulators);
  const rounds = Number(args.rounds);
  const say = (t) => process.stdout.write(t + '\n');
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10, node: process.version, date: new Date().toISOString() };
  say(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; node ${machine.node}; ${machine.date}; load ${load()}`);
  const inputs = await ensureInputs(join(OUT, 'data'), N, say);
  for (const s of sources) if (inputs[s] === undefined) throw new Error(`unknown source ${s}; known: ${Object.keys(inputs).join(', ')}`);
  const files = Object.fromEntries(sources.map((s) => [s, pipelineFor(OUT, s, inputs[s].path, { name: `ws-${s.replace('.', '-')}` })]));
  const emuFlags = { local: [], remote: ['--latency', args.latency, '--capacity', args.capacity] };
  const emus = {};
  for (const e of emulators) {
    if (emuFlags[e] === undefined) throw new Error(`unknown emulator setting ${e}; known: local, remote`);
    emus[e] = await startEmulatorProcess(emuFlags[e]);
  }

  async function runOne(emu, source, wiring, nodeFlags = []) {
    await emu.command('reset');
    const before = await emu.command('stats');
    const argv = [...nodeFlags, fileURLToPath(import.meta.url), '--child', '--wiring', wiring, '--pipeline', files[source], '--dir', join(RUNS, `${source}-${wiring}`), '--concurrency', args.concurrency, '--window', args.window, ...(args['v8-heap'] ? ['--v8-heap'] : [])];
    const c = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...targetEnv(emu) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const [code] = await once(c, 'exit');
    if (code !== 0) throw new Error(`${wiring} on ${source} exited ${code}: ${stderr}`);
    const after = await emu.command('stats');
    const r = { ...JSON.parse(stdout), emulatorCpuMs: after.cpuMs - before.cpuMs, requests: after.requests, load: loadavg()[0] };
    return { ...r, quietBound: quietBound(r, machine.cores), clientBound: clientBound(r, machine.cores) };
  }

  const runs = [];
  const f1 = (x) => x.toFixed(1);
  try {
    for (let round = 1; round <= rounds; round++) {
      say(`round ${round}: load ${load()}`);
      // Alternated: the wiring that goes first changes every round.
      const order = round % 2 === 1 ? wirings : [...wirings].reverse();
      for (const e of emulators) {
        for (const source of sources) {
          for (const wiring of order) {
            const r = await runOne(emus[e], source, wiring);
            runs.push({ round, emulator: e, source, ...r });
            say(
              `  ${e.padEnd(6)} ${source.padEnd(10)} ${wiring.padEnd(5)} wall ${Math.round(r.wallMs).toString().padStart(6)} ms, ` +
                `CPU ${f1((r.cpuMs * 1000) / r.rows).padStart(5)} µs/row (process ${f1((r.processCpuMs * 1000) / r.rows)}), peak RSS ${Math.round(r.maxRssBytes / 2 ** 20)} MB, ` +
                `emulator ${f1((r.emulatorCpuMs * 1000) / r.rows)} µs/row; ${r.rows} read, ${r.answered} answered, ${r.rejected} rejected; load ${r.load.toFixed(2)}` +
                `; threads µs/row: main ${f1((r.threads.mainMs * 1000) / r.rows)}, busiest other ${f1((r.threads.busiestOtherMs * 1000) / r.rows)}, rest ${f1((r.threads.restMs * 1000) / r.rows)}; quiet bound ${Math.round(r.quietBound.rowsPerSec)} rows/s (${r.quietBound.by})` +
                (r.crossing !== undefined ? `; crossing: worker posts ${f1((r.crossing.postMs * 1000) / r.rows)} µs/row, main rebuilds ${f1((r.crossing.receiveMs * 1000) / r.rows)} µs/row` : ''),
            );
          }
        }
      }
    }
  } finally {
    await Promise.all(Object.values(emus).map((e) => e.stop()));
  }

  // Medians per emulator, source and wiring; then split against one.
  const median = (xs) => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 === 1 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  const summary = [];
  say(`\nmedians of ${rounds} rounds (wall, CPU µs/row over the run, process CPU µs/row, peak RSS, emulator µs/row, main thread µs/row, quiet bound); split and lean against one`);
  for (const e of emulators) {
    for (const source of sources) {
      const of = (w) => runs.filter((r) => r.emulator === e && r.source === source && r.wiring === w);
      const m = (w) => {
        const rs = of(w);
        return rs.length === 0 ? undefined : { wiring: w, wallMs: median(rs.map((r) => r.wallMs)), usPerRow: median(rs.map((r) => (r.cpuMs * 1000) / r.rows)), processUsPerRow: median(rs.map((r) => (r.processCpuMs * 1000) / r.rows)), maxRssMB: median(rs.map((r) => r.maxRssBytes / 2 ** 20)), emulatorUsPerRow: median(rs.map((r) => (r.emulatorCpuMs * 1000) / r.rows)), mainUsPerRow: median(rs.map((r) => (r.threads.mainMs * 1000) / r.rows)), quietRowsPerSec: median(rs.map((r) => r.quietBound.rowsPerSec)), clientRowsPerSec: median(rs.map((r) => r.clientBound.rowsPerSec)) };
      };
      const base = m('one');
      for (const w of wirings) {
        const x = m(w);
        if (x === undefined) continue;
        const vs = base !== undefined && w !== 'one' ? { wallVsOne: x.wallMs / base.wallMs, cpuVsOne: x.usPerRow / base.usPerRow, quietVsOne: base.quietRowsPerSec / x.quietRowsPerSec, clientVsOne: base.clientRowsPerSec / x.clientRowsPerSec } : {};
        summary.push({ emulator: e, source, ...x, ...vs });
        say(
          `  ${e.padEnd(6)} ${source.padEnd(10)} ${w.padEnd(5)} ${Math.round(x.wallMs).toString().padStart(6)} ms  ${f1(x.usPerRow).padStart(5)} µs/row  ${f1(x.processUsPerRow).padStart(5)} µs/row  ${Math.round(x.maxRssMB)} MB  emulator ${f1(x.emulatorUsPerRow)} µs/row  main thread ${f1(x.mainUsPerRow)} µs/row  quiet bound ${Math.round(x.quietRowsPerSec)} rows/s, client alone ${Math.round(x.clientRowsPerSec)}` +
            (vs.wallVsOne !== undefined ? `  wall ${(100 * (vs.wallVsOne - 1)).toFixed(1)}%, CPU/row ${(100 * (vs.cpuVsOne - 1)).toFixed(1)}%, quiet-bound wall ${(100 * (vs.quietVsOne - 1)).toFixed(1)}%, client-alone wall ${(100 * (vs.clientVsOne - 1)).toFixed(1)}% against one` : ''),
        );
      }
    }
  }

  let profile;
  if (args.profile) {
    profile = {};
    const emu = await startEmulatorProcess([]);
    try {
      for (const source of sources) {
        const dir = join(RUNS, `prof-${source}`);
        rmSync(dir, { recursive: true, force: true });
        const r = await runOne(emu, source, 'one', ['--cpu-prof', '--cpu-prof-dir', dir]);
        const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
        profile[source] = { ...offloadShare(JSON.parse(readFileSync(join(dir, file), 'utf8'))), usPerRow: (r.cpuMs * 1000) / r.rows, file: join(dir, file) };
        const p = profile[source];
        say(
          `profile ${source}: of the main thread's busy samples (${(p.busyMs / 1000).toFixed(2)} s; idle ${f1(p.idlePct)}% of all) read ${f1(p.pct.read)}%, map + validate ${f1(p.pct.admit)}%, serialise ${f1(p.pct.batch)}%: ` +
            `${f1(p.offloadPct)}% a worker could take, ${f1(p.offloadWithGcPct)}% with its share of the garbage collector (${f1(p.pct.gc)}%); send ${f1(p.pct.send)}%, sink ${f1(p.pct.sink)}%, other ${f1(p.pct.other)}% (${p.file ?? ''})`,
        );
      }
    } finally {
      await emu.stop();
    }
  }
  mkdirSync(RUNS, { recursive: true });
  writeFileSync(join(RUNS, 'last-run.json'), JSON.stringify({ machine, n: N, args, runs, summary, profile, loadAtEnd: load() }, null, 2) + '\n');
  say(`figures in ${join(RUNS, 'last-run.json')}; load ${load()}`);
}

/**
 * What the run's CPU figures allow on a machine with `cores` cores and nothing else on it, which
 * the shared machine never is: no thread runs faster than one core (the main thread, the busiest
 * other, the emulator's one thread) and client and emulator together cannot use more than every
 * core. Perfect overlap is assumed, so this is a ceiling; under load, a process with two busy
 * threads also gets a larger share of a contended machine than one with one, which flatters the
 * split's measured wall time and not this bound.
 */
function quietBound(r, cores) {
  const perRow = { 'main thread': r.threads.mainMs, 'busiest other thread': r.threads.busiestOtherMs, emulator: r.emulatorCpuMs, 'all cores': (r.cpuMs + r.emulatorCpuMs) / cores };
  const [by, ms] = Object.entries(perRow).sort((a, b) => b[1] - a[1])[0];
  return { rowsPerSec: ms > 0 ? (r.rows * 1000) / ms : 0, by };
}

/** The same for the client alone, as against a remote API: no thread faster than one core, all of them not more than every core. */
function clientBound(r, cores) {
  const ms = Math.max(r.threads.mainMs, r.threads.busiestOtherMs, r.cpuMs / cores);
  return { rowsPerSec: ms > 0 ? (r.rows * 1000) / ms : 0 };
}

/**
 * Each sample of a one-thread profile goes to the first stage found walking down from its leaf:
 * the reader (dist/sources/), map + validate (the admit gate's prepare: dist/mapping/,
 * dist/validate/, prepare-event, admit), serialising (dist/batch/), sending (dist/send/, undici)
 * or the sink (dist/sink/). Garbage collection has no stack: it is shown apart, and shared out in
 * proportion for the "with GC" figure.
 */
function offloadShare(prof) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = (url) => {
    if (/\/dist\/sources\//.test(url)) return 'read';
    if (/\/dist\/(mapping|validate)\/|\/dist\/run\/(prepare-event|admit)\.js|\/node_modules\/ajv\//.test(url)) return 'admit';
    if (/\/dist\/batch\//.test(url)) return 'batch';
    if (/\/dist\/send\/|\/node_modules\/undici\//.test(url)) return 'send';
    if (/\/dist\/sink\//.test(url)) return 'sink';
    return undefined;
  };
  const us = { read: 0, admit: 0, batch: 0, send: 0, sink: 0, gc: 0, other: 0, idle: 0 };
  const memo = new Map();
  const classify = (id) => {
    if (memo.has(id)) return memo.get(id);
    const n = byId.get(id);
    const name = n.callFrame.functionName;
    let k;
    if (name === '(idle)') k = 'idle';
    else if (name === '(garbage collector)') k = 'gc';
    else k = stageOf(n.callFrame.url) ?? (parent.has(id) ? classify(parent.get(id)) : 'other');
    // A frame under idle (none in practice) is still work.
    if (k === 'idle' && name !== '(idle)') k = 'other';
    memo.set(id, k);
    return k;
  };
  const others = new Map();
  prof.samples.forEach((id, i) => {
    const k = classify(id);
    const t = prof.timeDeltas[i] ?? 0;
    us[k] += t;
    if (k !== 'other') return;
    const cf = byId.get(id).callFrame;
    const name = `${cf.functionName || '(anon)'} ${cf.url.replace(/.*\/(node_modules|dist)\//, '$1/')}`;
    others.set(name, (others.get(name) ?? 0) + t);
  });
  const busy = Object.entries(us).filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0);
  const all = busy + us.idle;
  const pct = Object.fromEntries(Object.entries(us).map(([k, v]) => [k, (100 * v) / busy]));
  const offloadPct = pct.read + pct.admit + pct.batch;
  const otherTop = [...others].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, t]) => ({ name, pct: (100 * t) / busy }));
  return { busyMs: busy / 1000, idlePct: (100 * us.idle) / all, pct, offloadPct, offloadWithGcPct: offloadPct + (pct.gc * offloadPct) / (100 - pct.gc), otherTop };
}

if (isMainThread) {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '200000' },
      sources: { type: 'string', default: 'csv,csv-narrow' },
      wirings: { type: 'string', default: 'one,split,lean' },
      rounds: { type: 'string', default: '3' },
      emulators: { type: 'string', default: 'local,remote' },
      latency: { type: 'string', default: '50' },
      capacity: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '4' },
      window: { type: 'string', default: '4' },
      profile: { type: 'boolean', default: false },
      'v8-heap': { type: 'boolean', default: false },
      out: { type: 'string', default: join(ROOT, 'bench', 'out') },
      // A child's: one wiring, one run.
      child: { type: 'boolean', default: false },
      wiring: { type: 'string' },
      pipeline: { type: 'string' },
      dir: { type: 'string' },
    },
  });
  if (values.child) await child({ wiring: values.wiring, pipeline: values.pipeline, dir: values.dir, concurrency: Number(values.concurrency), window: Number(values.window), v8Heap: values['v8-heap'] });
  else await drive(values);
}
