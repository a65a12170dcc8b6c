import { join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import type { ItemEvent } from '../core/record.js';
import { createBatchStream } from '../stages/6-batch/batch-stream.js';
import type { BatcherOptions } from '../stages/6-batch/batcher.js';
import { openSource, type SourceStream } from '../stages/1-read/source-stream.js';
import { createSendStream, type BatchSender } from '../stages/7-send/send-stream.js';
import { createResultSink, type ResultSinkOptions } from '../stages/8-sink/result-sink.js';
import type { RunHalt } from './run-halt.js';
import { admit } from '../stages/2-gate/admit.js';
import { firstLook } from '../stages/2-gate/first-look.js';
import { createPrepareEvent } from '../stages/2-gate/prepare-event.js';
import { keyMapping } from '../stages/3-map/compile-mapping.js';
import { createDryRunStream } from '../stages/7-send/dry-run-stream.js';
import { BATCHES_DIR } from './run-folder.js';
import { ChangesSpill } from '../stages/5-delta/changes-spill.js';
import type { Run } from './open-run.js';

export interface RunStages {
  /** reader -> admit (map + validate) -> [delta filter -> batcher -> sender or batch files] -> sink. */
  readonly streams: readonly [Readable, ...(Transform | Writable)[]];
  /** The reader, for a failure it kept back (deferFailure) and its byte counts. */
  readonly source: SourceStream;
  /** The sink's options, shared with the deferred passes: same files, journal, counts and budget. */
  readonly sink: ResultSinkOptions;
  readonly batch: BatcherOptions;
  /** A delta night compared first: the changes wait here for the pass that sends them (run-passes.ts). */
  readonly changes?: ChangesSpill;
}

/** The chain for the run's mode: `run` sends through `sender`, `dry-run` writes batch files, `validate` keeps only rejects; with `delta:` the filter sits before the batcher. */
export function buildStages(run: Run, halt: RunHalt, sender: BatchSender | undefined, check: (() => void) | undefined): RunStages {
  const { spec, opts } = run;
  // A delta night: records the state knows by their text come unbuilt (core/known-bytes.ts).
  const known = run.delta?.knownBytes;
  const source = openSource(run.inputs, spec.source, {
    deferFailure: true,
    chunked: true,
    columns: run.mapRecord.sources,
    ...(known !== undefined ? { known } : {}),
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  });
  run.probe.watchSource(source);
  run.skippedEntries = source.skippedEntries;
  // Records travel as arrays (chunks) up to the batcher; map and validate run inside admit.
  // With delta, a refused row's key (when its key fields map) still tells the state the row is there: no orphan.
  const prepare = createPrepareEvent(
    run.mapRecord,
    spec.resource,
    run.delta !== undefined ? keyMapping(spec.mapping, spec.resource) : undefined,
  );
  // With a reject budget, the first records are held until it was judged on them (first-look.ts).
  const hold = firstLook({ errors: spec.errors, counts: run.counts, onFail: (e) => halt.fail(e) });
  const streams: [Readable, ...(Transform | Writable)[]] = [
    admit(source, {
      counts: run.counts,
      ...(run.earlier !== undefined ? { done: run.earlier.done } : {}),
      stop: halt.signal,
      prepare,
      ...(hold !== undefined ? { hold } : {}),
    }),
  ];
  let changes: ChangesSpill | undefined;
  const batch: BatcherOptions = { size: spec.batch.size, maxBytes: spec.batch.maxBytes, envelopeBytes: run.envelope.bytes };
  if (run.mode === 'validate') {
    streams.push(onlyRejects());
  } else {
    if (run.delta !== undefined) streams.push(run.delta.stage(run.counts, prepare));
    if (run.delta?.comparesFirst === true && sender !== undefined) {
      changes = new ChangesSpill(run.outDir);
      streams.push(changes.stage());
    } else {
      streams.push(createBatchStream(batch, () => run.stats.batches++, { highWaterMark: 1 }));
      streams.push(
        sender !== undefined
          ? createSendStream(sender, {
              concurrency: spec.send.concurrency,
              stop: halt.signal,
              onFailure: (e) => halt.fail(e),
              onUnsent: (b) => run.counts.notSent(b.records.length),
            })
          : createDryRunStream(join(run.outDir, BATCHES_DIR), run.envelope, run.resource.lookupKey),
      );
    }
  }
  const sink: ResultSinkOptions = {
    results: run.results,
    rejects: run.rejects,
    ...(run.journal !== undefined ? { journal: run.journal } : {}),
    ...(run.delta?.sinkHook !== undefined ? { state: run.delta.sinkHook } : {}),
    counts: run.counts,
    ...(check !== undefined ? { check } : {}),
  };
  streams.push(createResultSink(sink));
  return { streams, source, sink, batch, ...(changes !== undefined ? { changes } : {}) };
}

/** Valid items end here in a validation: only rejects are outcomes for the sink. */
function onlyRejects(): Transform {
  return new Transform({
    objectMode: true,
    writableHighWaterMark: 1,
    transform(chunk: readonly ItemEvent[], _enc, cb) {
      for (const ev of chunk) if (ev.kind === 'reject') this.push(ev);
      cb();
    },
  });
}
