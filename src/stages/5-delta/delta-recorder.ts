/**
 * Writes Propel's answers into the delta state, from the sink's settle path: after the result and
 * reject lines are on disk and before the journal names their records. So the state never holds a
 * hash whose result line a crash could lose, and a hash is written only for `success: true`: a
 * refused, rejected or unanswered item keeps the state it had and is sent again next run.
 *
 * The filter tells the recorder each item it passes on (its key and hash), by record ordinal; the
 * outcome for that ordinal settles it. What waits here is what is in flight, plus the records the
 * deferred passes hold (a key, a hash and a number each).
 */
import type { ItemRecord, Outcome } from '../../core/record.js';
import { sentKey } from '../7-send/api-answer.js';
import type { Acknowledged, DeltaState, Refused } from '../../state/delta-state.js';

interface Passed {
  readonly key: string;
  readonly sentKey: string;
  readonly hash: string;
  readonly raw: string | undefined;
}

export class DeltaRecorder {
  private readonly pending = new Map<number, Passed>();

  constructor(
    private readonly state: Pick<DeltaState, 'record'>,
    private readonly lookupKey: string,
    private readonly now: () => number,
  ) {}

  /** The filter passed this item on. */
  expect(rec: ItemRecord, hash: string): void {
    this.pending.set(rec.prov.seq, { key: rec.key, sentKey: sentKey(rec.item, this.lookupKey) ?? rec.key, hash, raw: rec.textHash });
  }

  /** Items passed on and not settled yet. */
  get waiting(): number {
    return this.pending.size;
  }

  /** The sink's hook: a batch of outcomes whose lines are on disk. */
  settle(outcomes: readonly Outcome[]): void {
    const acks: Acknowledged[] = [];
    const refusals: Refused[] = [];
    for (const o of outcomes) {
      const p = this.pending.get(o.prov.seq);
      if (p === undefined) continue;
      if (o.kind === 'result') {
        // success:false comes with an api reject, which records the refusal.
        if (!o.success) continue;
        acks.push({ key: p.key, sentKey: p.sentKey, hash: p.hash, raw: p.raw, id: o.id });
      } else if (o.stage === 'api') {
        refusals.push({ key: p.key, sentKey: p.sentKey, reason: o.reason });
      }
      this.pending.delete(o.prov.seq);
    }
    this.state.record(acks, refusals, this.now());
  }
}
