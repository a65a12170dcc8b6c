import { Readable } from 'node:stream';
import type { Provenance } from '../../core/record.js';
import type { IntervalSet } from '../../core/interval-set.js';
import type { RunCounts } from '../../outcomes/run-counts.js';

export interface AdmitOptions<S, T> {
  /** Ordinals settled by an earlier attempt: read again (to keep ordinals stable) but not passed on. */
  readonly done?: IntervalSet;
  /** Stop reading once this is aborted (SIGINT/SIGTERM): what was read still flows to the end. */
  readonly stop?: AbortSignal;
  /** Counted here because every record passes this point exactly once per attempt. */
  readonly counts: Pick<RunCounts, 'admitted'>;
  /**
   * What each admitted record becomes (map + validate in the run). Done here, inside the chunk
   * loop, so a record costs a function call instead of a promise and a Transform per stage.
   * A throw is a bug (bad data is a reject) and fails the pipeline.
   */
  readonly prepare: (ev: S) => T;
  /** Holds the first records back until they were judged (see FirstLook); absent, every chunk goes on at once. */
  readonly hold?: AdmitHold<T>;
}

/** Sits between the gate and the stages after it: what goes on now, and whether to stop reading. */
export interface AdmitHold<T> {
  /** Takes a prepared chunk; answers what may go on now (possibly nothing) and whether reading must stop. */
  pass(events: T[]): { readonly events: T[]; readonly stop: boolean };
  /** The input ended (or reading stopped): whatever is still held. */
  end(inputEnded: boolean): T[];
}

/**
 * The gate between the reader and the rest, one chunk (array of events, see `chunked` in
 * openSource) at a time; emits arrays of prepared events, never an empty one. Leaving the loop
 * closes the reader (the iterator's return() destroys it) while the downstream stages still
 * flush normally: that is how an interrupt stops reading yet settles everything already read.
 */
export function admit<S extends { readonly prov: Provenance }, T>(source: AsyncIterable<readonly S[]>, opts: AdmitOptions<S, T>): Readable {
  const hold = opts.hold;
  async function* chunks(): AsyncGenerator<T[], boolean> {
    for await (const chunk of source) {
      const out: T[] = [];
      for (const ev of chunk) {
        const skipped = opts.done?.has(ev.prov.seq) === true;
        opts.counts.admitted(skipped);
        if (!skipped) out.push(opts.prepare(ev));
        if (opts.stop?.aborted) {
          if (out.length > 0) yield out;
          return false;
        }
      }
      if (out.length > 0) yield out;
    }
    return true;
  }
  async function* gate(): AsyncGenerator<T[]> {
    if (hold === undefined) {
      yield* chunks();
      return;
    }
    const it = chunks();
    for (;;) {
      const r = await it.next();
      if (r.done === true) {
        const rest = hold.end(r.value);
        if (rest.length > 0) yield rest;
        return;
      }
      const { events, stop } = hold.pass(r.value);
      if (events.length > 0) yield events;
      if (stop) {
        await it.return(false);
        return;
      }
    }
  }
  // Two arrays buffered: at most 2 * CHUNK_EVENTS events, the 256 events this buffered one by one.
  return Readable.from(gate(), { objectMode: true, highWaterMark: 2 });
}
