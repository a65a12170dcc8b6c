import { describe, expect, it } from 'vitest';
import type { ItemEvent, ItemRecord } from '../../../src/core/record.js';
import { reject } from '../../../src/core/record.js';
import { decide, filterChunk, type DeltaLedger } from '../../../src/stages/5-delta/delta-filter.js';
import { itemHash } from '../../../src/stages/5-delta/item-hash.js';
import type { Visit } from '../../../src/state/delta-state.js';

/** The state as a Map: what a key's acknowledged hash is, and which keys were passed on in this run. */
class MapLedger implements DeltaLedger {
  readonly acked = new Map<string, { hash: string; ackedAt: number }>();
  readonly passed = new Set<string>();
  readonly seen = new Set<string>();
  visitAll(keys: readonly string[]): Map<string, Visit> {
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
    if (a === undefined) return this.passed.has(key) ? { hash: null, ackedAt: null, passed: true } : undefined;
    return { ...a, passed: this.passed.has(key) };
  }
  passAll(keys: readonly string[]): void {
    for (const key of keys) this.passed.add(key);
  }
  transaction<T>(fn: () => T): T {
    return fn();
  }
}

let seq = 0;
function item(key: string, first: string): ItemRecord {
  const it = { source: 'ERP', sourceId: key, language: 'NL', firstName: first };
  return { kind: 'item', prov: { file: 'f', line: seq + 2, seq: seq++ }, item: it, key, source: { no: key } };
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
    expect(decide({ hash: null, ackedAt: null, passed: false }, h, 0, {})).toBe('send');
    expect(decide({ hash: 'other', ackedAt: 0, passed: false }, h, 0, {})).toBe('send');
    expect(decide({ hash: h, ackedAt: 0, passed: false }, h, 10, {})).toBe('unchanged');
    expect(decide({ hash: h, ackedAt: 0, passed: false }, h, 10, { full: true })).toBe('send');
    expect(decide({ hash: h, ackedAt: 0, passed: false }, h, 1000, { refreshAfterMs: 999 })).toBe('send');
    expect(decide({ hash: h, ackedAt: 0, passed: false }, h, 999, { refreshAfterMs: 999 })).toBe('unchanged');
    // An earlier version of the key was sent in this run: the later one follows, whatever its hash.
    expect(decide({ hash: h, ackedAt: 0, passed: true }, h, 10, {})).toBe('send');
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
    const out = filterChunk([same, bad, changed, fresh] as ItemEvent[], {
      ledger,
      counts,
      now: () => 0,
      onPass: (r, h) => passed.push([r.key, h]),
    });
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
    const out = filterChunk([v1, v2], { ledger, counts, now: () => 0 });
    expect(out).toHaveLength(2);
    expect(counts.unchanged).toBe(0);
    // Both equal to the state: neither is sent.
    const l2 = new MapLedger();
    l2.acked.set('K', { hash: hashOf(v2), ackedAt: 0 });
    const out2 = filterChunk([item('K', 'new'), item('K', 'new')], { ledger: l2, counts, now: () => 0 });
    expect(out2).toHaveLength(0);
    expect(counts.unchanged).toBe(2);
  });

  it('refreshAfter resends an unchanged item acknowledged longer ago (injected clock)', () => {
    const ledger = new MapLedger();
    const a = item('A', 'Anna');
    ledger.acked.set('A', { hash: hashOf(a), ackedAt: 1_000 });
    const counts = countsSpy();
    expect(filterChunk([a], { ledger, counts, now: () => 1_000 + 86_400_000, refreshAfterMs: 86_400_000 })).toHaveLength(0);
    const l2 = new MapLedger();
    l2.acked.set('A', { hash: hashOf(a), ackedAt: 1_000 });
    expect(
      filterChunk([item('A', 'Anna')], { ledger: l2, counts, now: () => 1_001 + 86_400_000, refreshAfterMs: 86_400_000 }),
    ).toHaveLength(1);
  });
});
