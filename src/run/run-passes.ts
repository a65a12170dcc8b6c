import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Batch } from '../core/record.js';
import { createBatchStream } from '../stages/6-batch/batch-stream.js';
import type { BatcherOptions } from '../stages/6-batch/batcher.js';
import { createSendStream, type BatchSender } from '../stages/7-send/send-stream.js';
import { createResultSink, type ResultSinkOptions } from '../stages/8-sink/result-sink.js';
import type { DeferredPasses } from '../stages/7-send/deferred/deferred-passes.js';
import type { ChangesSpill } from '../stages/5-delta/changes-spill.js';
import type { DeltaRun } from '../stages/5-delta/delta-run.js';

export interface PassWiring {
  /** The run's sender, composed as for the main stream (src/run/compose-sender.ts): it holds refusals back through DeferredPasses.wrap. */
  readonly sender: BatchSender;
  readonly batch: BatcherOptions;
  readonly concurrency: number;
  /** The run's sink options: the same files, journal, counts and budget check as the main stream. */
  readonly sink: ResultSinkOptions;
  /** Aborted on a signal or a fatal error: no further pass starts, what waits stays unsettled. */
  readonly stop?: AbortSignal;
  readonly onBatch?: (b: Batch) => void;
  /** The send stage reports a fatal error here (and drains) instead of breaking the pipeline. */
  readonly onFailure?: (error: Error) => void;
}

/**
 * A delta night compared first: its changes, read back from their spill in the order read,
 * go batch -> send -> sink. Stopped (a signal, a fatal error), what was not taken is counted unsent.
 */
export async function sendChanges(
  changes: ChangesSpill,
  delta: Pick<DeltaRun, 'sending'>,
  w: PassWiring & { onUnsent(records: number): void },
): Promise<void> {
  await pipeline(
    Readable.from(changes.changes((rec) => delta.sending(rec), w.stop)),
    createBatchStream(w.batch, w.onBatch, { highWaterMark: 1 }),
    createSendStream(w.sender, {
      concurrency: w.concurrency,
      ...(w.stop !== undefined ? { stop: w.stop } : {}),
      ...(w.onFailure !== undefined ? { onFailure: w.onFailure } : {}),
      onUnsent: (b) => w.onUnsent(b.records.length),
    }),
    createResultSink(w.sink),
  );
  if (changes.untaken > 0) w.onUnsent(changes.untaken);
}

/**
 * After the main stream: batch -> send -> sink again over the waiting records while passes make
 * progress, then settles what is left as refused. Does nothing once `stop` is aborted: what
 * waits stays unsettled for a resume.
 */
export async function runDeferredPasses(d: DeferredPasses, w: PassWiring): Promise<void> {
  while (d.needsPass() && w.stop?.aborted !== true) {
    await pipeline(
      Readable.from(d.beginPass(w.stop)),
      createBatchStream(w.batch, w.onBatch),
      createSendStream(w.sender, {
        concurrency: w.concurrency,
        ...(w.stop !== undefined ? { stop: w.stop } : {}),
        ...(w.onFailure !== undefined ? { onFailure: w.onFailure } : {}),
      }),
      createResultSink(w.sink),
    );
  }
  if (w.stop?.aborted === true || d.waitingCount === 0) return;
  await pipeline(Readable.from(d.finalOutcomes()), createResultSink(w.sink));
}
