import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MappingObject } from '../../../src/config/pipeline-spec.js';
import type { SourceData } from '../../../src/core/record.js';
import { compileMapping, type MapResult } from '../../../src/stages/3-map/compile-mapping.js';

const dir = fileURLToPath(new URL('../../fixtures/mapping/', import.meta.url));

function ndjson<T>(name: string): T[] {
  return readFileSync(dir + name, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

type Expected = { item: Record<string, unknown> } | { reason: string };

describe('fixture users-basic', () => {
  const mapping = JSON.parse(readFileSync(dir + 'users-basic.mapping.json', 'utf8')) as MappingObject;
  const rows = ndjson<SourceData>('users-basic.input.ndjson');
  const expected = ndjson<Expected>('users-basic.expected.ndjson');

  it('has one expectation per input row', () => {
    expect(rows.length).toBe(expected.length);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('maps every row to the expected item or reject reason', () => {
    const map = compileMapping(mapping);
    const actual = rows.map((row): Expected => {
      const r: MapResult = map(row);
      return r.ok ? { item: r.item } : { reason: r.reason };
    });
    expect(actual).toEqual(expected);
  });

  it('does not touch the input rows', () => {
    const map = compileMapping(mapping);
    const row = rows[0] as SourceData;
    const before = JSON.stringify(row);
    map(row);
    expect(JSON.stringify(row)).toBe(before);
  });
});
