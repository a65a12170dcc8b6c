/**
 * The Parquet reader page by page: on every fixture (DuckDB's, one page per column per row
 * group, every codec, v1 and v2 encodings, nested columns; arrow-rs's, many small pages, v1 and
 * DATA_PAGE_V2 headers, dictionary on and off) its rows equal hyparquet's own reading of the
 * whole file finished by values.ts; it decodes a page only when its rows are asked for; a bad
 * page fails after the rows before it; text keeps the decoding the reader always had.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetReadObjects, type PageHeader } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/core/errors.js';
import { readParquet, type ParquetFile } from '../../../src/stages/1-read/parquet/index.js';
import { textOf } from '../../../src/stages/1-read/parquet/string-page.js';
import { converterFor, PARSERS } from '../../../src/stages/1-read/parquet/values.js';
import type { ParsedItem } from '../../../src/stages/1-read/reader.js';
import { tmpDir, type TmpDir } from '../../support/files.js';
import { CODECS, writeTypesParquet, writeUsersParquet } from './parquet-fixtures.js';
import { drain, failure, open, recording } from './parquet-reading.js';
import {
  WASM_GROUP_ROWS,
  WASM_ROWS,
  expectedWasmRecord,
  pageHeaders,
  writeWasmParquet,
  type WasmOptions,
} from './parquet-wasm-fixtures.js';

/** The rows as the reader made them before it read page by page: hyparquet over the whole file, then values.ts. */
async function reference(path: string, file: ParquetFile): Promise<ParsedItem[]> {
  const bytes = await readFile(path);
  const rows = await parquetReadObjects({
    file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    metadata: file.metadata,
    compressors,
    parsers: PARSERS,
    utf8: false,
  });
  const converters = [...file.columns].map(([name, shape]) => [name, converterFor(shape)] as const);
  return rows.map((row, i) => {
    const data: Record<string, unknown> = {};
    for (const [name, convert] of converters) {
      const v: unknown = row[name];
      if (v !== null && v !== undefined) data[name] = convert !== undefined ? convert(v) : v;
    }
    return { kind: 'record', line: i + 1, data };
  });
}

const headersOf = (bytes: Uint8Array, group: number, column: string): PageHeader[] =>
  pageHeaders(bytes, group, column).map((p) => p.header);
const isData = (h: PageHeader): boolean => h.type === 'DATA_PAGE' || h.type === 'DATA_PAGE_V2';
const rowsOf = (h: PageHeader): number => h.data_page_header_v2?.num_rows ?? h.data_page_header?.num_values ?? 0;
/** How many data pages hold the chunk's first `rows` rows. */
function pagesFor(headers: readonly PageHeader[], rows: number): number {
  let covered = 0;
  let pages = 0;
  for (const h of headers.filter(isData)) {
    if (covered >= rows) break;
    covered += rowsOf(h);
    pages++;
  }
  return pages;
}

const WASM_VARIANTS: readonly WasmOptions[] = [
  { version: 'V2', dictionary: true, codec: 'snappy', encoding: 'plain' },
  { version: 'V2', dictionary: false, codec: 'zstd', encoding: 'plain' },
  { version: 'V2', dictionary: false, codec: 'snappy', encoding: 'delta' },
  { version: 'V1', dictionary: true, codec: 'gzip', encoding: 'plain' },
  { version: 'V1', dictionary: false, codec: 'uncompressed', encoding: 'plain' },
];
const wasmName = (o: WasmOptions): string => `wasm-${o.version}-${o.dictionary ? 'dict' : 'nodict'}-${o.encoding}-${o.codec}.parquet`;

let dir: TmpDir;
const wasmBytes = new Map<string, Uint8Array>();

beforeAll(async () => {
  dir = tmpDir();
  for (const [i, codec] of CODECS.entries())
    await writeUsersParquet(join(dir.path, `duck-${codec}.parquet`), { codec, version: i % 2 === 0 ? 'V1' : 'V2' });
  await writeUsersParquet(join(dir.path, 'duck-zstd-v2.parquet'), { codec: 'zstd', version: 'V2' });
  await writeTypesParquet(join(dir.path, 'duck-types.parquet'));
  for (const o of WASM_VARIANTS) {
    const bytes = writeWasmParquet(o);
    wasmBytes.set(wasmName(o), bytes);
    await writeFile(join(dir.path, wasmName(o)), bytes);
  }
});
afterAll(() => dir.remove());

