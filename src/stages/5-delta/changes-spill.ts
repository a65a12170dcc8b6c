/**
 * A night compared first (DeltaRun.comparesFirst): what the delta filter passes on waits in a
 * spill (memory, then a private file in the run folder) until the whole export was compared and
 * the thresholds judged the counts; rejects go on to the sink at once. Then `changes` gives the
 * waiting items back, in the order they were read, for the pass that sends them.
 */
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { ItemEvent, ItemRecord, RejectEvent } from '../../core/record.js';
import { SpillQueue } from '../../core/spill-queue.js';

export const CHANGES_SPILL_FILE = 'changes.spill.ndjson';

export class ChangesSpill {
  readonly queue: SpillQueue<ItemRecord>;
  /** Items given back so far: what a stop leaves unsent is the rest. */
  private taken = 0;

  constructor(outDir: string) {
    this.queue = new SpillQueue<ItemRecord>(join(outDir, CHANGES_SPILL_FILE));
  }

  /** The stage after the delta filter: items into the spill, rejects on to the sink. */
  stage(): Transform {
    const queue = this.queue;
    return new Transform({
      objectMode: true,
      writableHighWaterMark: 1,
      transform(chunk: readonly ItemEvent[], _enc, cb) {
        const rejects: RejectEvent[] = [];
        const items: ItemRecord[] = [];
        for (const ev of chunk) {
          if (ev.kind === 'reject') rejects.push(ev);
          else items.push(ev);
        }
        void (async () => {
          // One at a time: the spill keeps them in the order read, which per key is the order sent.
          for (const item of items) await queue.push(item);
        })().then(() => {
          for (const r of rejects) this.push(r);
          cb();
        }, cb);
      },
    });
  }

  /** The waiting items, in the order read, each through `sending` (the recorder learns its hash); stops early on `stop`. */
  async *changes(sending: (rec: ItemRecord) => ItemRecord, stop?: AbortSignal): AsyncGenerator<ItemRecord> {
    for await (const { entry } of this.queue.entries()) {
      if (stop?.aborted === true) return;
      this.taken++;
      yield sending(entry);
    }
  }

  /** Items never given back (the run stopped first). */
  get untaken(): number {
    return this.queue.size - this.taken;
  }

  dispose(): Promise<void> {
    return this.queue.dispose();
  }
}
