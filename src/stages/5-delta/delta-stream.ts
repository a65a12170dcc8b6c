import { Transform } from 'node:stream';
import type { ItemEvent, PreparedEvent } from '../../core/record.js';
import { filterChunk, type DeltaFilterOptions } from './delta-filter.js';

/** `process.threadCpuUsage` (Node 23.9 and later): getrusage for the calling thread alone. */
const threadCpuUsage = (process as NodeJS.Process & { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);

/**
 * Milliseconds of the main thread's CPU where Node can say it, else of the monotonic clock: the
 * filter is synchronous, so either is its own time, for the summary and the bench. Not the
 * process's CPU (process.cpuUsage): getrusage for the whole process, with its threads busy, took
 * ~100 µs a call in a 200k-row run here, 2 µs a row at two calls per chunk.
 */
const threadMs: () => number =
  threadCpuUsage !== undefined
    ? () => {
        const u = threadCpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();

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
      const started = threadMs();
      try {
        out = filterChunk(chunk, opts);
      } catch (e) {
        cb(e as Error);
        return;
      }
      if (time !== undefined) time.ms += threadMs() - started;
      cb(null, out.length > 0 ? out : undefined);
    },
  });
}
