/**
 * Parquet fixtures written by arrow-rs (parquet-wasm), the writer behind pyarrow-like exports
 * and Rust tools: unlike DuckDB it cuts a column chunk into many small pages (here a page
 * size limit of a few hundred bytes) and writes DATA_PAGE_V2 headers with writer version V2.
 * The table is built with apache-arrow and handed over as Arrow IPC.
 */
import * as arrow from 'apache-arrow';
import { Compression, Encoding, Table as WasmTable, WriterPropertiesBuilder, WriterVersion, writeParquet } from 'parquet-wasm';
import { parquetHeader } from 'hyparquet/src/column.js';
import { parquetMetadata, type PageHeader } from 'hyparquet';

export const WASM_ROWS = 5000;
export const WASM_GROUP_ROWS = 2000;
const FIRST_ID = 1_000_000_000_000_000_000n; // 19 digits, far past 2^53
const DAY_MS = 86_400_000;
const SEEN_BASE = 1_700_000_000_000_000n; // micros: 2023-11-14T22:13:20Z

export interface WasmOptions {
  readonly version: 'V1' | 'V2';
  readonly dictionary: boolean;
  readonly codec: 'snappy' | 'zstd' | 'gzip' | 'uncompressed';
  /**
   * `plain`: PLAIN pages (after the dictionary's, when on); `delta`: arrow-rs's choice for
   * version V2, DELTA_BINARY_PACKED and DELTA_BYTE_ARRAY, so small that a chunk has few pages.
   */
  readonly encoding: 'plain' | 'delta';
}

const CODECS = {
  snappy: Compression.SNAPPY,
  zstd: Compression.ZSTD,
  gzip: Compression.GZIP,
  uncompressed: Compression.UNCOMPRESSED,
} as const;

const nullEmail = (i: number): boolean => i % 6 === 0;
const nullCredit = (i: number): boolean => i % 9 === 4;
const nullDob = (i: number): boolean => i % 7 === 3;
/** Bytes that are not UTF-8, a value with a byte-order mark, and plain text. */
function codeBytes(i: number): Uint8Array {
  if (i % 13 === 0) return Uint8Array.of(0xff, i & 0xff, 0x41);
  if (i % 17 === 0) return new TextEncoder().encode(`\uFEFFbom${i}`);
  return new TextEncoder().encode(`C-${i}`);
}
const cents = (i: number): bigint => (i % 11 === 0 ? 999_999_999_999_999_999n - BigInt(i) : BigInt(i) * 12345n - 1_000_000n);

function validity(n: number, isNull: (i: number) => boolean): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(n / 8));
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (isNull(i)) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

function table(n: number): arrow.Table {
  const decimals = new Uint32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const v = BigInt.asUintN(128, cents(i));
    for (let w = 0; w < 4; w++) decimals[i * 4 + w] = Number((v >> BigInt(32 * w)) & 0xffffffffn);
  }
  return new arrow.Table({
    id: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => FIRST_ID + BigInt(i)),
      new arrow.Int64(),
    ),
    email: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (nullEmail(i) ? null : `user${i}@example.com`)),
      new arrow.Utf8(),
    ),
    city: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `City ${i % 7}`),
      new arrow.Utf8(),
    ),
    code: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => codeBytes(i)),
      new arrow.Binary(),
    ),
    credit: arrow.makeVector(
      arrow.makeData({ type: new arrow.Decimal(2, 18, 128), length: n, ...validity(n, nullCredit), data: decimals }),
    ),
    dob: arrow.makeVector(
      arrow.makeData({
        type: new arrow.DateDay(),
        length: n,
        ...validity(n, nullDob),
        data: Int32Array.from({ length: n }, (_, i) => -7000 + i * 3),
      }),
    ),
    seen: arrow.makeVector(
      arrow.makeData({
        type: new arrow.TimestampMicrosecond('UTC'),
        length: n,
        nullCount: 0,
        data: BigInt64Array.from({ length: n }, (_, i) => SEEN_BASE + BigInt(i) * 1_000_001n),
      }),
    ),
    score: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 5 === 1 ? null : i / 4)),
      new arrow.Float64(),
    ),
    vip: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i % 3 === 0),
      new arrow.Bool(),
    ),
    rank: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 10 === 9 ? null : i - 2500)),
      new arrow.Int32(),
    ),
  });
}

