/**
 * The delta filter, as plain functions over the run's chunks: an item whose hash equals the one
 * Propel acknowledged (and that is younger than `refreshAfter`) is not sent and is counted
 * `unchanged`; everything else goes on to the batcher as without delta. Rejects pass untouched.
 *
 * The same key twice in one export: once a version of a key has been passed on in this run, every
 * later version is passed on too, whatever its hash. Otherwise an earlier changed record would be
 * sent and the later one, equal to the state, held back, and Propel would end with the earlier
 * version: the later record is the one compared and recorded, as without delta.
 */
import type { ItemEvent, ItemRecord } from '../../core/record.js';
import type { Visit } from '../../state/delta-state.js';
import { itemHash } from './item-hash.js';

/** What the filter needs of the state (DeltaState has it; tests give a Map). */
export interface DeltaLedger {
  /** What the state knows of these keys (those it knows), noting that this run's input holds them. */
  visitAll(keys: readonly string[]): Map<string, Visit>;
  /** Versions of these keys go to the API in this run (one call per chunk, as visitAll). */
  passAll(keys: readonly string[]): void;
  transaction<T>(fn: () => T): T;
}

export interface DeltaFilterOptions {
  readonly ledger: DeltaLedger;
  /** `run --full`: everything is sent (and the state refreshed from the answers). */
  readonly full?: boolean;
  readonly refreshAfterMs?: number;
  readonly now: () => number;
  /** Every item passed on, with its hash: the recorder writes the hash once Propel acknowledged it. */
  readonly onPass?: (rec: ItemRecord, hash: string) => void;
  /** Told how many items of each chunk were held back because Propel already has them (RunCounts.heldBack), and how many passed on were new or changed. */
  readonly counts: { heldBack(records: number): void; changesFound(fresh: number, changed: number): void };
  /** Items passed on, as new or changed (DeltaRun keeps a few keys for its messages). */
  readonly onChange?: (ev: ItemEvent & { readonly kind: 'item' }, fresh: boolean) => void;
}

export type Decision = 'send' | 'unchanged';

/** The decision for one item, from what the state knows of its key. */
export function decide(known: Visit | undefined, hash: string, now: number, opts: { full?: boolean; refreshAfterMs?: number }): Decision {
  if (opts.full === true || known === undefined || known.hash === null || known.passed) return 'send';
  if (known.hash !== hash) return 'send';
  if (opts.refreshAfterMs !== undefined && (known.ackedAt === null || now - known.ackedAt > opts.refreshAfterMs)) return 'send';
  return 'unchanged';
}

/** One chunk in, what goes on out (possibly empty). One transaction per chunk: one commit per 128 records. */
export function filterChunk(events: readonly ItemEvent[], opts: DeltaFilterOptions): ItemEvent[] {
  const now = opts.now();
  return opts.ledger.transaction(() => {
    // One lookup for the whole chunk: a call into SQLite per record costs more than the lookup.
    // A rejected row's key is visited too: the row is still in the export, so its key is no orphan.
    const keys: string[] = [];
    for (const ev of events) if (ev.kind === 'item' || ev.key !== undefined) keys.push(ev.key ?? '');
    const known = opts.ledger.visitAll(keys);
    // A key passed on earlier in this chunk is not in `known` as passed yet.
    const passedHere = new Set<string>();
    const passed: string[] = [];
    const out: ItemEvent[] = [];
    let unchanged = 0;
    let fresh = 0;
    let changed = 0;
    for (const ev of events) {
      if (ev.kind === 'reject') {
        out.push(ev);
        continue;
      }
      const json = JSON.stringify(ev.item);
      const hash = itemHash(json);
      const k = known.get(ev.key);
      const visit = passedHere.has(ev.key) ? { hash: k?.hash ?? null, ackedAt: k?.ackedAt ?? null, passed: true } : k;
      if (decide(visit, hash, now, opts) === 'unchanged') {
        unchanged++;
        continue;
      }
      // New: the state never acknowledged this key (and this run has not passed it on before).
      const isNew = (k === undefined || k.hash === null) && !passedHere.has(ev.key) && k?.passed !== true;
      if (isNew) fresh++;
      else changed++;
      opts.onChange?.(ev, isNew);
      passed.push(ev.key);
      passedHere.add(ev.key);
      const rec: ItemRecord = { ...ev, json };
      opts.onPass?.(rec, hash);
      out.push(rec);
    }
    if (passed.length > 0) opts.ledger.passAll(passed);
    if (unchanged > 0) opts.counts.heldBack(unchanged);
    if (fresh + changed > 0) opts.counts.changesFound(fresh, changed);
    return out;
  });
}
