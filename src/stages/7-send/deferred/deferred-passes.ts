/**
 * Parents before children, whatever the file order. An item the API answers `success:false` is
 * not passed on at once: it waits (in a SpillQueue) and is sent again once the main stream has
 * ended, pass after pass, as long as the previous phase created or updated something. Only what
 * is still refused after a phase that changed nothing ends as refused, with the API's
 * latest answer (result line + reject at stage `api`).
 *
 * Which refusals wait: every success:false, not only those whose text names a parent. FACTS.md
 * documents that a missing parent fails the item but not the wording, so matching on text would
 * reject real parent-misses the day Propel words them differently. Waiting costs a refusal for
 * another reason one more request per pass (passes are bounded by the tree's depth + 1), and it
 * still ends as a reject with the API's own text.
 *
 * Bookkeeping that keeps the sink and the journal right:
 * - A waiting record emits nothing, so it is neither journaled nor counted until its final
 *   outcome; a crash or interrupt leaves it unsettled and `--resume` (which re-reads the source)
 *   sends it again.
 * - No overtaking: a waiting record is never sent after a later version of the same key was
 *   imported. When a record succeeds, every earlier waiting record with its key ends there
 *   and then as refused (its API text, plus why it is not sent again), and its outcome is emitted
 *   before the success, so the journal never holds the later version without the earlier one
 *   (a resume would otherwise send the old version over the new). Per key, records reach the
 *   API in source order (batcher + key gate), and a record waits before its batch's sendBatch
 *   returns, so the queue holds each key's versions in source order too.
 * - Memory: the records (item + source) spill to disk past `memoryLimit`; what stays in memory
 *   per waiting record is its key and a locator (tens of bytes), needed to find earlier versions.
 */
import { join } from 'node:path';
import type { Batch, ItemRecord, Outcome, RejectEvent, ResultEvent } from '../../../core/record.js';
import type { BatchSender } from '../send-stream.js';
import { DEFAULT_MEMORY_LIMIT, SpillQueue, type SpillLocator } from '../../../core/spill-queue.js';
import { refused, type DeferredAnswer, type DeferredEntry } from './refused.js';

interface Waiting {
  readonly seq: number;
  queue: SpillQueue<DeferredEntry>;
  at: SpillLocator;
}

export interface DeferredPassesOptions {
  /** The run folder: spill files are written there. */
  readonly dir: string;
  /** Waiting records held in memory per queue before spilling (default 10,000). */
  readonly memoryLimit?: number;
}

/** Spill files are named after the pass that will read them. */
export const SPILL_FILE_PREFIX = 'deferred-pass-';

export class DeferredPasses {
  private readonly opts: DeferredPassesOptions;
  /** Where refusals go now: the queue the next pass reads. */
  private queue: SpillQueue<DeferredEntry>;
  private readonly old: SpillQueue<DeferredEntry>[] = [];
  private readonly waiting = new Map<string, Waiting[]>();
  private waitingTotal = 0;
  /** Successes in the current phase (main stream or pass): the target changed, so a retry may succeed. */
  private successes = 0;
  private pass = 0;
  /** Queue n is read by pass n. */
  private queues = 0;
  /** Pass batches continue the run's batch numbers, so result lines never share a batch number. */
  private batchBase = 0;
  private lastBatch = 0;

  constructor(opts: DeferredPassesOptions) {
    this.opts = opts;
    this.queue = this.newQueue();
  }

  /** Records waiting for a later pass. */
  get waitingCount(): number {
    return this.waitingTotal;
  }

  /** Passes begun so far. */
  get passes(): number {
    return this.pass;
  }

  /** Something waits, and the phase that refused it changed the target, so sending again may succeed. */
  needsPass(): boolean {
    return this.waitingTotal > 0 && this.successes > 0;
  }

  /** A sender that holds refused records back instead of settling them. */
  wrap(inner: BatchSender): BatchSender {
    return {
      sendBatch: async (batch) => {
        const numbered = this.batchBase > 0 ? { ...batch, seq: this.batchBase + batch.seq } : batch;
        return this.sift(numbered, await inner.sendBatch(numbered));
      },
    };
  }

  /**
   * Takes a batch's outcomes and returns those to pass on to the sink now: refused records are held back
   * (their result and reject both), successes end earlier waiting versions of their key first (as refused).
   */
  async sift(batch: Batch, outcomes: readonly Outcome[]): Promise<Outcome[]> {
    this.lastBatch = Math.max(this.lastBatch, batch.seq);
    const bySeq = new Map<number, ItemRecord>();
    for (const r of batch.records) bySeq.set(r.prov.seq, r);
    const apiRejects = new Map<number, RejectEvent>();
    for (const o of outcomes) if (o.kind === 'reject' && o.stage === 'api') apiRejects.set(o.prov.seq, o);

    const held = new Set<number>();
    const out: Outcome[] = [];
    for (const o of outcomes) {
      const record = bySeq.get(o.prov.seq);
      if (o.kind === 'reject' || record === undefined) {
        out.push(o);
        continue;
      }
      if (!o.success) {
        await this.hold(record, o, apiRejects.get(o.prov.seq)?.reason ?? o.error ?? 'the API reported success:false without a reason');
        held.add(o.prov.seq);
        continue;
      }
      this.successes++;
      // Almost always nothing waits for this key: no await (a promise per record) on that path.
      if (this.waiting.has(record.key)) out.push(...(await this.refuseEarlier(record, o)));
      out.push(o);
    }
    // A held record's reject waits with it; any other reject ends its record, which then waits no more.
    const passOn = out.filter((o) => !(o.kind === 'reject' && held.has(o.prov.seq)));
    for (const o of passOn) {
      const record = o.kind === 'reject' ? bySeq.get(o.prov.seq) : undefined;
      if (record !== undefined) this.forget(record);
    }
    return passOn;
  }

