import { Transform } from 'node:stream';
import type { Batch, ItemEvent, RejectEvent } from '../core/record.js';
import { Batcher, type BatcherOptions } from './batcher.js';

/** ItemRecord -> Batch; rejects pass through at once so they are not held behind a filling batch. */
export function createBatchStream(opts: BatcherOptions, onBatch?: (b: Batch) => void): Transform {
  const batcher = new Batcher(opts);
  return new Transform({
    objectMode: true,
    transform(ev: ItemEvent, _enc, cb) {
      if (ev.kind === 'reject') return cb(null, ev);
      const tooBig = batcher.add(ev, (b) => {
        onBatch?.(b);
        this.push(b);
      });
      cb(null, tooBig);
    },
    flush(cb) {
      const last = batcher.flush();
      if (last !== undefined) onBatch?.(last);
      cb(null, last);
    },
  });
}

export type BatchStreamOutput = Batch | RejectEvent;
