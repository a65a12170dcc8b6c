import { writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { ConfigError, SourceError } from '../../../src/core/errors.js';
import { openSource, resolveInputs } from '../../../src/stages/1-read/index.js';
import { buildZip, chunked, collect, collectUntilError, readSpec, readStdin, summary } from './helpers.js';
import { tmpDir, type TmpDir } from '../../support/files.js';
import { sourceObject } from '../../../src/core/record.js';

let dir: TmpDir;

const part = (n: number): string => `id;name\n${n}01;Ann ${n}\n${n}02;Bob ${n}\n`;

beforeAll(() => {
  dir = tmpDir();
  const at = (name: string): string => join(dir.path, name);
  mkdirSync(at('exports'));
  // Written out of order: the reader must sort.
  for (const n of [3, 1, 2]) writeFileSync(at(`exports/users_0_part_${n}.csv.gz`), gzipSync(part(n)));
  writeFileSync(at('exports/notes.txt'), 'not a part');
  writeFileSync(at('nameless'), gzipSync('{"id":7}\n'));
  writeFileSync(
    at('bundle.zip'),
    buildZip([
      { name: 'readme.txt', data: Buffer.from('ignore me') },
      { name: 'a.csv', data: Buffer.from('id,name\n1,Ann\n2,Bob\n') },
      { name: 'deep/', data: Buffer.alloc(0) },
      { name: 'deep/er/b.csv', data: Buffer.from('id,name\n3,"Cé\nline"\n'), store: true },
      { name: 'c.ndjson', data: Buffer.from('{"id":4}\nbroken\n{"id":5}\n') },
    ]),
  );
  writeFileSync(at('bomb.zip'), buildZip([{ name: 'big.csv', data: Buffer.from(`id\n${'1\n'.repeat(2000)}`) }]));
  writeFileSync(
    at('liar.zip'),
    buildZip([{ name: 'big.csv', data: Buffer.from(`id\n${'1\n'.repeat(2000)}`), declaredSize: 10, dataDescriptor: true }]),
  );
  // 4 MiB of one repeated row: deflates about a thousand times, as a zip bomb does.
  const blanks = Buffer.from(`id,name\n${'1,x\n'.repeat(1024 * 1024)}`);
  writeFileSync(at('ratio-bomb.zip'), buildZip([{ name: 'rows.csv', data: blanks }]));
  writeFileSync(at('ratio-liar.zip'), buildZip([{ name: 'rows.csv', data: blanks, declaredSize: 100, dataDescriptor: true }]));
  writeFileSync(at('lie-caught.zip'), buildZip([{ name: 'big.csv', data: Buffer.from(`id\n${'1\n'.repeat(2000)}`), declaredSize: 10 }]));
  const good = buildZip([{ name: 'a.csv', data: Buffer.from(`id\n${'1\n'.repeat(500)}`) }]);
  const corrupt = Buffer.from(good);
  corrupt.fill(0x55, 40, 60); // inside the deflated data of the only entry
  writeFileSync(at('corrupt.zip'), corrupt);
  // The central directory stays intact; the deflated data of the second entry does not.
  const twoEntries = buildZip([
    { name: 'a.csv', data: Buffer.from('id\n1\n2\n') },
    { name: 'b.csv', data: Buffer.from(`id\n${Array.from({ length: 2000 }, (_, i) => `${i}-${(i * 7919) % 1000}`).join('\n')}\n`) },
  ]);
  const bData = twoEntries.indexOf('b.csv') + 'b.csv'.length;
  twoEntries.fill(0xff, bData + 100, bData + 140);
  writeFileSync(at('broken-entry.zip'), twoEntries);
  writeFileSync(at('not-a.zip'), Buffer.from('PK\u0003\u0004 but nothing else'));
  writeFileSync(
    at('delivery.zip'),
    buildZip([
      { name: 'LEESMIJ.txt', data: Buffer.from('Lees mij: export van 1 december\n') },
      { name: 'manifest.json', data: Buffer.from('{"rows": 2, "exported": "2026-12-01"}') },
      { name: 'users.csv', data: Buffer.from('id,name\n1,Ann\n') },
      { name: '__MACOSX/._users.csv', data: Buffer.from('\u0000\u0005\u0016\u0007') },
      { name: 'groups.jsonl', data: Buffer.from('{"id":"g1"}\n') },
      { name: 'data', data: Buffer.from('id\n9\n') },
    ]),
  );
  const gz = gzipSync(`id\n${Array.from({ length: 3000 }, (_, i) => String(i)).join('\n')}\n`);
  writeFileSync(at('truncated.csv.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  writeFileSync(at('big.csv'), `id,text\n${Array.from({ length: 60_000 }, (_, i) => `${i},${'x'.repeat(80)}`).join('\n')}\n`);
});

afterAll(() => dir.remove());

describe('encodings', () => {
  it('reads windows-1252 with é and €, also when split into single bytes', async () => {
    const bytes = iconv.encode('id;name;price\n1;René;€ 5\n2;Zoë;10 €\n', 'windows-1252');
    expect(bytes.includes(0x80)).toBe(true);
    for (const size of [bytes.length, 1, 2, 3]) {
      const events = await readStdin(bytes, size, { format: 'csv', csv: { delimiter: ';', encoding: 'windows-1252' } });
      expect(summary(events)).toEqual([
        { line: 2, data: { id: '1', name: 'René', price: '€ 5' } },
        { line: 3, data: { id: '2', name: 'Zoë', price: '10 €' } },
      ]);
    }
  });

  it('reads latin1', async () => {
    const bytes = iconv.encode('id,name\n1,Ångström\n', 'latin1');
    expect(summary(await readStdin(bytes, 1, { format: 'csv', csv: { encoding: 'latin1' } }))).toEqual([
      { line: 2, data: { id: '1', name: 'Ångström' } },
    ]);
  });

  it.each([
    ['little-endian', 'utf-16le', Buffer.from([0xff, 0xfe])],
    ['big-endian', 'utf-16be', Buffer.from([0xfe, 0xff])],
  ])('reads utf-16 with a %s BOM in 1-, 2- and 3-byte chunks', async (_name, enc, bom) => {
    const bytes = Buffer.concat([bom, iconv.encode('id,name\r\n1,"Łukasz 😀"\r\n', enc)]);
    for (const size of [1, 2, 3]) {
      const events = await readStdin(bytes, size, { format: 'csv', csv: { encoding: 'utf-16' } });
      expect(summary(events)).toEqual([{ line: 2, data: { id: '1', name: 'Łukasz 😀' } }]);
    }
  });
});

describe('gzip and globs', () => {
  it('reads a glob of gzipped parts in sorted order as one stream, each with its own header', async () => {
    const events = await readSpec({ path: 'exports/users_*_part_*.csv.gz', csv: { delimiter: ';' } }, dir.path);
    expect(events.map((e) => [e.prov.file, e.prov.line, e.prov.seq, e.kind === 'record' ? sourceObject(e.data) : null])).toEqual([
      ['exports/users_0_part_1.csv.gz', 2, 0, { id: '101', name: 'Ann 1' }],
      ['exports/users_0_part_1.csv.gz', 3, 1, { id: '102', name: 'Bob 1' }],
      ['exports/users_0_part_2.csv.gz', 2, 2, { id: '201', name: 'Ann 2' }],
      ['exports/users_0_part_2.csv.gz', 3, 3, { id: '202', name: 'Bob 2' }],
      ['exports/users_0_part_3.csv.gz', 2, 4, { id: '301', name: 'Ann 3' }],
      ['exports/users_0_part_3.csv.gz', 3, 5, { id: '302', name: 'Bob 3' }],
    ]);
  });

  it('settles format by extension, compression by magic bytes, and an explicit format wins', async () => {
    const inputs = await resolveInputs({ path: 'exports/users_0_part_1.csv.gz' }, dir.path);
    const { size, mtimeMs } = statSync(join(dir.path, 'exports/users_0_part_1.csv.gz'));
    expect(inputs).toEqual([
      {
        object: {
          location: join(dir.path, 'exports/users_0_part_1.csv.gz'),
          display: 'exports/users_0_part_1.csv.gz',
          size,
          version: `${size}:${Math.trunc(mtimeMs)}`,
        },
        format: 'csv',
        compression: 'gzip',
      },
    ]);
    await expect(resolveInputs({ path: 'nameless' }, dir.path)).rejects.toThrow(ConfigError);
    const events = await readSpec({ path: 'nameless', format: 'ndjson' }, dir.path);
    expect(summary(events)).toEqual([{ line: 1, data: { id: 7 } }]);
  });

  it('detects gzip on stdin by its magic bytes', async () => {
    const events = await readStdin(gzipSync('{"id":1}\n{"id":2}\n'), 3, { format: 'ndjson' });
    expect(summary(events)).toEqual([
      { line: 1, data: { id: 1 } },
      { line: 2, data: { id: 2 } },
    ]);
  });

  // Regression: a ZIP piped on stdin was read as text, so every row became a reject that explained nothing.
  it('refuses a ZIP archive on stdin with a ConfigError (exit 2) before reading any record', async () => {
    const zip = buildZip([{ name: 'users.csv', data: Buffer.from('id\n1\n') }]);
    for (const size of [1, 3, zip.length]) {
      const spec = { path: '-', format: 'csv' as const };
      const inputs = await resolveInputs(spec, '/');
      const { events, error } = await collectUntilError(openSource(inputs, spec, { stdin: chunked(zip, size) }));
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('ETL_SOURCE_ZIP_STDIN');
      expect((error as ConfigError).exitCode).toBe(2);
      expect((error as ConfigError).describe()).toMatch(/^-: stdin holds a ZIP archive/);
    }
    // Text that merely starts with "PK" is still text.
    const events = await readStdin(Buffer.from('PK\nPKX\n'), 1, { format: 'csv' });
    expect(summary(events)).toEqual([{ line: 2, data: { PK: 'PKX' } }]);
  });

  it('stops on a corrupt gzip stream naming the file, after the records before the break', async () => {
    const spec = { path: 'truncated.csv.gz' };
    const { events, error } = await collectUntilError(openSource(await resolveInputs(spec, dir.path), spec));
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.prov.seq)).toEqual(events.map((_, i) => i));
    expect(error).toBeInstanceOf(SourceError);
    const e = error as SourceError;
    expect(e.code).toBe('ETL_SOURCE_GZIP');
    expect(e.context.file).toBe('truncated.csv.gz');
    expect(e.context.line).toBeGreaterThan(events.length);
  });

  it('refuses a missing file or an empty glob with a ConfigError (exit 2) naming the path', async () => {
    const missing = await resolveInputs({ path: 'nope.csv' }, dir.path).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).exitCode).toBe(2);
    expect((missing as ConfigError).describe()).toBe('nope.csv: source file not found');
    const empty = await resolveInputs({ path: 'exports/*.ndjson.gz' }, dir.path).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ConfigError);
    expect((empty as ConfigError).describe()).toBe('exports/*.ndjson.gz: no file matches the pattern');
  });
});