describe('the arrow-rs fixtures are what they are meant to be', () => {
  it.each(WASM_VARIANTS)(
    '$version, dictionary $dictionary, $encoding: many pages per column chunk, v2 headers with writer version V2',
    (o) => {
      const bytes = wasmBytes.get(wasmName(o))!;
      const dataType = o.version === 'V2' ? 'DATA_PAGE_V2' : 'DATA_PAGE';
      for (const column of ['id', 'email', 'code', 'credit', 'dob', 'seen', 'score', 'vip', 'rank']) {
        expect(
          headersOf(bytes, 0, column)
            .filter(isData)
            .every((h) => h.type === dataType),
          column,
        ).toBe(true);
      }
      // DELTA pages are so small that only the text columns make many.
      for (const column of o.encoding === 'plain' ? ['id', 'email', 'code', 'credit', 'seen'] : ['email', 'code']) {
        expect(headersOf(bytes, 0, column).filter(isData).length, column).toBeGreaterThan(5);
      }
      const email = headersOf(bytes, 0, 'email');
      const encodings = new Set(email.filter(isData).map((h) => h.data_page_header?.encoding ?? h.data_page_header_v2?.encoding));
      // With a dictionary, the unique emails outgrow it: dictionary pages first, then the fallback.
      const fallback = o.encoding === 'plain' ? 'PLAIN' : 'DELTA_BYTE_ARRAY';
      expect([...encodings].sort()).toEqual(o.dictionary ? [fallback, 'RLE_DICTIONARY'] : [fallback]);
      expect(email[0]!.type === 'DICTIONARY_PAGE').toBe(o.dictionary);
    },
  );
});

describe('rows equal hyparquet reading the whole file', () => {
  const names = [...CODECS.map((c) => `duck-${c}.parquet`), 'duck-zstd-v2.parquet', 'duck-types.parquet', ...WASM_VARIANTS.map(wasmName)];
  it.each(names)('%s', async (name) => {
    const path = join(dir.path, name);
    const file = await open(path);
    const got = await drain(readParquet(file));
    expect(got).toHaveLength(file.rows);
    expect(got).toEqual(await reference(path, file));
  });

  it.each(['duck-zstd.parquet', wasmName(WASM_VARIANTS[0]!)])(
    '%s read a few bytes at a time (pages and headers across windows): the same rows',
    async (name) => {
      const path = join(dir.path, name);
      const file = await open(path);
      expect(await drain(readParquet(file, { windowBytes: 7 }))).toEqual(await reference(path, file));
    },
  );

  it.each(WASM_VARIANTS)(
    'arrow-rs $version, dictionary $dictionary, $encoding: every value as README says (19-digit ids, decimals, dates, timestamps, binary as text or hex)',
    async (o) => {
      const got = await drain(readParquet(await open(join(dir.path, wasmName(o)))));
      expect(got).toEqual(Array.from({ length: WASM_ROWS }, (_, i) => ({ kind: 'record', line: i + 1, data: expectedWasmRecord(i) })));
    },
  );
});

describe('a page is read and decoded only when its rows are asked for', () => {
  it('the first 128 rows decode only the pages that hold them, and read a window of the chunk, not the chunk', async () => {
    const o = WASM_VARIANTS[1]!;
    const bytes = wasmBytes.get(wasmName(o))!;
    const storage = recording();
    const file = await open(join(dir.path, wasmName(o)), storage);
    const footerReads = storage.ranges.length;
    const decoded = new Map<string, number>();
    const rows = readParquet(file, {
      columns: ['id', 'email'],
      windowBytes: 1024,
      onPage: (column) => decoded.set(column, (decoded.get(column) ?? 0) + 1),
    });
    const first = await rows.next();
    expect(first.value).toHaveLength(128);
    for (const column of ['id', 'email']) {
      const headers = headersOf(bytes, 0, column);
      expect(decoded.get(column), column).toBe(pagesFor(headers, 128));
      expect(decoded.get(column)!, column).toBeLessThan(headers.filter(isData).length / 4);
    }
    const chunkBytes = (column: string) =>
      Number(file.metadata.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === column)!.meta_data!.total_compressed_size);
    const read = storage.ranges.slice(footerReads).reduce((n, [s, e]) => n + e - s, 0);
    expect(read).toBeLessThan((chunkBytes('id') + chunkBytes('email')) / 2);
    // The rest comes page by page as it is taken; every page is decoded once.
    let taken = 128;
    for await (const batch of rows) taken += batch.length;
    expect(taken).toBe(WASM_ROWS);
    for (const column of ['id', 'email']) {
      const pages = [0, 1, 2].reduce((n, g) => n + headersOf(bytes, g, column).length, 0);
      expect(decoded.get(column), column).toBe(pages);
    }
  });
});

