import { Transform } from 'node:stream';
import type { Batch, ItemEvent } from '../../core/record.js';
import { Batcher, type BatcherOptions } from './batcher.js';

export interface BatchStreamOptions {
  /** Input objects (events or arrays of events) buffered before the stage asks for no more. */
  readonly highWaterMark?: number;
}

/**
 * ItemRecord -> Batch; rejects pass through at once so they are not held behind a filling batch.
 * Takes single events or arrays of them (the main run's chunks); the output is the same either way.
 */
export function createBatchStream(opts: BatcherOptions, onBatch?: (b: Batch) => void, stream: BatchStreamOptions = {}): Transform {
  const batcher = new Batcher(opts);
  return new Transform({
    objectMode: true,
    ...(stream.highWaterMark !== undefined ? { writableHighWaterMark: stream.highWaterMark } : {}),
    transform(input: ItemEvent | readonly ItemEvent[], _enc, cb) {
      const emit = (b: Batch): void => {
        onBatch?.(b);
        this.push(b);
      };
      // Deferred passes send single events; the main run sends its chunks.
      const events: readonly ItemEvent[] = Array.isArray(input) ? input : [input as ItemEvent];
      for (const ev of events) {
        if (ev.kind === 'reject') {
          this.push(ev);
          continue;
        }
        const tooBig = batcher.add(ev, emit);
        if (tooBig !== undefined) this.push(tooBig);
      }
      cb();
    },
    flush(cb) {
      const last = batcher.flush();
      if (last !== undefined) onBatch?.(last);
      cb(null, last);
    },
  });
}
