import { describe, expect, it } from 'vitest';
import type { ItemEvent, ItemRecord, KnownRecord, PreparedEvent, SourceEvent } from '../../../src/core/record.js';
import { reject, sourceObject } from '../../../src/core/record.js';
import { decide, filterChunk, type DeltaFilterOptions, type DeltaLedger } from '../../../src/stages/5-delta/delta-filter.js';
import { itemHash } from '../../../src/stages/5-delta/item-hash.js';
import { PassedKeys } from '../../../src/stages/5-delta/passed-keys.js';
import type { Visit } from '../../../src/state/delta-state.js';
import { RecordIndex } from '../../../src/state/record-index.js';

/** The state as a Map: what a key's acknowledged hash (and record text hash) is, and which keys were sent in an earlier attempt of this run. */
class MapLedger implements DeltaLedger {
  readonly acked = new Map<string, { hash: string; ackedAt: number; raw?: string }>();
  readonly passed = new Set<string>();
  readonly seen = new Set<string>();
  readonly texts: [string, string][] = [];
  lookups = 0;
  visitAll(keys: readonly string[]): Map<string, Visit> {
    this.lookups++;
    const m = new Map<string, Visit>();
    for (const k of keys) {
      const v = this.visit(k);
      if (v !== undefined) m.set(k, v);
    }
    return m;
  }
  visit(key: string): Visit | undefined {
    this.seen.add(key);
    const a = this.acked.get(key);
    if (a === undefined) return this.passed.has(key) ? { hash: null, ackedAt: null, passed: true, raw: null } : undefined;
    return { hash: a.hash, ackedAt: a.ackedAt, passed: this.passed.has(key), raw: a.raw ?? null };
  }
  refreshTexts(rows: readonly (readonly [string, string])[]): void {
    for (const [k, r] of rows) this.texts.push([k, r]);
  }
  transactions = 0;
  transaction<T>(fn: () => T): T {
    this.transactions++;
    return fn();
  }
}

let seq = 0;
function item(key: string, first: string, textHash?: string): ItemRecord {
  const it = { source: 'ERP', sourceId: key, language: 'NL', firstName: first };
  const rec: ItemRecord = { kind: 'item', prov: { file: 'f', line: seq + 2, seq: seq++ }, item: it, key, source: { no: key } };
  return textHash !== undefined ? { ...rec, textHash } : rec;
}

/** Records as `key;first` text; the known ones are read again from it and mapped as `item` maps. */
const reader = {
  reread: (text: string) => ({ kind: 'record' as const, data: { no: text.split(';')[0] as string, first: text.split(';')[1] as string } }),
};
const prepare = (ev: SourceEvent): PreparedEvent =>
  ev.kind === 'record'
    ? { ...item(String(sourceObject(ev.data).no), String(sourceObject(ev.data).first), ev.textHash), prov: ev.prov }
    : ev;
/** A stand-in for a text hash: base64, as the index reads it. */
const th = (text: string): string => Buffer.from(`${text}.................`).toString('base64').slice(0, 22);
function known(index: RecordIndex, text: string): KnownRecord {
  const textHash = th(text);
  return { kind: 'known', prov: { file: 'f', line: seq + 2, seq: seq++ }, slot: index.find(textHash), textHash, text, from: reader };
}
function opts(ledger: MapLedger, counts: DeltaFilterOptions['counts'], more: Partial<DeltaFilterOptions> = {}): DeltaFilterOptions {
  return { ledger, counts, now: () => 0, passed: new PassedKeys(), ...more };
}
const hashOf = (r: ItemRecord): string => itemHash(JSON.stringify(r.item));

/** What the filter tells the run's counts: held back, and passed on as new or changed. */
function countsSpy(): {
  unchanged: number;
  fresh: number;
  changed: number;
  heldBack(n: number): void;
  changesFound(f: number, c: number): void;
} {
  return {
    unchanged: 0,
    fresh: 0,
    changed: 0,
    heldBack(n) {
      this.unchanged += n;
    },
    changesFound(f, c) {
      this.fresh += f;
      this.changed += c;
    },
  };
}