describe('a corrupt page in the middle of a row group', () => {
  it('fails naming the row group and the first row not handed out, after every row of the pages before it', async () => {
    const o = WASM_VARIANTS[4]!;
    const bytes = Buffer.from(wasmBytes.get(wasmName(o))!);
    const pages = pageHeaders(bytes, 1, 'email');
    // The sixth page's values: their lengths become 0xffffffff.
    const sixth = pages[5]!;
    bytes.fill(0xff, sixth.body, sixth.body + sixth.header.compressed_page_size);
    const path = join(dir.path, 'corrupt-page.parquet');
    await writeFile(path, bytes);
    const before = WASM_GROUP_ROWS + pages.slice(0, 5).reduce((n, p) => n + rowsOf(p.header), 0);
    const got: ParsedItem[] = [];
    const e = await failure(
      (async () => {
        for await (const b of readParquet(await open(path), { columns: ['id', 'email'] })) got.push(...b);
      })(),
    );
    expect(got.map((i) => i.line)).toEqual(Array.from({ length: before }, (_, i) => i + 1));
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).describe()).toMatch(
      new RegExp(`^corrupt-page\\.parquet, line ${before + 1}: row group 2 of 3 \\(rows 2001-4000\\) is corrupt: `),
    );
  });
});

describe('what a page header claims (issue 25)', () => {
  it('a page claiming more than source.parquet.maxPageSize stops the read before the bytes are allocated, naming the cap', async () => {
    const o = WASM_VARIANTS[4]!;
    const path = join(dir.path, 'claims.parquet');
    await writeFile(path, wasmBytes.get(wasmName(o))!);
    const largest = Math.max(...headersOf(wasmBytes.get(wasmName(o))!, 0, 'email').map((h) => Number(h.uncompressed_page_size)));
    const got: ParsedItem[] = [];
    const e = await failure(
      (async () => {
        for await (const b of readParquet(await open(path), { columns: ['id', 'email'], maxPageBytes: largest - 1 })) got.push(...b);
      })(),
    );
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).code).toBe('ETL_SOURCE_LIMIT');
    expect((e as SourceError).describe()).toMatch(
      new RegExp(
        `^claims\\.parquet, line \\d+: row group \\d+ of 3 \\(rows \\d+-\\d+\\): a page claims ${largest} bytes uncompressed, more than source\\.parquet\\.maxPageSize \\(${largest - 1}\\); raise it if the file is right$`,
      ),
    );
    // At the cap the same file is read whole.
    expect(await drain(readParquet(await open(path), { columns: ['id', 'email'], maxPageBytes: largest }))).toHaveLength(WASM_ROWS);
  });
});

describe('text straight from page bytes', () => {
  const decoder = new TextDecoder();
  const strict = (b: Uint8Array): string => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return Buffer.from(b).toString('hex');
    }
  };
  const samples = [
    [0x61, 0x62],
    [0xef, 0xbb, 0xbf, 0x61],
    [0xef, 0xbb, 0xbf],
    [0xef, 0xbb],
    [0xff, 0x41],
    [0xc3, 0x28],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80],
    [0xef, 0xbf, 0xbd], // a real U+FFFD
    [0x41, 0xef, 0xbb, 0xbf], // a BOM not leading stays
    [],
  ].map((b) => Uint8Array.from(b));

  it('a STRING column decodes as TextDecoder does (U+FFFD for bad bytes, a leading BOM dropped)', () => {
    for (const b of samples) {
      const page = Buffer.concat([Buffer.from('xx'), b, Buffer.from('yy')]);
      expect(textOf(page, 2, 2 + b.length, 'lossy'), Buffer.from(b).toString('hex')).toBe(decoder.decode(b));
    }
  });

  it('unannotated bytes decode strictly, as hex when they are not UTF-8', () => {
    for (const b of samples) {
      const page = Buffer.concat([Buffer.from('xx'), b, Buffer.from('yy')]);
      expect(textOf(page, 2, 2 + b.length, 'strict'), Buffer.from(b).toString('hex')).toBe(strict(b));
    }
  });
});
