import { describe, expect, it } from 'vitest';
import type { MappingObject } from '../../../src/config/pipeline-spec.js';
import { Columns, FieldRow } from '../../../src/core/field-row.js';
import type { SourceData } from '../../../src/core/record.js';
import { prng } from '../../../src/demo/demo-data.js';
import { compileMapping } from '../../../src/stages/3-map/compile-mapping.js';
import { compileItemJson } from '../../../src/stages/3-map/item-json.js';

// Every mapping feature that decides an item's shape or a value's type: constants of each type,
// columns read as they are, transforms, map tables with values of mixed types and defaults, every
// converter, dates, nested objects that are left out when none of their columns has a value,
// lists (attributes, names) whose elements are left out, a list whose elements differ in shape,
// a field named like an array index (JSON.stringify writes it first), and JSON values taken whole.
const MAPPING = {
  source: { value: 'ERP' },
  sourceId: { from: 'id' },
  language: { from: 'lang', default: 'NL', transform: ['trim', 'upper'] },
  firstName: { from: 'first', transform: ['trim', 'collapse'] },
  email: { from: 'email', transform: ['trim', 'lower'] },
  count: { from: 'count', type: 'integer', default: 0 },
  score: { from: 'score', type: 'number' },
  active: { from: 'active', type: 'boolean' },
  newsletter: { from: 'active', type: 'yn' },
  born: { from: 'born', date: 'DD-MM-YYYY' },
  tier: { from: 'tier', map: { g: 'GOLD', s: 2, b: true, x: '' }, default: 'NONE' },
  constants: { n: { value: 3 }, t: { value: true }, s: { value: 'a"b\\c\u0001é😀' } },
  address: { street: 'street', city: { from: 'city', transform: ['trim'] }, country: { value: 'NL' } },
  names: [
    { language: { value: 'NL' }, value: 'first' },
    { language: { value: 'EN' }, value: 'last' },
  ],
  attributes: [
    { name: 'CITY', type: 'text', value: { from: 'city' } },
    { name: 'TIER', type: 'text', value: { from: 'tier' } },
  ],
  mixed: ['first', { a: 'last' }, { value: 7 }],
  indexed: { '1': 'first', b: 'last', '0': 'email' },
} as unknown as MappingObject;

const COLUMNS = ['id', 'lang', 'first', 'last', 'email', 'count', 'score', 'active', 'born', 'tier', 'street', 'city'] as const;

/** Text that JSON.stringify escapes, or not: quotes, backslashes, controls, DEL, non-ASCII, emoji, lone surrogates, U+2028. */
const PIECES = [
  '',
  ' ',
  'a',
  'Ann',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  'ß',
  '€',
  '😀',
  '\ud800',
  '\udfff',
  '\u2028',
  '  x  y ',
  '/',
];
const VALUES: Readonly<Record<string, readonly string[]>> = {
  count: ['', '0', '12', '-3', '1e3', '9007199254740993'],
  score: ['', '0', '-0', '1.5', '1e21', '1e-7'],
  active: ['', 'true', 'false', 'yes', 'no', '1', '0'],
  born: ['', '01-02-1990', '31-12-2000'],
  tier: ['', 'g', 's', 'b', 'x'],
};

function text(rand: () => number): string {
  let s = '';
  const n = Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)] as string;
  return s;
}

function field(name: string, rand: () => number): string {
  const choices = VALUES[name];
  return choices !== undefined && rand() < 0.97 ? (choices[Math.floor(rand() * choices.length)] as string) : text(rand);
}

describe('the item JSON compiled from the mapping', () => {
  it('gives exactly JSON.stringify of every item of 5,000 fuzzed CSV rows, with every mapping feature', () => {
    const mapping = compileMapping(MAPPING);
    const rand = prng(24);
    const columns = new Columns([...COLUMNS]);
    let items = 0;
    for (let i = 0; i < 5000; i++) {
      const row = new FieldRow(
        columns,
        COLUMNS.map((c) => field(c, rand)),
      );
      const r = mapping(row);
      if (!r.ok) continue;
      items++;
      expect(mapping.json(r.item)).toBe(JSON.stringify(r.item));
    }
    // Most rows map (the others have a value no converter takes): the test must not pass by rejecting everything.
    expect(items).toBeGreaterThan(2500);
  });

  it('gives exactly JSON.stringify where a JSON source hands values over whole: objects, lists, numbers, null, booleans', () => {
    const mapping = compileMapping({
      sourceId: 'id',
      raw: 'raw',
      nested: { inner: 'raw', deep: 'deep.x' },
      attributes: [{ name: 'A', type: 'text', value: { from: 'raw' } }],
    });
    const raws: unknown[] = [
      { b: 1, a: [1, 'x', null] },
      [1, 2, { '1': 'one', z: 'zed', '0': 'zero' }],
      5,
      -0,
      1e21,
      0.1,
      true,
      false,
      'é"',
      { toString: 'x' },
    ];
    for (const raw of raws) {
      const data: SourceData = { id: 'U1', raw, deep: { x: raw } };
      const r = mapping(data);
      if (!r.ok) throw new Error(r.reason);
      expect(mapping.json(r.item)).toBe(JSON.stringify(r.item));
    }
  });

  it('writes a field named like an array index first, as JSON.stringify does, in whatever order the pipeline file names it', () => {
    const mapping = compileMapping({ b: 'b', '7': 'seven', a: 'a' });
    const r = mapping({ a: 'A', b: 'B', seven: 'S' });
    if (!r.ok) throw new Error(r.reason);
    expect(mapping.json(r.item)).toBe('{"7":"S","b":"B","a":"A"}');
  });

  it('writes an object none of whose fields has a value as {} at the top, and leaves a nested one out', () => {
    const mapping = compileMapping({ address: { city: 'city' }, names: [{ value: { from: 'n' } }] });
    const r = mapping({});
    if (!r.ok) throw new Error(r.reason);
    expect(mapping.json(r.item)).toBe('{}');
    expect(compileItemJson({ kind: 'object', keys: ['x'], fields: [{ kind: 'value' }] })({ x: 'a\u2028b' })).toBe(
      JSON.stringify({ x: 'a\u2028b' }),
    );
  });
});