describe('delta filter (pure)', () => {
  it('decide: unknown, never acknowledged, changed, too old and --full are sent; equal and fresh is unchanged', () => {
    const h = 'h1';
    expect(decide(undefined, h, 0, {})).toBe('send');
    expect(decide({ hash: null, ackedAt: null, passed: false, raw: null }, h, 0, {})).toBe('send');
    expect(decide({ hash: 'other', ackedAt: 0, passed: false, raw: null }, h, 0, {})).toBe('send');
    expect(decide({ hash: h, ackedAt: 0, passed: false, raw: null }, h, 10, {})).toBe('unchanged');
    expect(decide({ hash: h, ackedAt: 0, passed: false, raw: null }, h, 10, { full: true })).toBe('send');
    expect(decide({ hash: h, ackedAt: 0, passed: false, raw: null }, h, 1000, { refreshAfterMs: 999 })).toBe('send');
    expect(decide({ hash: h, ackedAt: 0, passed: false, raw: null }, h, 999, { refreshAfterMs: 999 })).toBe('unchanged');
    // An earlier version of the key was sent in this run: the later one follows, whatever its hash.
    expect(decide({ hash: h, ackedAt: 0, passed: true, raw: null }, h, 10, {})).toBe('send');
  });

  it('holds back what Propel has, passes on the rest with the JSON it hashed, counts unchanged, lets rejects through', () => {
    const ledger = new MapLedger();
    const same = item('A', 'Anna');
    const changed = item('B', 'Bram');
    const fresh = item('C', 'Chloé');
    ledger.acked.set('A', { hash: hashOf(same), ackedAt: 0 });
    ledger.acked.set('B', { hash: 'stale', ackedAt: 0 });
    const bad = reject({ file: 'f', line: 9, seq: 99 }, 'validate', 'no', {});
    const counts = countsSpy();
    const passed: [string, string][] = [];
    const out = filterChunk(
      [same, bad, changed, fresh] as ItemEvent[],
      opts(ledger, counts, { onPass: (r, h) => passed.push([r.key, h]) }),
    );
    expect(out.map((e) => (e.kind === 'item' ? e.key : e.kind))).toEqual(['reject', 'B', 'C']);
    expect([counts.unchanged, counts.fresh, counts.changed]).toEqual([1, 1, 1]);
    const b = out[1] as ItemRecord;
    // The batcher sends exactly the string that was hashed.
    expect(b.json).toBe(JSON.stringify(changed.item));
    expect(passed).toEqual([
      ['B', hashOf(changed)],
      ['C', hashOf(fresh)],
    ]);
    expect([...ledger.seen].sort()).toEqual(['A', 'B', 'C']);
  });

  it('the same key twice: the later record is the one compared; once an earlier version went, the later goes too', () => {
    const ledger = new MapLedger();
    const v1 = item('K', 'old');
    const v2 = item('K', 'new');
    // Propel has v2 already; v1 differs, so v1 goes, and v2 must follow or Propel ends with v1.
    ledger.acked.set('K', { hash: hashOf(v2), ackedAt: 0 });
    const counts = countsSpy();
    const out = filterChunk([v1, v2], opts(ledger, counts));
    expect(out).toHaveLength(2);
    expect(counts.unchanged).toBe(0);
    // Both equal to the state: neither is sent.
    const l2 = new MapLedger();
    l2.acked.set('K', { hash: hashOf(v2), ackedAt: 0 });
    const out2 = filterChunk([item('K', 'new'), item('K', 'new')], opts(l2, counts));
    expect(out2).toHaveLength(0);
    expect(counts.unchanged).toBe(2);
  });

  it('refreshAfter resends an unchanged item acknowledged longer ago (injected clock)', () => {
    const ledger = new MapLedger();
    const a = item('A', 'Anna');
    ledger.acked.set('A', { hash: hashOf(a), ackedAt: 1_000 });
    const counts = countsSpy();
    expect(filterChunk([a], opts(ledger, counts, { now: () => 1_000 + 86_400_000, refreshAfterMs: 86_400_000 }))).toHaveLength(0);
    const l2 = new MapLedger();
    l2.acked.set('A', { hash: hashOf(a), ackedAt: 1_000 });
    expect(filterChunk([item('A', 'Anna')], opts(l2, counts, { now: () => 1_001 + 86_400_000, refreshAfterMs: 86_400_000 }))).toHaveLength(
      1,
    );
  });

  it('known records are unchanged without a lookup; a chunk of them touches no state at all', () => {
    const ledger = new MapLedger();
    const index = new RecordIndex(2);
    index.add(th('A;Anna'), 0);
    index.add(th('B;Bram'), 0);
    const counts = countsSpy();
    expect(filterChunk([known(index, 'A;Anna'), known(index, 'B;Bram')], opts(ledger, counts, { index, prepare }))).toEqual([]);
    expect([counts.unchanged, ledger.lookups]).toEqual([2, 0]);
  });

  it('the same key twice, the known version after a changed one: the known one is read again and sent too (same chunk, and a later one)', () => {
    const ledger = new MapLedger();
    const index = new RecordIndex(1);
    index.add(th('K;old'), 0);
    ledger.acked.set('K', { hash: hashOf(item('K', 'old')), ackedAt: 0, raw: th('K;old') });
    const counts = countsSpy();
    const o = opts(ledger, counts, { index, prepare });
    const first = filterChunk([item('K', 'new', th('K;new')), known(index, 'K;old')], o);
    expect(first.map((e) => (e.kind === 'item' ? [e.key, e.item.firstName, e.textHash] : e.kind))).toEqual([
      ['K', 'new', th('K;new')],
      ['K', 'old', th('K;old')],
    ]);
    const later = filterChunk([known(index, 'K;old')], o);
    expect(later).toHaveLength(1);
    expect([counts.unchanged, counts.fresh, counts.changed]).toEqual([0, 0, 3]);
  });

  it('a known record whose refresh is due is read again and sent; an unchanged item with new text has its text kept', () => {
    const ledger = new MapLedger();
    const index = new RecordIndex(1, true);
    index.add(th('A;Anna'), 1_000);
    ledger.acked.set('A', { hash: hashOf(item('A', 'Anna')), ackedAt: 1_000, raw: th('A;Anna') });
    const counts = countsSpy();
    const due = filterChunk([known(index, 'A;Anna')], opts(ledger, counts, { index, prepare, refreshAfterMs: 10, now: () => 2_000 }));
    expect(due.map((e) => e.kind)).toEqual(['item']);
    // Quoting changed, the item did not: held back, and the state learns the new text.
    const requoted = filterChunk([item('A', 'Anna', th('A;"Anna"'))], opts(ledger, counts, { index, prepare }));
    expect(requoted).toEqual([]);
    expect(ledger.texts).toEqual([['A', th('A;"Anna"')]]);
  });

  it('a first night (empty state) looks nothing up, opens no transaction, and still counts a key twice as one new and one changed', () => {
    const ledger = new MapLedger();
    const counts = countsSpy();
    const out = filterChunk([item('N', 'one'), item('N', 'two')], opts(ledger, counts, { empty: true }));
    expect(out).toHaveLength(2);
    expect([ledger.lookups, ledger.transactions, counts.fresh, counts.changed]).toEqual([0, 0, 1, 1]);
  });

  it('every record passed on has one shape, whether its event had a text hash or not (regression: a spread of the event made each a clone of its event, 1.5 µs a row)', () => {
    const ledger = new MapLedger();
    const out = filterChunk([item('A', 'one'), item('B', 'two', th('B;two'))], opts(ledger, countsSpy(), { empty: true }));
    const fields = ['kind', 'prov', 'item', 'key', 'source', 'json', 'textHash'];
    expect(out.map((r) => Object.keys(r))).toEqual([fields, fields]);
    expect(out.map((r) => (r as ItemRecord).textHash)).toEqual([undefined, th('B;two')]);
  });
});
