import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import {
  FORMATS,
  FormatRegistry,
  openSource,
  resolveInputs,
  type BinaryFormat,
  type ParsedItem,
} from '../../../src/stages/1-read/index.js';
import { buildZip, chunked, collect, summary } from './helpers.js';
import { tmpDir, type TmpDir } from '../../support/files.js';
import { sourceObject } from '../../../src/core/record.js';

/**
 * A test-only binary format: fixed 4-byte records (a big-endian uint32 id) after an 8-byte
 * header holding the record count, read the way Parquet will be, by byte range from the footer-
 * like header, never as a stream.
 */
const rangesAsked: [number, number][] = [];
const fixedFormat: BinaryFormat = {
  kind: 'binary',
  name: 'fixed',
  extensions: ['.fixed'],
  entryExtensions: ['.fixed'],
  async check(object, storage, _spec, where) {
    const magic = Buffer.from(await storage.readRange(object, 0, 4)).toString();
    if (magic !== 'FIXD') throw new ConfigError('is not a fixed file', where);
  },
  async *read(object, storage, _spec, where) {
    const header = Buffer.from(await storage.readRange(object, 0, 8));
    rangesAsked.push([0, 8]);
    const count = header.readUInt32BE(4);
    for (let first = 0; first < count; first += 2) {
      const start = 8 + first * 4;
      const end = Math.min(8 + count * 4, start + 8);
      rangesAsked.push([start, end]);
      const bytes = Buffer.from(await storage.readRange(object, start, end));
      const items: ParsedItem[] = [];
      for (let i = 0; i < bytes.length; i += 4) {
        const id = bytes.readUInt32BE(i);
        items.push(
          id === 0
            ? { kind: 'reject', line: first + i / 4 + 1, reason: `id 0 in ${where.file}`, raw: id }
            : { kind: 'record', line: first + i / 4 + 1, data: { id } },
        );
      }
      yield items;
    }
  },
};
const formats = new FormatRegistry([...['csv', 'ndjson', 'json'].map((n) => FORMATS.get(n)), fixedFormat]);

function fixedFile(ids: number[]): Buffer {
  const buf = Buffer.alloc(8 + ids.length * 4);
  buf.write('FIXD', 0);
  buf.writeUInt32BE(ids.length, 4);
  ids.forEach((id, i) => buf.writeUInt32BE(id, 8 + i * 4));
  return buf;
}

let dir: TmpDir;
beforeAll(() => {
  dir = tmpDir();
  writeFileSync(join(dir.path, 'a.fixed'), fixedFile([11, 12, 0, 14, 15]));
  writeFileSync(join(dir.path, 'b.csv'), 'id\n21\n');
  writeFileSync(join(dir.path, 'c.fixed.gz'), gzipSync(fixedFile([31])));
  writeFileSync(join(dir.path, 'd.zip'), buildZip([{ name: 'd.fixed', data: fixedFile([41]) }]));
});
afterAll(() => dir.remove());

describe('format registry', () => {
  it('knows the built-in formats by name and by extension', () => {
    expect(FORMATS.names).toEqual(['csv', 'ndjson', 'json', 'parquet']);
    expect(
      ['a.csv', 'A.TSV.GZ', 'b.txt', 'c.jsonl', 'd.ndjson.zip', 'e.json', 'f.parquet', 'dir.csv/g'].map((n) => FORMATS.fromName(n)?.name),
    ).toEqual(['csv', 'csv', 'csv', 'ndjson', 'ndjson', 'json', 'parquet', undefined]);
    expect(() => FORMATS.get('xml')).toThrow(ConfigError);
  });

  it('chooses archive entries by the pipeline format, or by any format when none is set; never a readme', () => {
    const names = ['users.csv', 'users.tsv', 'LEESMIJ.txt', 'manifest.json', 'more.jsonl', 'notes'];
    expect(names.map((n) => FORMATS.entryFormat(n, 'csv')?.name)).toEqual(['csv', 'csv', undefined, undefined, undefined, undefined]);
    expect(names.map((n) => FORMATS.entryFormat(n, 'ndjson')?.name)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'ndjson',
      undefined,
    ]);
    expect(names.map((n) => FORMATS.entryFormat(n, undefined)?.name)).toEqual(['csv', 'csv', undefined, 'json', 'ndjson', undefined]);
  });
});

