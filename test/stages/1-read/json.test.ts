import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../../../src/core/errors.js';
import { JsonReader, openSource, parseJsonPointer, resolveInputs } from '../../../src/stages/1-read/index.js';
import { collectUntilError, readSpec, readStdin, summary } from './helpers.js';

const fixtures = fileURLToPath(new URL('../../fixtures/sources/', import.meta.url));

const DOCUMENT_EXPECTED = [
  { line: 6, data: { id: 1, name: { first: 'Zoë', last: 'Ångström' }, phones: ['+31 20 123', '+31 6 456'] } },
  { line: 11, data: { id: 2, name: { first: 'José', last: 'O"Brien \\ é' }, phones: [] } },
  { line: 12, reason: 'record 3 is a string, not a JSON object', record: 'not an object' },
  { line: 13, data: { id: 3, active: true, note: null, text: 'a [ { ] } , : inside a string\nwith an escaped newline' } },
];

const NDJSON_EXPECTED = [
  { line: 1, data: { id: 1, name: 'Ann' } },
  { line: 3, data: { id: 2, name: 'Björn' } },
  { line: 4, reason: expect.stringMatching(/^line is not valid JSON: /) as unknown, record: '{"id":3,"name":' },
  { line: 5, reason: 'line holds an array, not a JSON object', record: '[1,2]' },
  { line: 7, data: { id: 4 } },
];

describe('NDJSON source', () => {
  it('reads one object per line, skips blank lines, rejects broken lines with their line and goes on', async () => {
    const events = await readSpec({ path: 'users.ndjson' }, fixtures);
    expect(summary(events)).toEqual(NDJSON_EXPECTED);
    expect(events.map((e) => e.prov.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(events.map((e) => (e.kind === 'reject' ? e.stage : 'record'))).toEqual(['record', 'record', 'read', 'read', 'record']);
  });

  it('gives the same records and lines in 1-, 2- and 3-byte chunks', async () => {
    const bytes = readFileSync(join(fixtures, 'users.ndjson'));
    for (const size of [1, 2, 3]) expect(summary(await readStdin(bytes, size, { format: 'ndjson' }))).toEqual(NDJSON_EXPECTED);
  });

  it('cuts the raw text of a huge broken line to about 1 KB', async () => {
    const events = await readStdin(Buffer.from(`{"x":"${'y'.repeat(5000)}\n`), 4096, { format: 'ndjson' });
    expect(events).toHaveLength(1);
    const raw = events[0]?.kind === 'reject' ? (events[0].record as string) : '';
    expect(raw.length).toBeLessThanOrEqual(1025);
    expect(raw.startsWith('{"x":"yyy')).toBe(true);
  });
});

describe('JSON document source', () => {
  it('streams the records at /data/users with the line each record opens on', async () => {
    const events = await readSpec({ path: 'users-document.json', json: { pointer: '/data/users' } }, fixtures);
    expect(summary(events)).toEqual(DOCUMENT_EXPECTED);
    expect(events.every((e) => e.prov.file === 'users-document.json')).toBe(true);
  });

  it('gives the same records and lines in 1-, 2- and 3-byte chunks', async () => {
    const bytes = readFileSync(join(fixtures, 'users-document.json'));
    for (const size of [1, 2, 3]) {
      expect(summary(await readStdin(bytes, size, { format: 'json', json: { pointer: '/data/users' } }))).toEqual(DOCUMENT_EXPECTED);
    }
  });

  it('reads a top-level array by default, and array indexes and escaped keys in pointers', () => {
    const top = new JsonReader(undefined, { file: 'a.json' });
    expect([...top.write('[{"a":1},\n {"a":2}]'), ...top.end()]).toEqual([
      { kind: 'record', line: 1, data: { a: 1 } },
      { kind: 'record', line: 2, data: { a: 2 } },
    ]);
    const nested = new JsonReader('/0/a~1b', { file: 'a.json' });
    expect([...nested.write('[{"x":[{"no":1}],"a/b":[{"yes":1}]},{"a/b":[{"no":2}]}]'), ...nested.end()]).toEqual([
      { kind: 'record', line: 1, data: { yes: 1 } },
    ]);
    expect(parseJsonPointer('/a~0b/~1')).toEqual(['a~b', '/']);
    expect(() => parseJsonPointer('data')).toThrow(ConfigError);
  });

  it('fails naming the pointer when no array is there', () => {
    const missing = new JsonReader('/data/people', { file: 'a.json' });
    missing.write('{"data":{"users":[]}}');
    expect(() => missing.end()).toThrow('no array at JSON pointer "/data/people"');
    const object = new JsonReader('/data', { file: 'a.json' });
    expect(() => object.write('{"data":{"users":[]}}')).toThrow('leads to an object, not an array of records');
  });

  it('stops on a truncated document with file and line, after the records before the break', async () => {
    const inputs = await resolveInputs({ path: 'truncated.json', json: { pointer: '/data/users' } }, fixtures);
    const { events, error } = await collectUntilError(openSource(inputs, { path: 'truncated.json', json: { pointer: '/data/users' } }));
    expect(summary(events)).toEqual([
      { line: 1, data: { id: 1 } },
      { line: 2, data: { id: 2 } },
    ]);
    expect(error).toBeInstanceOf(SourceError);
    const e = error as SourceError;
    expect(e.code).toBe('ETL_SOURCE_JSON');
    expect(e.exitCode).toBe(3);
    expect(e.context).toMatchObject({ file: 'truncated.json', line: 3 });
    expect(e.describe()).toMatch(/^truncated\.json, line 3: the JSON document ends early/);
  });

  it('stops on invalid JSON in the middle with its line', () => {
    const reader = new JsonReader(undefined, { file: 'bad.json' });
    const items = reader.write('[{"a":1},\n{"a":2},\n{"a" 3}]');
    expect(items.map((i) => i.line)).toEqual([1, 2]);
    let error: unknown;
    try {
      reader.end();
    } catch (e) {
      error = e;
    }
    expect((error as SourceError).context).toMatchObject({ file: 'bad.json', line: 3 });
    expect((error as SourceError).message).toMatch(/^invalid JSON: /);
  });
});
