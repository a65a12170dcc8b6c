import { describe, expect, it } from 'vitest';
import { IntervalSet, toRanges } from '../../src/core/interval-set.js';

describe('IntervalSet', () => {
  it('merges adjacent and overlapping ranges in any order', () => {
    const s = new IntervalSet();
    s.addRange(10, 19);
    s.addRange(0, 4);
    s.add(5);
    s.addRange(30, 40);
    s.addRange(6, 9);
    expect(s.ranges()).toEqual([
      [0, 19],
      [30, 40],
    ]);
    s.addRange(15, 35);
    expect(s.ranges()).toEqual([[0, 40]]);
    expect(s.size).toBe(41);
  });

  it('answers membership at range edges', () => {
    const s = new IntervalSet();
    s.addRange(3, 5);
    s.addRange(9, 9);
    expect([2, 3, 5, 6, 8, 9, 10].map((n) => s.has(n))).toEqual([false, true, true, false, false, true, false]);
  });

  it('agrees with a plain Set on random input', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const s = new IntervalSet();
    const ref = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const lo = Math.floor(rnd() * 500);
      const hi = lo + Math.floor(rnd() * 5);
      s.addRange(lo, hi);
      for (let n = lo; n <= hi; n++) ref.add(n);
    }
    for (let n = 0; n < 520; n++) expect(s.has(n)).toBe(ref.has(n));
    expect(s.size).toBe(ref.size);
  });
});

describe('toRanges', () => {
  it('compresses unsorted values with duplicates', () => {
    expect(toRanges([5, 3, 4, 4, 10, 1, 11])).toEqual([
      [1, 1],
      [3, 5],
      [10, 11],
    ]);
    expect(toRanges([])).toEqual([]);
  });
});
