import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/stages/3-map/compile-mapping.js';

// The mapping's objects are generated code with the field names in it: a name is a quoted
// literal there, never code, whatever the pipeline file holds.
const HOSTILE = [
  'a"b',
  'x\\y',
  'line\nbreak',
  '\u2028',
  "'];process.exit(3);//",
  '"); process.exit(3); ("',
  '${process.exit(3)}',
  '*/ process.exit(3) /*',
  'constructor',
  'toString',
  'hasOwnProperty',
  '0',
  '7',
  'é😀',
];

describe('the generated object of a mapping', () => {
  it('takes any field name as a name: hostile, prototype-like and index-like names map as given, in JSON.stringify order', () => {
    const mapping = compileMapping(Object.fromEntries(HOSTILE.map((name, i) => [name, { from: `c${i}` }])));
    const data = Object.fromEntries(HOSTILE.map((_, i) => [`c${i}`, `v${i}`]));
    const r = mapping(data);
    if (!r.ok) throw new Error(r.reason);
    const expected = Object.fromEntries(HOSTILE.map((name, i) => [name, `v${i}`]));
    expect(r.item).toEqual(expected);
    expect(JSON.stringify(r.item)).toBe(JSON.stringify(expected));
    expect(Object.getPrototypeOf(r.item)).toBe(Object.prototype);
  });

  it('leaves out fields without a value, keeps the order of the rest, and stops at the first reject', () => {
    const mapping = compileMapping({ a: 'a', b: { from: 'b', type: 'integer' }, c: 'c', nested: { d: 'd' } });
    expect(mapping({ c: 'C', a: 'A' })).toEqual({ ok: true, item: { a: 'A', c: 'C' } });
    expect(JSON.stringify((mapping({ c: 'C', d: 'D', a: 'A' }) as { item: unknown }).item)).toBe('{"a":"A","c":"C","nested":{"d":"D"}}');
    expect(mapping({ a: 'A', b: 'x', c: 'C' })).toEqual({ ok: false, reason: 'b: "x" is not an integer' });
  });
});
