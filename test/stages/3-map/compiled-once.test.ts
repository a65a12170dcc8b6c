import { afterEach, describe, expect, it } from 'vitest';
import type { MappingObject } from '../../../src/config/pipeline-spec.js';
import { compileMapping } from '../../../src/stages/3-map/compile-mapping.js';

// A micro-check, not a benchmark: every regex the mapper runs goes through
// RegExp.prototype.exec (test, replace and matchAll call it too once it is patched), so
// recording which RegExp objects run shows whether new ones are made per record.
const originalExec = RegExp.prototype.exec;

afterEach(() => {
  RegExp.prototype.exec = originalExec;
});

describe('compileMapping does the config work once', () => {
  it('uses a fixed set of RegExp objects however many records are mapped', () => {
    const mapping: MappingObject = {
      name: { from: 'name', transform: ['collapse', 'upper'] },
      dob: { from: 'dob', date: 'DD-MM-YYYY' },
      at: { from: 'at', date: 'ISO' },
      n: { from: 'n', type: 'integer' },
      p: { from: 'p', type: 'number' },
      deep: 'a.b[0].c',
      list: [{ x: { from: 'x', transform: ['collapse'] } }],
    };
    const map = compileMapping(mapping);
    const seen = new Set<RegExp>();
    let calls = 0;
    RegExp.prototype.exec = function exec(this: RegExp, s: string) {
      seen.add(this);
      calls++;
      return originalExec.call(this, s);
    };
    const record = (i: number) => ({
      name: ` a  ${i} `,
      dob: '01-02-2020',
      at: '2020-01-01T10:00Z',
      n: String(i),
      p: `${i}.5`,
      a: { b: [{ c: 'v' }] },
      x: 'y  z',
    });
    map(record(0));
    const afterOne = seen.size;
    for (let i = 1; i < 200; i++) map(record(i));
    RegExp.prototype.exec = originalExec;
    expect(calls).toBeGreaterThan(200); // the patch did observe the mapper
    expect(afterOne).toBeGreaterThan(0);
    expect(seen.size).toBe(afterOne);
  });
});
