/**
 * The delta filter, as plain functions over the run's chunks: an item whose hash equals the one
 * Propel acknowledged (and that is younger than `refreshAfter`) is not sent and is counted
 * `unchanged`; everything else goes on to the batcher as without delta. Rejects pass untouched.
 *
 * A record the state knows by its own text (a `known` event, from the reader: core/known-bytes.ts)
 * is unchanged without being built; only where the night's rules still send it (below, or a refresh
 * due) is it read from its text after all and compared as any other item.
 *
 * The same key twice in one export: once a version of a key has been passed on in this run, every
 * later version is passed on too, whatever its hash. Otherwise an earlier changed record would be
 * sent and the later one, equal to the state, held back, and Propel would end with the earlier
 * version: the later record is the one compared and recorded, as without delta.
 */
import type { ItemEvent, ItemRecord, KnownRecord, PreparedEvent, SourceEvent } from '../../core/record.js';
import type { Visit } from '../../state/delta-state.js';
import type { RecordIndex } from '../../state/record-index.js';
import { itemHash } from './item-hash.js';
import type { PassedKeys } from './passed-keys.js';

/** What the filter needs of the state (DeltaState has it; tests give a Map). */
export interface DeltaLedger {
  /** What the state knows of these keys (those it knows), noting that this run's input holds them. */
  visitAll(keys: readonly string[]): Map<string, Visit>;
  /** Keys unchanged by their item whose text hash changed: the state takes the new one. */
  refreshTexts(rows: readonly (readonly [key: string, raw: string])[]): void;
  transaction<T>(fn: () => T): T;
}

export interface DeltaFilterOptions {
  readonly ledger: DeltaLedger;
  /** The keys passed on in this run (all chunks). */
  readonly passed: PassedKeys;
  /** The state's text hashes, when the reader looked records up by their text (known events come from it). */
  readonly index?: RecordIndex;
  /** Nothing to look up: the state held no key when the run began (a first night). */
  readonly empty?: boolean;
  /** Map and validate, for a known record the night sends after all. */
  readonly prepare?: (ev: SourceEvent) => PreparedEvent;
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
  return refreshDue(known.ackedAt, now, opts.refreshAfterMs) ? 'send' : 'unchanged';
}

function refreshDue(ackedAt: number | null, now: number, refreshAfterMs: number | undefined): boolean {
  return refreshAfterMs !== undefined && (ackedAt === null || now - ackedAt > refreshAfterMs);
}

/** A known record the night sends after all: a version of its key went to the API tonight, or a refresh is due. */
function sendsAnyway(ev: KnownRecord, index: RecordIndex, now: number, opts: DeltaFilterOptions): boolean {
  return index.passed(ev.slot) || refreshDue(index.ackedAt(ev.slot), now, opts.refreshAfterMs);
}

/** A known record, read from its text after all, mapped and validated as the admit gate does. */
function reread(ev: KnownRecord, prepare: (ev: SourceEvent) => PreparedEvent): ItemEvent {
  const item = ev.from.reread(ev.text, ev.prov.line, ev.textHash);
  const source: SourceEvent =
    item.kind === 'record'
      ? { kind: 'record', prov: ev.prov, data: item.data, textHash: ev.textHash }
      : { kind: 'reject', prov: ev.prov, stage: 'read', reason: item.reason, record: item.raw };
  return prepare(source) as ItemEvent;
}

/**
 * What the state knows of the chunk's keys, in one lookup: a call into SQLite per record costs more
 * than the lookup. A rejected row's key is visited too: the row is still in the export, so its key
 * is no orphan.
 */
function lookup(events: readonly PreparedEvent[], opts: DeltaFilterOptions): Map<string, Visit> {
  const keys: string[] = [];
  if (opts.empty !== true)
    for (const ev of events) if (ev.kind === 'item' || (ev.kind === 'reject' && ev.key !== undefined)) keys.push(ev.key ?? '');
  return keys.length > 0 ? opts.ledger.visitAll(keys) : new Map<string, Visit>();
}

/** A chunk that holds more than known records: each compared with what the state knows of its key. */
function compare(chunk: readonly PreparedEvent[], opts: DeltaFilterOptions, now: number): ItemEvent[] {
  const index = opts.index;
  let unchanged = 0;
  const known = lookup(chunk, opts);
  const texts: [string, string][] = [];
  const out: ItemEvent[] = [];
  let fresh = 0;
  let changed = 0;
  for (const event of chunk) {
    let ev: ItemEvent;
    if (event.kind === 'known') {
      // In order: a version of its key passed on earlier in this chunk counts.
      if (index === undefined || opts.prepare === undefined || !sendsAnyway(event, index, now, opts)) {
        unchanged++;
        continue;
      }
      ev = reread(event, opts.prepare);
      for (const [key, visit] of lookup([ev], opts)) known.set(key, visit);
    } else {
      ev = event;
    }
    if (ev.kind === 'reject') {
      out.push(ev);
      continue;
    }
    const json = JSON.stringify(ev.item);
    const hash = itemHash(json);
    const k = known.get(ev.key);
    const passedBefore = k?.passed === true || opts.passed.has(ev.key);
    const visit: Visit | undefined = passedBefore
      ? { hash: k?.hash ?? null, ackedAt: k?.ackedAt ?? null, passed: true, raw: k?.raw ?? null }
      : k;
    if (decide(visit, hash, now, opts) === 'unchanged') {
      unchanged++;
      // Unchanged as an item, not as text: the state learns the text, so the next night knows it by its bytes.
      if (ev.textHash !== undefined && ev.textHash !== k?.raw) texts.push([ev.key, ev.textHash]);
      continue;
    }
    // New: the state never acknowledged this key (and this run has not passed it on before).
    const isNew = (k === undefined || k.hash === null) && !passedBefore;
    if (isNew) fresh++;
    else changed++;
    opts.onChange?.(ev, isNew);
    opts.passed.add(ev.key);
    // A later record holding the acknowledged version's text must now be sent too.
    if (k?.raw != null && index !== undefined) {
      const slot = index.find(k.raw);
      if (slot >= 0) index.markPassed(slot);
    }
    // Written out, not spread: a spread of the event costs ~1.5 µs a row (V8's object clone), more than the hash.
    const rec: ItemRecord = { kind: 'item', prov: ev.prov, item: ev.item, key: ev.key, source: ev.source, json, textHash: ev.textHash };
    opts.onPass?.(rec, hash);
    out.push(rec);
  }
  if (texts.length > 0) opts.ledger.refreshTexts(texts);
  if (unchanged > 0) opts.counts.heldBack(unchanged);
  if (fresh + changed > 0) opts.counts.changesFound(fresh, changed);
  return out;
}

/** One chunk in, what goes on out (possibly empty). One transaction per chunk: one commit per 128 records. */
export function filterChunk(chunk: readonly PreparedEvent[], opts: DeltaFilterOptions): ItemEvent[] {
  const now = opts.now();
  // A chunk of records known by their text (a quiet night's usual chunk) touches no SQLite at all.
  let others = 0;
  for (const ev of chunk) if (ev.kind !== 'known') others++;
  const index = opts.index;
  if (others === 0 && (index === undefined || chunk.every((ev) => ev.kind === 'known' && !sendsAnyway(ev, index, now, opts)))) {
    if (chunk.length > 0) opts.counts.heldBack(chunk.length);
    return [];
  }
  // A first night touches nothing in SQLite: no transaction to open and commit per chunk.
  return opts.empty === true ? compare(chunk, opts, now) : opts.ledger.transaction(() => compare(chunk, opts, now));
}
