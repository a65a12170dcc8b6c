/**
 * The Parquet reader on files DuckDB wrote: values exact, one row group at a time through
 * ranged reads of only the mapped columns, and every way a file can be unusable named.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../../../src/core/errors.js';
import { compileMapping } from '../../../src/stages/3-map/index.js';
import {
  bigintFromBytes,
  checkReadable,
  columnsFor,
  decimalString,
  exactInteger,
  readParquet,
} from '../../../src/stages/1-read/parquet/index.js';
import type { ParsedItem } from '../../../src/stages/1-read/reader.js';
import { PARQUET_MAPPING, TWO_GROUPS, expectedUser, writeTypesParquet, writeUsersParquet } from './parquet-fixtures.js';
import { tmpDir, type TmpDir } from '../../support/files.js';
import { drain, failure, open, recording } from './parquet-reading.js';

let dir: TmpDir;
let fixture: string;
const sources = compileMapping(PARQUET_MAPPING as never).sources;

beforeAll(async () => {
  dir = tmpDir();
  fixture = join(dir.path, 'users.parquet');
  await writeUsersParquet(fixture, { codec: 'snappy' });
});
afterAll(() => dir.remove());

describe('Parquet values', () => {
  it('keeps integers past 2^53 and decimals digit for digit', () => {
    expect(exactInteger(9007199254740991n)).toBe(9007199254740991);
    expect(exactInteger(9007199254740993n)).toBe('9007199254740993');
    expect(exactInteger(-9223372036854775808n)).toBe('-9223372036854775808');
    expect(decimalString(1250n, 2)).toBe('12.50');
    expect(decimalString(-5n, 2)).toBe('-0.05');
    expect(decimalString(999999999999999999n, 2)).toBe('9999999999999999.99');
    expect(decimalString(12n, -2)).toBe('1200');
    expect(bigintFromBytes(Uint8Array.of(0xff, 0x38))).toBe(-200n);
    expect(bigintFromBytes(Uint8Array.of(0x00, 0xc8))).toBe(200n);
  });

  it('reads every row of every row group as the mapping expects it, line = row number', async () => {
    const file = await open(fixture);
    expect(file.rowGroups.map((g) => g.rows)).toEqual([2048, TWO_GROUPS - 2048]);
    const map = compileMapping(PARQUET_MAPPING as never);
    const items = await drain(readParquet(file, { columns: columnsFor(sources, file.columns, file.where) }));
    expect(items.map((i) => i.line)).toEqual(Array.from({ length: TWO_GROUPS }, (_, i) => i + 1));
    for (const [i, item] of items.entries()) {
      if (item.kind !== 'record') throw new Error('no rejects expected');
      expect(map(item.data)).toEqual({ ok: true, item: expectedUser(i) });
    }
  });

  it('reads the other types as the value table in README says', async () => {
    const path = join(dir.path, 'types.parquet');
    await writeTypesParquet(path);
    const file = await open(path);
    const [row] = await drain(readParquet(file));
    expect(row).toEqual({
      kind: 'record',
      line: 1,
      data: {
        u: 'b2c3d4e5-0000-4000-8000-000000000001',
        e: 'happy',
        m: { color: 1, size: 2 },
        tz: '2024-05-06T07:08:09.123456Z',
        t: '13:14:15.500000',
        f: 1.5,
        dn: 'NaN',
        di: '-Infinity',
        ub: '18446744073709551615',
        ui: 4294967295,
        bin: 'aabb',
        txt: 'tekst',
        js: '{"a":1}',
        big: '-12345678901234567890123.45',
        small: '1.5',
        ti: -128,
      },
    });
    expect(columnsFor(['m.color', 'e'], file.columns, file.where)).toEqual(['e', 'm']);
  });

  it('leaves nulls out of the record, as missing fields', async () => {
    const [first] = await drain(readParquet(await open(fixture), { columns: ['first_name', 'dob'] }));
    expect(first).toEqual({ kind: 'record', line: 1, data: {} });
  });
});

describe('Parquet streaming', () => {
  it('reads the first row group only when its rows are asked for, and the second only after', async () => {
    const storage = recording();
    const file = await open(fixture, storage);
    const footer = storage.ranges.length;
    const secondGroup = Math.min(
      ...file.metadata.row_groups[1]!.columns.map((c) => Number(c.meta_data!.dictionary_page_offset ?? c.meta_data!.data_page_offset)),
    );
    const rows = readParquet(file, { columns: ['id', 'last_name'] });
    const first = await rows.next();
    expect(first.done).toBe(false);
    const groupOne = storage.ranges.slice(footer);
    expect(groupOne.length).toBeGreaterThan(0);
    expect(groupOne.every(([, end]) => end <= secondGroup)).toBe(true);
    // The rest of group one comes without another read; group two's chunks only then.
    for (let taken = 128; taken < 2048; taken += 128) await rows.next();
    expect(storage.ranges.length).toBe(footer + groupOne.length);
    await rows.next();
    expect(storage.ranges.slice(footer + groupOne.length).every(([start]) => start >= secondGroup)).toBe(true);
    await rows.return(undefined);
  });

  it('fetches only the mapped columns: one small column reads a fraction of the file', async () => {
    const storage = recording();
    const file = await open(fixture, storage);
    const footerBytes = storage.ranges.reduce((n, [s, e]) => n + e - s, 0);
    const items = await drain(readParquet(file, { columns: ['seq'] }));
    const dataBytes = storage.ranges.reduce((n, [s, e]) => n + e - s, 0) - footerBytes;
    expect(items).toHaveLength(TWO_GROUPS);
    expect(Object.keys((items[0] as { data: object }).data)).toEqual(['seq']);
    expect(dataBytes).toBeLessThan(file.object.size / 10);
  });

  it('hands out rows in arrays of at most 128', async () => {
    for await (const batch of readParquet(await open(fixture), { columns: ['seq'] })) expect(batch.length).toBeLessThanOrEqual(128);
  });
});

describe('Parquet mistakes', () => {
  it('a mapped column the schema lacks is a ConfigError naming it and the closest names', async () => {
    const file = await open(fixture);
    const e = (() => {
      try {
        columnsFor(['id', 'frist_name'], file.columns, file.where);
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).describe()).toBe(
      'users.parquet: the mapping reads "frist_name", which is not a column of this Parquet file (closest: first_name, last_name, seen_ms)',
    );
    expect(() => columnsFor(['contact.emial'], file.columns, file.where)).toThrow(/"contact\.emial".*closest: contact\.email/);
    expect(() => columnsFor(['phones.first'], file.columns, file.where)).toThrow(/"phones\.first"/);
    expect(columnsFor(['tags[3].name', 'contact.city', 'id'], file.columns, file.where)).toEqual(['id', 'contact', 'tags']);
  });

  it('a file that is not Parquet, an empty one and a truncated one are SourceErrors naming the file', async () => {
    const bytes = await readFile(fixture);
    const cases: [string, Buffer, RegExp][] = [
      ['users.csv.parquet', Buffer.from('id,name\n1,a\n'), /^users\.csv\.parquet: is not a Parquet file/],
      ['empty.parquet', Buffer.alloc(0), /^empty\.parquet: is not a Parquet file/],
      ['cut.parquet', bytes.subarray(0, bytes.length - 100), /^cut\.parquet: is truncated: the Parquet footer/],
      ['head.parquet', bytes.subarray(0, 3), /^head\.parquet: is truncated/],
    ];
    for (const [name, data, message] of cases) {
      const path = join(dir.path, name);
      await writeFile(path, data);
      const e = await failure(open(path));
      expect(e).toBeInstanceOf(SourceError);
      expect((e as SourceError).describe()).toMatch(message);
    }
  });

  it('a codec or an encoding the reader lacks is named before any row is read, for mapped columns only', async () => {
    const file = await open(fixture);
    const chunk = (name: string) => file.metadata.row_groups[1]!.columns.find((c) => c.meta_data!.path_in_schema[0] === name)!.meta_data!;
    chunk('credit').codec = 'LZO';
    chunk('contact').encodings = ['RLE', 'GROUP_VAR_INT'];
    expect(() => checkReadable(file, ['id'])).not.toThrow();
    expect(() => checkReadable(file, ['id', 'credit'])).toThrow(
      /^column credit is compressed with LZO, which propel-etl cannot read \(it reads UNCOMPRESSED, SNAPPY, GZIP, BROTLI, LZ4, LZ4_RAW, ZSTD\)$/,
    );
    expect(() => checkReadable(file, ['contact'])).toThrow(
      /^column contact\.email uses the encoding GROUP_VAR_INT, which propel-etl cannot read$/,
    );
    await expect(drain(readParquet(file, { columns: ['credit'] }))).rejects.toBeInstanceOf(SourceError);
  });

  it('a corrupt page fails naming the row group, after every row before it was handed out', async () => {
    const bytes = Buffer.from(await readFile(fixture));
    const file = await open(fixture);
    const chunk = file.metadata.row_groups[1]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'last_name')!.meta_data!;
    const at = Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
    bytes.fill(0xff, at, at + 16);
    const path = join(dir.path, 'corrupt.parquet');
    await writeFile(path, bytes);
    const got: ParsedItem[] = [];
    const e = await failure(
      (async () => {
        for await (const b of readParquet(await open(path), { columns: ['id', 'last_name'] })) got.push(...b);
      })(),
    );
    expect(got).toHaveLength(2048);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).describe()).toMatch(/^corrupt\.parquet, line 2049: row group 2 of 2 \(rows 2049-2100\) is corrupt: /);
  });
});
