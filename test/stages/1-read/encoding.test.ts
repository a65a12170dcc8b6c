/**
 * Bytes that are not UTF-8 in an input read as UTF-8 (the default) are never turned into U+FFFD
 * and passed on: in the first 64 KiB the input is refused (ConfigError, exit 2) before any of its
 * records is emitted; later, the records holding them are read rejects.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { sourceObject } from '../../../src/core/record.js';
import { ENCODING_CHECK_BYTES, openSource, resolveInputs } from '../../../src/stages/1-read/index.js';
import { NUL_REASON } from '../../../src/stages/1-read/nul-check.js';
import { buildZip, chunked, collect, collectUntilError, readSpec, readStdin, summary } from './helpers.js';
import { tempDir, tmpDir, type TmpDir } from '../../support/files.js';

const CP1252 = iconv.encode('id;name\n1;Ann\n2;René\n3;Müller\n', 'windows-1252');

/** `rows` plain rows (about 40 bytes each), one of which (`badRow`) holds a windows-1252 é. */
function csvWithBadRow(rows: number, badRow: number): Buffer {
  const parts: Buffer[] = [Buffer.from('id,name\n')];
  for (let i = 1; i <= rows; i++) {
    parts.push(
      i === badRow
        ? Buffer.concat([Buffer.from(`${i},Ren`), Buffer.from([0xe9]), Buffer.from(' van der Berg-Jansen\n')])
        : Buffer.from(`${i},Zoë 😀 van der Berg-Jansen\n`),
    );
  }
  return Buffer.concat(parts);
}

function hasReplacement(value: unknown): boolean {
  return JSON.stringify(value).includes('\uFFFD');
}

let dir: TmpDir;
beforeAll(() => {
  dir = tmpDir();
  writeFileSync(join(dir.path, 'klanten.csv'), CP1252);
  // The bad byte at about 40 KiB of the inflated text: gzip hands it over in 16 KiB pieces, after good rows.
  writeFileSync(join(dir.path, 'early.csv.gz'), gzipSync(csvWithBadRow(2000, 1000)));
  writeFileSync(join(dir.path, 'a.csv'), 'id;name\n1;Ann\n');
  writeFileSync(join(dir.path, 'b.csv'), 'id;name\n2;Zoë\n');
  writeFileSync(
    join(dir.path, 'bundle.zip'),
    buildZip([
      { name: 'a.csv', data: Buffer.from('id;name\n1;Ann\n') },
      { name: 'klanten.csv', data: CP1252 },
    ]),
  );
  writeFileSync(join(dir.path, 'late.csv'), csvWithBadRow(2500, 2400));
});
afterAll(() => dir.remove());

describe('UTF-8 input that is not UTF-8', () => {
  it('refuses windows-1252 bytes in the first 64 KiB naming file and line, suggesting windows-1252, in any chunking', async () => {
    for (const size of [1, 2, 3, CP1252.length]) {
      const spec = { path: '-', format: 'csv' as const, csv: { delimiter: ';' } };
      const { events, error } = await collectUntilError(openSource(await resolveInputs(spec, '/'), spec, { stdin: chunked(CP1252, size) }));
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).exitCode).toBe(2);
      expect((error as ConfigError).code).toBe('ETL_SOURCE_ENCODING');
      expect((error as ConfigError).describe()).toBe(
        '-, line 3: not valid UTF-8 (byte 0xE9); the file looks like windows-1252: set source.csv.encoding: windows-1252',
      );
    }
  });

  it('refuses such a file after the first when the inputs are resolved, before the run reads any: last of a glob, gzip (the bad byte pieces in), an archive entry', async () => {
    const cases: [string, string][] = [
      ['*.csv', 'klanten.csv, line 3'],
      ['{a.csv,early.csv.gz}', 'early.csv.gz, line 1001'],
      ['bundle.zip', 'bundle.zip, entry klanten.csv, line 3'],
    ];
    for (const [path, where] of cases) {
      const error = await resolveInputs({ path, csv: { delimiter: ';' } }, dir.path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).describe()).toBe(
        `${where}: not valid UTF-8 (byte 0xE9); the file looks like windows-1252: set source.csv.encoding: windows-1252`,
      );
    }
    // What is damaged further down is the run's to meet, record by record.
    expect(await resolveInputs({ path: 'late.csv' }, dir.path)).toHaveLength(1);
  });

  it('refuses a single file from the stream before any of its records, plain or gzip (the bad byte pieces in)', async () => {
    for (const [path, where] of [
      ['klanten.csv', 'klanten.csv, line 3'],
      ['early.csv.gz', 'early.csv.gz, line 1001'],
    ] as const) {
      const spec = { path, csv: { delimiter: ';' } };
      const { events, error } = await collectUntilError(openSource(await resolveInputs(spec, dir.path), spec));
      expect(events).toEqual([]);
      expect((error as ConfigError).describe()).toBe(
        `${where}: not valid UTF-8 (byte 0xE9); the file looks like windows-1252: set source.csv.encoding: windows-1252`,
      );
    }
  });

  it('rejects at read only the record holding such a byte past the first 64 KiB; the rest reads whole, in tiny chunks too', async () => {
    const bytes = csvWithBadRow(2500, 2400);
    expect(bytes.indexOf(Buffer.from([0xe9]))).toBeGreaterThan(ENCODING_CHECK_BYTES);
    for (const size of [7, 4096]) {
      const events = await readStdin(bytes, size, { format: 'csv' });
      expect(events).toHaveLength(2500);
      const rejects = events.filter((e) => e.kind === 'reject');
      expect(rejects.map((e) => [e.prov.line, e.kind === 'reject' ? e.stage : '', e.kind === 'reject' ? e.reason : ''])).toEqual([
        [2401, 'read', 'not valid UTF-8 (byte 0xE9); the file looks like windows-1252: set source.csv.encoding: windows-1252'],
      ]);
      const records = events.filter((e) => e.kind === 'record');
      expect(records.some(hasReplacement)).toBe(false);
      expect(records[0]?.kind === 'record' ? sourceObject(records[0].data) : undefined).toEqual({
        id: '1',
        name: 'Zoë 😀 van der Berg-Jansen',
      });
    }
  });

  it('says JSON and NDJSON must be UTF-8, and suggests utf-16 for a UTF-16 file', async () => {
    const ndjson = Buffer.concat([Buffer.from('{"name":"Ren'), Buffer.from([0xe9]), Buffer.from('"}\n')]);
    const nd = await collectUntilError(
      openSource(await resolveInputs({ path: '-', format: 'ndjson' }, '/'), { path: '-', format: 'ndjson' }, { stdin: chunked(ndjson, 5) }),
    );
    expect((nd.error as ConfigError).describe()).toBe(
      '-, line 1: not valid UTF-8 (byte 0xE9), which NDJSON must be; the file looks like windows-1252: convert it to UTF-8',
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('id,name\n1,Łukasz\n', 'utf-16le')]);
    const u = await collectUntilError(
      openSource(await resolveInputs({ path: '-', format: 'csv' }, '/'), { path: '-', format: 'csv' }, { stdin: chunked(utf16, 3) }),
    );
    expect((u.error as ConfigError).describe()).toBe(
      '-, line 1: not valid UTF-8 (byte 0xFF); the file looks like utf-16: set source.csv.encoding: utf-16',
    );
  });

  it('passes valid UTF-8 whole in 1-byte chunks, a U+FFFD written as UTF-8 and a byte-order mark included', async () => {
    const bytes = Buffer.from('\uFEFFid,name\r\n1,"Zoë 😀\r\nœ"\r\n2,a \uFFFD b\r\n');
    for (const size of [1, 2, 3, bytes.length]) {
      expect(summary(await readStdin(bytes, size, { format: 'csv' }))).toEqual([
        { line: 2, data: { id: '1', name: 'Zoë 😀\r\nœ' } },
        { line: 4, data: { id: '2', name: 'a \uFFFD b' } },
      ]);
    }
  });

  it('reads the same bytes with encoding windows-1252 as intended', async () => {
    expect(
      summary(
        await collect(
          openSource(await resolveInputs({ path: 'klanten.csv', csv: { delimiter: ';', encoding: 'windows-1252' } }, dir.path), {
            path: 'klanten.csv',
            csv: { delimiter: ';', encoding: 'windows-1252' },
          }),
        ),
      ),
    ).toEqual([
      { line: 2, data: { id: '1', name: 'Ann' } },
      { line: 3, data: { id: '2', name: 'René' } },
      { line: 4, data: { id: '3', name: 'Müller' } },
    ]);
  });
});