describe('ZIP archives', () => {
  it('reads chosen entries in archive order, each by its own format, nested folders included', async () => {
    const events = await readSpec({ path: 'bundle.zip' }, dir.path);
    expect(
      events.map((e) => [e.prov.file, e.prov.entry, e.prov.line, e.prov.seq, e.kind === 'record' ? sourceObject(e.data) : e.reason]),
    ).toEqual([
      ['bundle.zip', 'a.csv', 2, 0, { id: '1', name: 'Ann' }],
      ['bundle.zip', 'a.csv', 3, 1, { id: '2', name: 'Bob' }],
      ['bundle.zip', 'deep/er/b.csv', 2, 2, { id: '3', name: 'Cé\nline' }],
      ['bundle.zip', 'c.ndjson', 1, 3, { id: 4 }],
      ['bundle.zip', 'c.ndjson', 2, 4, expect.stringMatching(/^line is not valid JSON/) as unknown],
      ['bundle.zip', 'c.ndjson', 3, 5, { id: 5 }],
    ]);
  });

  it('without zip.entries reads the entries of the pipeline format only, and lists what it skipped', async () => {
    const spec = { path: 'delivery.zip', format: 'csv' as const };
    const stream = openSource(await resolveInputs(spec, dir.path), spec);
    const events = await collect(stream);
    expect(events.map((e) => [e.prov.entry, e.prov.line, e.kind === 'record' ? sourceObject(e.data) : e.reason])).toEqual([
      ['users.csv', 2, { id: '1', name: 'Ann' }],
    ]);
    expect(stream.skippedEntries).toEqual(
      ['LEESMIJ.txt', 'manifest.json', '__MACOSX/._users.csv', 'groups.jsonl', 'data'].map((entry) => ({ file: 'delivery.zip', entry })),
    );
  });

  it('without zip.entries and format reads every known data format, never a .txt readme', async () => {
    const bundle = openSource(await resolveInputs({ path: 'bundle.zip' }, dir.path), { path: 'bundle.zip' });
    expect((await collect(bundle)).map((e) => e.prov.entry)).toEqual([
      'a.csv',
      'a.csv',
      'deep/er/b.csv',
      'c.ndjson',
      'c.ndjson',
      'c.ndjson',
    ]);
    expect(bundle.skippedEntries).toEqual([{ file: 'bundle.zip', entry: 'readme.txt' }]);
    // A glob chooses explicitly: a .txt it names is CSV, as a file of that name is.
    const spec = { path: 'delivery.zip', zip: { entries: '*.txt' } };
    const chosen = openSource(await resolveInputs(spec, dir.path), spec);
    expect(await collect(chosen)).toEqual([]);
    expect(chosen.skippedEntries.map((s) => s.entry)).toEqual([
      'manifest.json',
      'users.csv',
      '__MACOSX/._users.csv',
      'groups.jsonl',
      'data',
    ]);
  });

  it('refuses an archive without an entry of the pipeline format (exit 2)', async () => {
    const error = await resolveInputs({ path: 'bundle.zip', format: 'json' }, dir.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('ETL_SOURCE_ZIP_ENTRY');
    expect((error as ConfigError).describe()).toBe(
      'bundle.zip: the archive has no json entry (*.json); choose entries with source.zip.entries',
    );
  });

  it('matches an entry glob against nested paths too', async () => {
    const events = await readSpec({ path: 'bundle.zip', zip: { entries: '*.csv' } }, dir.path);
    expect(events.map((e) => e.prov.entry)).toEqual(['a.csv', 'a.csv', 'deep/er/b.csv']);
    const nested = await readSpec({ path: 'bundle.zip', zip: { entries: 'deep/**/*.csv' } }, dir.path);
    expect(nested.map((e) => e.prov.entry)).toEqual(['deep/er/b.csv']);
  });

  it('refuses an entry that declares a size beyond maxEntryBytes before reading (a broken input: exit 3), naming archive and entry', async () => {
    const error = await resolveInputs({ path: 'bomb.zip', zip: { maxEntryBytes: 1024 } }, dir.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).exitCode).toBe(3);
    expect((error as SourceError).code).toBe('ETL_SOURCE_ZIP');
    expect((error as SourceError).describe()).toBe(
      'bomb.zip, entry big.csv: entry declares 4003 bytes uncompressed, more than source.zip.maxEntryBytes (1024)',
    );
  });

  it.each([
    ['liar.zip', 1024, /^liar\.zip, entry big\.csv: entry inflates past source\.zip\.maxEntryBytes \(1024 bytes\); stopped reading it$/],
    ['lie-caught.zip', 1024, /^lie-caught\.zip, entry big\.csv, line 1: corrupt archive entry: Invalid size$/],
  ])('stops %s beyond maxEntryBytes naming archive and entry', async (file, max, message) => {
    const spec = { path: file, zip: { maxEntryBytes: max } };
    const { error } = await collectUntilError(openSource(await resolveInputs(spec, dir.path), spec));
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ETL_SOURCE_ZIP');
    expect((error as SourceError).describe()).toMatch(message);
  });

  it('refuses an entry declaring more than maxRatio times its compressed size before reading it (issue 25)', async () => {
    const error = await resolveInputs({ path: 'ratio-bomb.zip' }, dir.path).catch((e: unknown) => e);
    expect([(error as SourceError).code, (error as SourceError).exitCode]).toEqual(['ETL_SOURCE_LIMIT', 3]);
    expect((error as SourceError).describe()).toMatch(
      /^ratio-bomb\.zip, entry rows\.csv: entry declares 4194312 bytes from \d+ compressed, more than 200 times \(source\.zip\.maxRatio\)/,
    );
    // Raised, the same archive is read.
    const spec = { path: 'ratio-bomb.zip', zip: { maxRatio: 5000 } };
    const { events, error: none } = await collectUntilError(openSource(await resolveInputs(spec, dir.path), spec));
    expect([events.length, none]).toEqual([1024 * 1024, undefined]);
  });

  it('stops an entry inflating past maxRatio although its header declares little (issue 25)', async () => {
    const spec = { path: 'ratio-liar.zip' };
    const { events, error } = await collectUntilError(openSource(await resolveInputs(spec, dir.path), spec));
    expect((error as SourceError).code).toBe('ETL_SOURCE_LIMIT');
    expect((error as SourceError).describe()).toMatch(
      /^ratio-liar\.zip, entry rows\.csv: entry inflates past 200 times its \d+ compressed bytes/,
    );
    expect(events.length).toBeLessThan(1024 * 1024);
  });

  it.each(['corrupt.zip', 'not-a.zip'])(
    'refuses %s, whose central directory cannot be read, before reading (a corrupt archive: exit 3)',
    async (file) => {
      const error = await resolveInputs({ path: file }, dir.path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).exitCode).toBe(3);
      expect((error as SourceError).code).toBe('ETL_SOURCE_ZIP');
      expect((error as SourceError).describe()).toMatch(new RegExp(`^${file.replace('.', '\\.')}: not a readable ZIP archive: `));
    },
  );

  it('refuses an archive none of whose entries matches the glob, also inside a glob of archives (exit 2)', async () => {
    for (const path of ['bundle.zip', '*.zip']) {
      const error = await resolveInputs({ path, zip: { entries: '*.json' } }, dir.path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).describe()).toMatch(
        /^[a-z-]+\.zip: (no entry of the archive matches "\*\.json"|not a readable ZIP archive: .*)$/,
      );
    }
    const single = await resolveInputs({ path: 'bundle.zip', zip: { entries: '*.json' } }, dir.path).catch((e: unknown) => e);
    expect((single as ConfigError).describe()).toBe('bundle.zip: no entry of the archive matches "*.json"');
    expect((single as ConfigError).code).toBe('ETL_SOURCE_ZIP_ENTRY');
    expect((single as ConfigError).exitCode).toBe(2);
  });

  it('stops on corrupt data inside an entry while reading, after the entries and records before the break', async () => {
    const spec = { path: 'broken-entry.zip' };
    const { events, error } = await collectUntilError(openSource(await resolveInputs(spec, dir.path), spec));
    expect(events.slice(0, 2).map((e) => [e.prov.entry, e.prov.line, e.prov.seq])).toEqual([
      ['a.csv', 2, 0],
      ['a.csv', 3, 1],
    ]);
    expect(events.slice(2).every((e) => e.prov.entry === 'b.csv')).toBe(true);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ETL_SOURCE_ZIP');
    expect((error as SourceError).describe()).toMatch(
      /^broken-entry\.zip, entry b\.csv, line \d+: corrupt (compressed data in the )?archive entry: /,
    );
  });
});

