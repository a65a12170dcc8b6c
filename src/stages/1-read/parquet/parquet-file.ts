/**
 * A Parquet file opened through the storage seam: only its footer is read here (head magic,
 * tail magic, metadata), by byte ranges, never the whole file. What cannot be read at all
 * (not Parquet, truncated, a codec or encoding hyparquet lacks) is a SourceError naming the
 * file, found before the first record.
 */
import { parquetMetadata, parquetSchema, type AsyncBuffer, type CompressionCodec, type FileMetaData, type SchemaTree } from 'hyparquet';
import { ERR, SourceError } from '../../../core/errors.js';
import type { Storage, StoredObject } from '../../../storage/storage.js';
import type { ReaderContext } from '../reader.js';
import { shapeOf, type Shape } from './schema-shape.js';
import { withRawDecimals } from './values.js';

/** What the Parquet reader needs of a storage: byte ranges. */
export type RangeStorage = Pick<Storage, 'readRange'>;

export interface RowGroupSpan {
  readonly index: number;
  /** 0-based row number of the group's first row in the file. */
  readonly start: number;
  readonly rows: number;
}

export interface ParquetFile {
  readonly object: StoredObject;
  readonly where: ReaderContext;
  /** As hyparquet should decode it (see withRawDecimals). */
  readonly metadata: FileMetaData;
  /** The schema of `metadata`, as hyparquet decodes by it. */
  readonly schema: SchemaTree;
  /** Top-level columns in schema order, with the shape of their values (from the footer as written). */
  readonly columns: ReadonlyMap<string, Shape>;
  readonly rowGroups: readonly RowGroupSpan[];
  readonly rows: number;
  /** hyparquet's view of the file: every slice a ranged read. */
  readonly buffer: AsyncBuffer;
}

const MAGIC = 0x31524150; // "PAR1" little-endian
const SUPPORTED_CODECS: ReadonlySet<CompressionCodec> = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'LZ4', 'LZ4_RAW', 'ZSTD']);
// Encodings listed in a column chunk that hyparquet cannot decode (an undefined entry is one the footer's enum does not know).
const UNSUPPORTED_ENCODINGS: ReadonlySet<string | undefined> = new Set(['GROUP_VAR_INT', undefined]);

function broken(what: string, where: ReaderContext, cause?: unknown): SourceError {
  return new SourceError(what, { ...where }, ERR.SOURCE_PARQUET, cause !== undefined ? { cause } : undefined);
}

function asArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer;
}

/** hyparquet's AsyncBuffer over ranged reads; a short read means the file shrank under us. */
export function rangeBuffer(object: StoredObject, storage: RangeStorage, where: ReaderContext): AsyncBuffer {
  return {
    byteLength: object.size,
    async slice(start: number, end: number = object.size): Promise<ArrayBuffer> {
      const bytes = await storage.readRange(object, start, end);
      if (bytes.byteLength < end - start)
        throw broken(`is truncated: ${end - start} bytes wanted at offset ${start}, ${bytes.byteLength} there`, where);
      return asArrayBuffer(bytes);
    },
  };
}

function magicAt(view: DataView, offset: number): boolean {
  return view.byteLength >= offset + 4 && view.getUint32(offset, true) === MAGIC;
}

async function readFooter(object: StoredObject, buffer: AsyncBuffer, where: ReaderContext): Promise<FileMetaData> {
  const size = object.size;
  const head = new DataView(await buffer.slice(0, Math.min(4, size)));
  const startsRight = magicAt(head, 0);
  if (!startsRight) {
    // A prefix of PAR1 is a Parquet file cut short; anything else is another kind of file.
    const prefix = new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
    const isPrefix = size > 0 && prefix.every((b, i) => b === 'PAR1'.charCodeAt(i));
    throw broken(
      isPrefix ? 'is truncated: it ends inside the Parquet header' : 'is not a Parquet file (it does not start with PAR1)',
      where,
    );
  }
  if (size < 12) throw broken('is truncated: no room for a Parquet footer', where);
  const tail = new DataView(await buffer.slice(size - 8, size));
  if (!magicAt(tail, 4)) throw broken('is truncated: the Parquet footer (PAR1 at the end) is missing', where);
  const length = tail.getUint32(0, true);
  if (length > size - 12) throw broken(`is truncated: the footer claims ${length} bytes, the file has ${size - 12} before it`, where);
  const footer = await buffer.slice(size - 8 - length, size);
  try {
    return parquetMetadata(footer);
  } catch (e) {
    throw broken(`has a corrupt Parquet footer: ${e instanceof Error ? e.message : String(e)}`, where, e);
  }
}

/** Reads and checks the footer; no column data is read. */
export async function openParquet(object: StoredObject, storage: RangeStorage, where: ReaderContext): Promise<ParquetFile> {
  const buffer = rangeBuffer(object, storage, where);
  const written = await readFooter(object, buffer, where);
  let columns: Map<string, Shape>;
  try {
    columns = new Map(parquetSchema(written).children.map((c) => [c.element.name, shapeOf(c)]));
  } catch (e) {
    throw broken(`has a corrupt Parquet schema: ${e instanceof Error ? e.message : String(e)}`, where, e);
  }
  const rowGroups: RowGroupSpan[] = [];
  let start = 0;
  written.row_groups.forEach((g, index) => {
    const rows = Number(g.num_rows);
    rowGroups.push({ index, start, rows });
    start += rows;
  });
  const metadata = withRawDecimals(written);
  return { object, where, metadata, schema: parquetSchema(metadata), columns, rowGroups, rows: start, buffer };
}

/**
 * Refuses, before any row is read, column chunks hyparquet cannot decode, naming the codec or
 * encoding: only the columns that will be read count, an unreadable unmapped one does not matter.
 */
export function checkReadable(file: ParquetFile, columns: readonly string[]): void {
  const wanted = new Set(columns);
  for (const group of file.metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      const name = meta?.path_in_schema[0];
      if (meta === undefined || name === undefined) throw broken('has a column chunk without metadata', file.where);
      if (!wanted.has(name)) continue;
      const column = meta.path_in_schema.join('.');
      if (chunk.file_path !== undefined)
        throw broken(`column ${column} keeps its data in another file (${chunk.file_path}), which is not supported`, file.where);
      if (!SUPPORTED_CODECS.has(meta.codec)) {
        throw broken(
          `column ${column} is compressed with ${meta.codec ?? 'an unknown codec'}, which propel-etl cannot read (it reads ${[...SUPPORTED_CODECS].join(', ')})`,
          file.where,
        );
      }
      const bad = meta.encodings.findIndex((e) => UNSUPPORTED_ENCODINGS.has(e));
      if (bad !== -1)
        throw broken(`column ${column} uses the encoding ${meta.encodings[bad] ?? '(unknown)'}, which propel-etl cannot read`, file.where);
    }
  }
}
