import { Transform } from 'node:stream';
import type { ItemEvent, PreparedEvent } from '../../core/record.js';
import { filterChunk, type DeltaFilterOptions } from './delta-filter.js';

/**
 * The filter's stream edge, between the admit gate (map + validate) and the batcher: chunks
 * (arrays of events) in, chunks out, never an empty one. One chunk buffered on each side, so it
 * adds little to what an interrupt has read ahead.
 */
export function createDeltaStream(opts: DeltaFilterOptions, time?: { ms: number }): Transform {
  return new Transform({
    objectMode: true,
    writableHighWaterMark: 1,
    readableHighWaterMark: 1,
    transform(chunk: readonly PreparedEvent[], _enc, cb) {
      let out: ItemEvent[];
      const started = process.cpuUsage();
      try {
        out = filterChunk(chunk, opts);
      } catch (e) {
        cb(e as Error);
        return;
      }
      // The filter is synchronous, so the process's CPU time across the call is (nearly all) its
      // own, and unlike wall time not inflated by waiting for a core: for the summary and the bench.
      if (time !== undefined) {
        const used = process.cpuUsage(started);
        time.ms += (used.user + used.system) / 1000;
      }
      cb(null, out.length > 0 ? out : undefined);
    },
  });
}