describe('limit, resume numbering and backpressure', () => {
  it('stops after limit records and ends cleanly', async () => {
    const spec = { path: 'exports/*.csv.gz', csv: { delimiter: ';' } };
    const events = await collect(openSource(await resolveInputs(spec, dir.path), spec, { limit: 3 }));
    expect(events.map((e) => e.prov.seq)).toEqual([0, 1, 2]);
  });

  it('skips events before startSeq but numbers them the same', async () => {
    const spec = { path: 'bundle.zip' };
    const events = await collect(openSource(await resolveInputs(spec, dir.path), spec, { startSeq: 4 }));
    expect(events.map((e) => [e.prov.seq, e.prov.entry, e.prov.line])).toEqual([
      [4, 'c.ndjson', 2],
      [5, 'c.ndjson', 3],
    ]);
  });

  it('reads no further ahead than the consumer asks, and reports progress', async () => {
    const spec = { path: 'big.csv' };
    const stream = openSource(await resolveInputs(spec, dir.path), spec);
    expect(stream.totalBytes).toBeGreaterThan(5_000_000);
    const first: unknown[] = [];
    for await (const ev of stream) {
      first.push(ev);
      if (first.length === 10) {
        // Let any eager reading happen before looking.
        await new Promise((r) => setTimeout(r, 50));
        break;
      }
    }
    expect(stream.bytesRead).toBeGreaterThan(0);
    expect(stream.bytesRead).toBeLessThan(1_000_000);
    expect(stream.destroyed).toBe(true);
  });
});
