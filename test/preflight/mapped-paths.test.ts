import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../../src/config/pipeline-spec.js';
import { MappedPaths } from '../../src/preflight/mapped-paths.js';
import type { InputFile } from '../../src/stages/1-read/resolve-inputs.js';

const spec = {
  mapping: {
    source: { value: 'ERP' },
    sourceId: 'id',
    email: 'contact.mail',
    addresses: [{ type: { value: 'invoice' }, city: 'city', email: 'contact.mail' }],
  },
} as unknown as PipelineSpec;
const inputs = [{ object: { display: 'a.ndjson' } }, { object: { display: 'b.ndjson' } }] as unknown as InputFile[];
const map = Object.assign(() => ({ ok: true as const, item: {} }), { sources: [] as string[] });

describe('MappedPaths', () => {
  it('names each path no record had, once, in mapping order; none before any record', () => {
    const paths = new MappedPaths(spec);
    expect(paths.warnings(inputs)).toEqual([]);
    const watched = paths.watch(map);
    watched({ id: 'A' });
    watched({ id: 'B', city: null });
    expect(paths.warnings(inputs)).toEqual(['mapping.email reads "contact.mail", which no record of a.ndjson, b.ndjson had']);
  });

  it('stops looking at records once every path was seen', () => {
    const paths = new MappedPaths(spec);
    const watched = paths.watch(map);
    watched({ id: 'A', city: 'X', contact: { mail: 'a@x.nl' } });
    let reads = 0;
    const spy = new Proxy(
      { id: 'B' },
      {
        get: (t, k) => {
          reads++;
          return Reflect.get(t, k);
        },
        getOwnPropertyDescriptor: (t, k) => {
          reads++;
          return Reflect.getOwnPropertyDescriptor(t, k);
        },
      },
    );
    watched(spy);
    expect(reads).toBe(0);
    expect(paths.warnings(inputs)).toEqual([]);
  });
});

describe('MappedPaths.watch', () => {
  it('keeps the columns a columnar reader must fetch', () => {
    const compiled = Object.assign(() => ({ ok: true as const, item: {} }), { sources: ['id', 'contact.mail'] });
    expect(new MappedPaths(spec).watch(compiled).sources).toEqual(['id', 'contact.mail']);
  });
});
