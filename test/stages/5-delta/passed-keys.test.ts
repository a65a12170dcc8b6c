import { describe, expect, it } from 'vitest';
import { PassedKeys } from '../../../src/stages/5-delta/passed-keys.js';

describe('PassedKeys', () => {
  it('answers as a Set of the keys would, across growth, whatever order has and add are asked in', () => {
    const passed = new PassedKeys();
    const set = new Set<string>();
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 60_000; i++) {
      const key = `C${next() % 40_000}`;
      const other = `C${next() % 40_000}`;
      // has(key) then add(other): the hash remembered for key must not be used for other.
      expect(passed.has(key)).toBe(set.has(key));
      if (next() % 3 === 0) {
        passed.add(other);
        set.add(other);
      } else {
        passed.add(key);
        set.add(key);
      }
      // Equal text in another string object is the same key.
      expect(passed.has([...key].join(''))).toBe(set.has(key));
    }
    expect(passed.size).toBe(set.size);
    for (let i = 0; i < 40_000; i++) expect(passed.has(`C${i}`)).toBe(set.has(`C${i}`));
  });
});
