import { Readable } from 'node:stream';
import type { ReadEvent } from '../core/record.js';
import type { IntervalSet } from '../resume/interval-set.js';

export interface AdmitOptions {
  /** Ordinals settled by an earlier attempt: read again (to keep ordinals stable) but not passed on. */
  readonly done?: IntervalSet;
  /** Stop reading once this is aborted (SIGINT/SIGTERM): what was read still flows to the end. */
  readonly stop?: AbortSignal;
  /** Counted here because every record passes this point exactly once per attempt. */
  readonly counts: { read: number; skipped: number };
}

/**
 * The gate between the reader and the rest. Leaving the loop closes the reader (the iterator's
 * return() destroys it) while the downstream stages still flush normally: that is how an
 * interrupt stops reading yet settles everything already read.
 */
export function admit(source: AsyncIterable<ReadEvent>, opts: AdmitOptions): Readable {
  async function* gate(): AsyncGenerator<ReadEvent> {
    for await (const ev of source) {
      opts.counts.read++;
      if (opts.done?.has(ev.prov.seq)) {
        opts.counts.skipped++;
      } else {
        yield ev;
      }
      if (opts.stop?.aborted) return;
    }
  }
  return Readable.from(gate(), { objectMode: true, highWaterMark: 256 });
}
