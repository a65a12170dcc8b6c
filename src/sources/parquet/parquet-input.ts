/**
 * The Parquet reader's two entry points for the source stage: the check before a run (footer,
 * mapped columns, codecs: every file, before anything is sent) and the reading itself. Both
 * name the file (and the archive entry) in what they throw.
 */
import type { ParsedItem, ReaderContext } from '../reader.js';
import type { ZipArchive, ZipEntryInput } from '../zip-reader.js';
import { withExtractedEntry } from './archive-entry.js';
import { columnsFor } from './columns.js';
import { describeParquetColumns, type ParquetColumnInfo } from './describe-schema.js';
import { localObject, localRanges } from './local-ranges.js';
import { checkReadable, openParquet, type ParquetFile } from './parquet-file.js';
import { readParquet } from './read-parquet.js';

async function openLocal(path: string, where: ReaderContext): Promise<ParquetFile> {
  return openParquet(await localObject(path, where.file), localRanges, where);
}

function columnsToRead(file: ParquetFile, sources: readonly string[] | undefined): string[] {
  return sources !== undefined ? columnsFor(sources, file.columns, file.where) : [...file.columns.keys()];
}

/** Throws what reading would throw before the first row: not Parquet, truncated, a mapped column missing, an unreadable codec. */
export async function checkParquetFile(path: string, where: ReaderContext, sources?: readonly string[]): Promise<void> {
  const file = await openLocal(path, where);
  checkReadable(file, columnsToRead(file, sources));
}

export async function checkParquetEntry(archive: ZipArchive, entry: ZipEntryInput, where: ReaderContext, sources?: readonly string[]): Promise<void> {
  // for await drives the extraction; the check yields nothing.
  for await (const _ of withExtractedEntry(archive, entry, async function* (path) {
    await checkParquetFile(path, where, sources);
  })) void _;
}

/** The columns of a local Parquet file, from its footer (for init). */
export async function parquetColumns(path: string, where: ReaderContext): Promise<ParquetColumnInfo[]> {
  return describeParquetColumns(await openLocal(path, where));
}

export interface ParquetReadOptions {
  /** The mapping's source paths; only their columns are read. Every column when undefined. */
  readonly sources?: readonly string[];
  readonly onGroupDone?: (bytes: number) => void;
}

export async function* readParquetFile(path: string, where: ReaderContext, opts: ParquetReadOptions): AsyncGenerator<ParsedItem[]> {
  const file = await openLocal(path, where);
  yield* readParquet(file, { columns: columnsToRead(file, opts.sources), ...(opts.onGroupDone !== undefined ? { onGroupDone: opts.onGroupDone } : {}) });
}

export function readParquetEntry(archive: ZipArchive, entry: ZipEntryInput, where: ReaderContext, opts: ParquetReadOptions): AsyncGenerator<ParsedItem[]> {
  return withExtractedEntry(archive, entry, (path) => readParquetFile(path, where, opts));
}