  /**
   * Starts a pass: refusals from now on go to a fresh queue, and this returns the waiting records
   * of the last one, in order. Reading stops early once `stop` is aborted (those stay unsettled).
   */
  async *beginPass(stop?: AbortSignal): AsyncGenerator<ItemRecord> {
    const current = this.queue;
    this.queue = this.newQueue();
    this.old.push(current);
    this.pass++;
    this.successes = 0;
    this.batchBase = this.lastBatch;
    for await (const { entry, at } of current.entries()) {
      if (stop?.aborted === true) return;
      if (!this.isWaiting(entry.record, current, at)) continue;
      yield entry.record;
    }
  }

  /** After a phase that changed nothing: the final outcome of every record still waiting. */
  async *finalOutcomes(): AsyncGenerator<Outcome> {
    const last = this.queue;
    for await (const { entry, at } of last.entries()) {
      if (!this.isWaiting(entry.record, last, at)) continue;
      this.forget(entry.record);
      yield* refused(entry);
    }
  }

  /** Closes and deletes every spill file. */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.old, this.queue].map((q) => q.dispose()));
  }

  private newQueue(): SpillQueue<DeferredEntry> {
    this.queues++;
    return new SpillQueue<DeferredEntry>(join(this.opts.dir, `${SPILL_FILE_PREFIX}${this.queues}.ndjson`), {
      memoryLimit: this.opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    });
  }

  private async hold(record: ItemRecord, result: ResultEvent, reason: string): Promise<void> {
    const answer: DeferredAnswer = {
      key: result.key,
      action: result.action,
      id: result.id,
      ...(result.error !== undefined ? { error: result.error } : {}),
      batch: result.batch,
      reason,
    };
    const queue = this.queue;
    const at = await queue.push({ record, answer });
    const list = this.waiting.get(record.key);
    const known = list?.find((w) => w.seq === record.prov.seq);
    if (known !== undefined) {
      // Sent again in a pass and refused again: it moves to the next queue.
      known.queue.forget(known.at);
      known.queue = queue;
      known.at = at;
    } else if (list !== undefined) {
      list.push({ seq: record.prov.seq, queue, at });
      this.waitingTotal++;
    } else {
      this.waiting.set(record.key, [{ seq: record.prov.seq, queue, at }]);
      this.waitingTotal++;
    }
  }

  /** A record succeeded: it no longer waits, and earlier waiting versions of its key never will be sent. */
  private async refuseEarlier(record: ItemRecord, success: ResultEvent): Promise<Outcome[]> {
    const list = this.waiting.get(record.key);
    if (list === undefined) return [];
    const out: Outcome[] = [];
    const keep: Waiting[] = [];
    for (const w of list) {
      if (w.seq === record.prov.seq) {
        this.waitingTotal--;
        continue;
      }
      if (w.seq > record.prov.seq) {
        keep.push(w);
        continue;
      }
      this.waitingTotal--;
      const entry = await w.queue.read(w.at);
      w.queue.forget(w.at);
      if (entry === undefined) continue;
      const where =
        success.prov.file === entry.record.prov.file ? `line ${success.prov.line}` : `${success.prov.file} line ${success.prov.line}`;
      out.push(...refused(entry, `not sent again: a later version with the same key (${where}) was imported`));
    }
    if (keep.length > 0) this.waiting.set(record.key, keep);
    else this.waiting.delete(record.key);
    return out;
  }

  private isWaiting(record: ItemRecord, queue: SpillQueue<DeferredEntry>, at: SpillLocator): boolean {
    const w = this.waiting.get(record.key)?.find((x) => x.seq === record.prov.seq);
    return w !== undefined && w.queue === queue && sameLocator(w.at, at);
  }

  private forget(record: ItemRecord): void {
    const list = this.waiting.get(record.key);
    if (list === undefined) return;
    const rest = list.filter((w) => w.seq !== record.prov.seq);
    if (rest.length < list.length) this.waitingTotal--;
    if (rest.length > 0) this.waiting.set(record.key, rest);
    else this.waiting.delete(record.key);
  }
}

function sameLocator(a: SpillLocator, b: SpillLocator): boolean {
  return 'mem' in a ? 'mem' in b && a.mem === b.mem : !('mem' in b) && a.offset === b.offset;
}