/** The file's bytes: many pages per column chunk, row groups of WASM_GROUP_ROWS. */
export function writeWasmParquet(opts: WasmOptions, rows = WASM_ROWS): Uint8Array {
  const ipc = arrow.tableToIPC(table(rows), 'stream');
  const builder = new WriterPropertiesBuilder()
    .setWriterVersion(opts.version === 'V2' ? WriterVersion.V2 : WriterVersion.V1)
    .setCompression(CODECS[opts.codec])
    .setDictionaryEnabled(opts.dictionary)
    // A small dictionary limit makes the unique email column fall back to PLAIN pages mid-chunk.
    .setDictionaryPageSizeLimit(2048)
    // arrow-rs checks the page size after each write batch: small batches, small pages.
    .setDataPageSizeLimit(256)
    .setWriteBatchSize(50)
    .setMaxRowGroupSize(WASM_GROUP_ROWS);
  const props = (opts.encoding === 'plain' ? builder.setEncoding(Encoding.PLAIN) : builder).build();
  return writeParquet(WasmTable.fromIPCStream(ipc), props);
}

/** What row i of the fixture becomes in a record (nulls left out), as README's value table says. */
export function expectedWasmRecord(i: number): Record<string, unknown> {
  const code = codeBytes(i);
  const text = i % 13 === 0 ? Buffer.from(code).toString('hex') : i % 17 === 0 ? `bom${i}` : `C-${i}`;
  const c = cents(i);
  const abs = c < 0n ? -c : c;
  const micros = SEEN_BASE + BigInt(i) * 1_000_001n;
  const out: Record<string, unknown> = {
    id: (FIRST_ID + BigInt(i)).toString(),
    ...(nullEmail(i) ? {} : { email: `user${i}@example.com` }),
    city: `City ${i % 7}`,
    code: text,
    ...(nullCredit(i) ? {} : { credit: `${c < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}` }),
    ...(nullDob(i) ? {} : { dob: new Date((-7000 + i * 3) * DAY_MS).toISOString().slice(0, 10) }),
    seen: `${new Date(Number(micros / 1_000_000n) * 1000).toISOString().slice(0, 19)}.${String(micros % 1_000_000n).padStart(6, '0')}Z`,
    ...(i % 5 === 1 ? {} : { score: i / 4 }),
    vip: i % 3 === 0,
    ...(i % 10 === 9 ? {} : { rank: i - 2500 }),
  };
  return out;
}

export interface PageAt {
  readonly header: PageHeader;
  /** File offset of the page's bytes after its header. */
  readonly body: number;
}

/** Every page header of one column chunk, read with hyparquet's own header parser from the file's bytes. */
export function pageHeaders(bytes: Uint8Array, group: number, column: string): PageAt[] {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const footerLength = new DataView(buffer).getUint32(bytes.byteLength - 8, true);
  const metadata = parquetMetadata(buffer.slice(bytes.byteLength - 8 - footerLength));
  const chunk = metadata.row_groups[group]?.columns.find((c) => c.meta_data?.path_in_schema[0] === column)?.meta_data;
  if (chunk === undefined) throw new Error(`no chunk for ${column} in row group ${group}`);
  const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
  const end = start + Number(chunk.total_compressed_size);
  const reader = { view: new DataView(buffer, start, end - start), offset: 0 };
  const pages: PageAt[] = [];
  while (reader.offset < end - start) {
    const header = parquetHeader(reader);
    pages.push({ header, body: start + reader.offset });
    reader.offset += header.compressed_page_size;
  }
  return pages;
}
