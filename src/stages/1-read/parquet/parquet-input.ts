/**
 * The Parquet reader's entry points for the format registry (src/sources/formats/parquet.ts),
 * on a stored object and the storage that holds it: the check before a run (footer, mapped
 * columns, codecs: every file, before anything is sent) and the reading itself. Both name the
 * file (and entry) in what they throw.
 */
import type { StoredObject } from '../../../storage/storage.js';
import type { ParsedItem, ReaderContext } from '../reader.js';
import { columnsFor } from './columns.js';
import { describeParquetColumns, type ParquetColumnInfo } from './describe-schema.js';
import { checkReadable, openParquet, type ParquetFile, type RangeStorage } from './parquet-file.js';
import { readParquet } from './read-parquet.js';

export interface ParquetReadOptions {
  /** The mapping's source paths; only their columns are read. Every column when undefined. */
  readonly sources?: readonly string[] | undefined;
  /** source.parquet.maxPageSize. */
  readonly maxPageBytes?: number | undefined;
}

function columnsToRead(file: ParquetFile, sources: readonly string[] | undefined): string[] {
  return sources !== undefined ? columnsFor(sources, file.columns, file.where) : [...file.columns.keys()];
}

/** Throws what reading would throw before the first row: not Parquet, truncated, a mapped column missing, an unreadable codec. */
export async function checkParquet(
  object: StoredObject,
  storage: RangeStorage,
  where: ReaderContext,
  sources?: readonly string[],
): Promise<void> {
  const file = await openParquet(object, storage, where);
  checkReadable(file, columnsToRead(file, sources));
}

export async function* readParquetObject(
  object: StoredObject,
  storage: RangeStorage,
  where: ReaderContext,
  opts: ParquetReadOptions = {},
): AsyncGenerator<ParsedItem[]> {
  const file = await openParquet(object, storage, where);
  yield* readParquet(file, { columns: columnsToRead(file, opts.sources), maxPageBytes: opts.maxPageBytes });
}

/** The columns of a Parquet file, from its footer (for init). */
export async function parquetColumns(object: StoredObject, storage: RangeStorage, where: ReaderContext): Promise<ParquetColumnInfo[]> {
  return describeParquetColumns(await openParquet(object, storage, where));
}

/**
 * Where the row group holding row `line` (1-based) starts: its first column chunk's offset. The
 * bytes before it hold every row group before it, which a repaired copy must keep for a resume
 * (`resumePrefix` of the Parquet format). Undefined when the file cannot be opened or the row is not in it.
 */
export async function rowGroupStart(
  object: StoredObject,
  storage: RangeStorage,
  where: ReaderContext,
  line: number,
): Promise<number | undefined> {
  const file = await openParquet(object, storage, where).catch(() => undefined);
  if (file === undefined) return undefined;
  let first = 1;
  for (const group of file.metadata.row_groups) {
    const rows = Number(group.num_rows);
    if (line < first + rows) {
      const offsets = group.columns.map((c) => Number(c.meta_data?.dictionary_page_offset ?? c.meta_data?.data_page_offset ?? Number.NaN));
      const start = Math.min(...offsets);
      return Number.isFinite(start) ? start : undefined;
    }
    first += rows;
  }
  return undefined;
}
