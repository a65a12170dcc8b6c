import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PassedKeys } from '../../src/stages/5-delta/passed-keys.js';
import { INDEX_CHARS, RecordIndex } from '../../src/state/record-index.js';

const textHashOf = (i: number): string => hash('sha256', `record ${i}`, 'base64').slice(0, 22);

describe('the record index (typed arrays, no object per key)', () => {
  it('finds every hash it holds and none it does not; the same hash twice is held once', () => {
    const n = 20_000;
    const index = new RecordIndex(n);
    for (let i = 0; i < n; i++) index.add(textHashOf(i), i);
    index.add(textHashOf(0), 0);
    expect(index.size).toBe(n);
    const slots = new Set<number>();
    for (let i = 0; i < n; i++) {
      const slot = index.find(textHashOf(i));
      expect(slot).toBeGreaterThanOrEqual(0);
      slots.add(slot);
    }
    expect(slots.size).toBe(n);
    for (let i = n; i < 2 * n; i++) expect(index.find(textHashOf(i))).toBe(-1);
  });

  it('unseen: the first INDEX_CHARS characters of every hash not marked seen, as the state stores them', () => {
    const index = new RecordIndex(100);
    const all = Array.from({ length: 100 }, (_, i) => textHashOf(i));
    for (const h of all) index.add(h, null);
    for (const h of all.slice(0, 60)) index.markSeen(index.find(h));
    expect([...index.unseen()].sort()).toEqual(all.slice(60).map((h) => h.slice(0, INDEX_CHARS)).sort());
  });

  it('passed and acknowledgement times are per slot; a time never known reads as long ago', () => {
    const index = new RecordIndex(2, true);
    index.add(textHashOf(1), 5_000);
    index.add(textHashOf(2), null);
    const a = index.find(textHashOf(1));
    const b = index.find(textHashOf(2));
    index.markPassed(a);
    expect([index.passed(a), index.passed(b)]).toEqual([true, false]);
    expect([index.ackedAt(a), index.ackedAt(b)]).toEqual([5_000, Number.NEGATIVE_INFINITY]);
    expect(new RecordIndex(1).ackedAt(0)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses more than it was sized for, rather than slowing to a crawl', () => {
    const index = new RecordIndex(1);
    expect(() => {
      for (let i = 0; i < 2000; i++) index.add(textHashOf(i), null);
    }).toThrow(RangeError);
  });
});

describe('passed keys (64-bit hashes in one table)', () => {
  it('holds every key added, through several growths, and no other', () => {
    const keys = new PassedKeys();
    for (let i = 0; i < 50_000; i++) keys.add(`DEMO\u0000C${i}\u0000NL`);
    keys.add('DEMO\u0000C1\u0000NL');
    expect(keys.size).toBe(50_000);
    for (let i = 0; i < 50_000; i++) expect(keys.has(`DEMO\u0000C${i}\u0000NL`)).toBe(true);
    let wrong = 0;
    for (let i = 50_000; i < 100_000; i++) if (keys.has(`DEMO\u0000C${i}\u0000NL`)) wrong++;
    expect(wrong).toBe(0);
    expect(keys.has('')).toBe(false);
  });
});