describe('a binary format', () => {
  it('reads its objects by byte range through the storage, numbered and counted with the text inputs of the same glob', async () => {
    rangesAsked.length = 0;
    const spec = { path: '{a.fixed,b.csv}' };
    const inputs = await resolveInputs(spec, dir.path, { formats });
    expect(inputs.map((i) => [i.object.display, i.format])).toEqual([
      ['a.fixed', 'fixed'],
      ['b.csv', 'csv'],
    ]);
    const stream = openSource(inputs, spec, { formats });
    const events = await collect(stream);
    expect(events.map((e) => [e.prov.file, e.prov.line, e.prov.seq, e.kind === 'record' ? sourceObject(e.data) : e.reason])).toEqual([
      ['a.fixed', 1, 0, { id: 11 }],
      ['a.fixed', 2, 1, { id: 12 }],
      ['a.fixed', 3, 2, 'id 0 in a.fixed'],
      ['a.fixed', 4, 3, { id: 14 }],
      ['a.fixed', 5, 4, { id: 15 }],
      ['b.csv', 2, 5, { id: '21' }],
    ]);
    expect(rangesAsked).toEqual([
      [0, 8],
      [8, 16],
      [16, 24],
      [24, 28],
    ]);
    // Every byte it asked for, plus the CSV file's.
    expect(stream.bytesRead).toBe(28 + 6);
    expect(stream.totalBytes).toBe(28 + 6);
  });

  it('keeps numbering, limit and startSeq the same as for text', async () => {
    const spec = { path: 'a.fixed' };
    const inputs = await resolveInputs(spec, dir.path, { formats });
    const events = await collect(openSource(inputs, spec, { formats, startSeq: 1, limit: 2 }));
    expect(events.map((e) => [e.prov.seq, e.prov.line])).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('is refused before reading when it cannot have random access: gzip or stdin (exit 2)', async () => {
    const gz = await resolveInputs({ path: 'c.fixed.gz' }, dir.path, { formats }).catch((e: unknown) => e);
    expect((gz as ConfigError).describe()).toBe('c.fixed.gz: fixed needs random access and cannot be read from a gzip file');
    const stdin = await resolveInputs({ path: '-', format: 'fixed' }, dir.path, { formats }).catch((e: unknown) => e);
    expect(stdin).toBeInstanceOf(ConfigError);
    expect((stdin as ConfigError).describe()).toMatch(/^-: fixed needs random access and cannot be read from stdin/);
  });

  it('in a ZIP archive, its entry is checked before the run and read from a private temporary copy', async () => {
    for (const spec of [{ path: 'd.zip', zip: { entries: '*.fixed' } }, { path: 'd.zip' }]) {
      const inputs = await resolveInputs(spec, dir.path, { formats });
      const events = await collect(openSource(inputs, spec, { formats }));
      expect(events.map((e) => [e.prov.file, e.prov.entry, e.prov.line, e.kind === 'record' ? e.data : e.reason])).toEqual([
        ['d.zip', 'd.fixed', 1, { id: 41 }],
      ]);
    }
    writeFileSync(join(dir.path, 'e.zip'), buildZip([{ name: 'e.fixed', data: Buffer.from('not fixed') }]));
    const bad = await resolveInputs({ path: 'e.zip' }, dir.path, { formats }).catch((e: unknown) => e);
    expect((bad as ConfigError).describe()).toBe('e.zip, entry e.fixed: is not a fixed file');
  });

  it('leaves text formats as they were: decoded text fed in any chunking', async () => {
    const spec = { path: '-', format: 'ndjson' as const };
    const inputs = await resolveInputs(spec, '/', { formats });
    const bytes = Buffer.from('{"name":"Zoë 😀"}\n{"name":"€"}\n');
    for (const size of [1, 2, 3, bytes.length]) {
      expect(summary(await collect(openSource(inputs, spec, { formats, stdin: chunked(bytes, size) })))).toEqual([
        { line: 1, data: { name: 'Zoë 😀' } },
        { line: 2, data: { name: '€' } },
      ]);
    }
  });
});
