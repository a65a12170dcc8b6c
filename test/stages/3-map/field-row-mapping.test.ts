import { describe, expect, it } from 'vitest';
import type { MappingObject } from '../../../src/config/pipeline-spec.js';
import { Columns, FieldRow } from '../../../src/core/field-row.js';
import { prng } from '../../../src/demo/demo-data.js';
import { compileMapping, keyMapping } from '../../../src/stages/3-map/compile-mapping.js';
import { CsvReader } from '../../../src/stages/1-read/csv-reader.js';

// A CSV record reaches the mapping as its fields by position (FieldRow). What the mapping makes of
// it must be what it made of the object keyed by header name, which the records were before:
// same item, same reject reasons, same key. Inputs of one run differ in header order
// and in which columns they have, so positions are resolved again for every input.
const MAPPING = {
  source: { value: 'ERP' },
  sourceId: 'id',
  language: { from: 'lang', default: 'NL', transform: ['trim', 'upper'] },
  firstName: { from: 'first', transform: ['collapse'] },
  count: { from: 'count', type: 'integer' },
  born: { from: 'born', date: 'DD-MM-YYYY' },
  tier: { from: 'tier', map: { g: 'GOLD', s: 'SILVER' } },
  address: { city: 'city', street: 'address.street', zip: 'zip[0]' },
  attributes: [{ name: 'CITY', type: 'text', value: { from: 'city' } }],
} as unknown as MappingObject;

const HEADERS: readonly (readonly string[])[] = [
  ['id', 'lang', 'first', 'count', 'born', 'tier', 'city', 'address.street', 'zip'],
  ['city', 'tier', 'born', 'count', 'first', 'lang', 'id', 'zip', 'address.street'],
  // Without some of the mapped columns: those read nothing.
  ['first', 'id', 'born'],
];
const VALUES = ['', ' ', 'x', 'g', 's', '12', 'twelve', '01-02-1990', '1990-02-01', '  Ann  de  Vries ', '"q"', 'é😀'];

describe('the mapping over fields by position', () => {
  it('makes of 3,000 fuzzed rows of three inputs exactly what it made of each row as an object keyed by header name', () => {
    const mapping = compileMapping(MAPPING);
    const keyOf = keyMapping(MAPPING, 'users');
    const rand = prng(2024);
    let items = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      // Each input its own Columns, as a reader makes one per header; a few rows per input in turn.
      const names = HEADERS[Math.floor(i / 7) % HEADERS.length] as readonly string[];
      const columns = new Columns([...names]);
      const row = new FieldRow(
        columns,
        names.map(() => VALUES[Math.floor(rand() * VALUES.length)] as string),
      );
      const object = row.toJSON();
      expect(Object.keys(object)).toEqual(names);
      const byPosition = mapping(row);
      const byName = mapping(object);
      expect(byPosition).toEqual(byName);
      expect(keyOf(row)).toBe(keyOf(object));
      if (byPosition.ok) items++;
      else refused++;
    }
    // Both outcomes are exercised, so neither can pass vacuously.
    expect(items).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(300);
  });

  it('reads a headerless CSV by position names "0", "1", … and a short row as missing the rest', () => {
    const reader = new CsvReader({ headers: false }, { file: 'x.csv' });
    const items = [...reader.write('A1,Ann\nA2\n'), ...reader.end()];
    const mapping = compileMapping({ sourceId: '0', firstName: '1', other: '01' });
    const results = items.map((it) => (it.kind === 'record' ? mapping(it.data) : it.kind));
    expect(results).toEqual([
      { ok: true, item: { sourceId: 'A1', firstName: 'Ann' } },
      { ok: true, item: { sourceId: 'A2' } },
    ]);
    expect(items.map((it) => (it.kind === 'record' ? JSON.stringify(it.data) : ''))).toEqual(['{"0":"A1","1":"Ann"}', '{"0":"A2"}']);
  });
});