describe('a NUL character in a field (issue 25)', () => {
  it('CSV: the record holding it is a read reject, the others are read; fed in pieces of every size', async () => {
    const data = Buffer.from('id,name\nA1,Ann\nA2,An\u0000n\nA3,Cas\n');
    for (const size of [1, 2, 3, 7, 64]) {
      const events = await readStdin(data, size, { format: 'csv' });
      expect(events.map((e) => (e.kind === 'record' ? sourceObject(e.data) : e.reason))).toEqual([
        { id: 'A1', name: 'Ann' },
        NUL_REASON,
        { id: 'A3', name: 'Cas' },
      ]);
    }
  });

  it('NDJSON and JSON: a \\u0000 escape, also split between two pieces, rejects its record', async () => {
    const lines = Buffer.from('{"id":"N1","name":"Ann"}\n{"id":"N2","name":"An\\u0000n"}\n{"id":"N3","nested":{"k":["x\\u0000"]}}\n');
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const events = await readStdin(lines, size, { format: 'ndjson' });
      expect(events.map((e) => e.kind)).toEqual(['record', 'reject', 'reject']);
    }
    const doc = Buffer.from('[{"id":"J1"},{"id":"J2","name":"\\u0000"}]');
    expect((await readStdin(doc, 3, { format: 'json' })).map((e) => e.kind)).toEqual(['record', 'reject']);
  });

  it('Parquet (written by DuckDB): a NUL in a string, also inside a struct, rejects its record', async () => {
    const dir = await tempDir('nul-parquet-');
    const path = join(dir, 'nul.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      await c.run(
        `COPY (SELECT * FROM (VALUES ('P1', 'Ann', {'city': 'Delft'}), ('P2', 'An' || chr(0) || 'n', {'city': 'Ede'}), ('P3', 'Cas', {'city': 'Ee' || chr(0)}), ('P4', 'Dirk', {'city': 'Ulft'})) t(id, name, address)) TO '${path}' (FORMAT parquet)`,
      );
    } finally {
      c.closeSync();
      db.closeSync();
    }
    const events = await readSpec({ path: 'nul.parquet' }, dir);
    expect(events.map((e) => (e.kind === 'record' ? sourceObject(e.data).id : e.reason))).toEqual(['P1', NUL_REASON, NUL_REASON, 'P4']);
  });

  it('text that merely spells \\u0000 in CSV is not a NUL and is read as it is', async () => {
    const events = await readStdin(Buffer.from('id,note\nA1,\\u0000 is how JSON writes NUL\n'), 4, { format: 'csv' });
    expect(events.map((e) => (e.kind === 'record' ? sourceObject(e.data) : e.reason))).toEqual([
      { id: 'A1', note: '\\u0000 is how JSON writes NUL' },
    ]);
  });
});
