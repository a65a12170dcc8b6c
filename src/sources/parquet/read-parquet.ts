/**
 * Records from a Parquet file, one row group at a time: each group's column chunks (only the
 * columns the mapping reads) are fetched by ranged reads and decoded by hyparquet, then its
 * rows are handed out in small arrays; the next group is read only when those were taken.
 * Memory is bounded by one row group's decoded columns, whatever the file's size.
 * (hyparquet's parquetRead over a whole file would fetch every row group's chunks at once.)
 */
import { parquetRead, type ColumnData, type DecodedArray } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { SourceError } from '../../core/errors.js';
import type { SourceData } from '../../core/record.js';
import type { ParsedItem } from '../reader.js';
import { checkReadable, type ParquetFile, type RowGroupSpan } from './parquet-file.js';
import { converterFor, PARSERS, type Convert } from './values.js';

/**
 * Rows per array handed out: the source stream's chunk size, so its buffer of two arrays holds
 * about what it does for the text formats.
 */
const ROWS_PER_ARRAY = 128;

interface Column {
  readonly name: string;
  readonly convert: Convert | undefined;
  /** The group's decoded pieces (one per page run) in row order, and a cursor through them. */
  pieces: DecodedArray[];
  piece: number;
  offset: number;
}

function nextValue(c: Column): unknown {
  let data = c.pieces[c.piece];
  while (data !== undefined && c.offset >= data.length) {
    c.piece++;
    c.offset = 0;
    data = c.pieces[c.piece];
  }
  return data === undefined ? undefined : data[c.offset++];
}

/** hyparquet's words for what it cannot read, named as such; anything else is corrupt data. */
function rowGroupFailure(file: ParquetFile, group: RowGroupSpan, e: unknown): SourceError {
  const message = e instanceof Error ? e.message : String(e);
  const place = `row group ${group.index + 1} of ${file.rowGroups.length} (rows ${group.start + 1}-${group.start + group.rows})`;
  const unsupported = /unsupported (compression codec|encoding): (\S+)/.exec(message);
  const what = unsupported !== null
    ? `${place} uses the ${unsupported[1]} ${unsupported[2]}, which propel-etl cannot read`
    : `${place} is corrupt: ${message.replace(/^parquet /, '')}`;
  return new SourceError(what, { ...file.where, line: group.start + 1 }, 'ETL_SOURCE_PARQUET', { cause: e });
}

/**
 * One row group's columns, decoded; the pieces stay as hyparquet made them (no copy). Column by
 * column: a column's compressed chunk, its decompressed pages and its level arrays are garbage
 * before the next column's are made, so the peak is the group's decoded values plus one column's
 * transient buffers, not every column's at once.
 */
async function readGroup(file: ParquetFile, group: RowGroupSpan, columns: readonly Column[]): Promise<void> {
  for (const c of columns) {
    const runs: ColumnData[] = [];
    try {
      await parquetRead({
        file: file.buffer,
        metadata: file.metadata,
        columns: [c.name],
        rowStart: group.start,
        rowEnd: group.start + group.rows,
        compressors,
        parsers: PARSERS,
        // Bytes without a string annotation are finished by values.ts (DECIMAL, ENUM, binary).
        utf8: false,
        onChunk: (chunk) => runs.push(chunk),
      });
    } catch (e) {
      throw rowGroupFailure(file, group, e);
    }
    runs.sort((a, b) => a.rowStart - b.rowStart);
    const covered = runs.reduce((n, r) => n + r.columnData.length, 0);
    if (runs[0]?.rowStart !== group.start || covered !== group.rows) {
      throw rowGroupFailure(file, group, new Error(`column ${c.name} holds ${covered} values for ${group.rows} rows`));
    }
    c.pieces = runs.map((r) => r.columnData);
    c.piece = 0;
    c.offset = 0;
  }
}

export interface ReadParquetOptions {
  /** Top-level columns to read, in schema order (see columnsFor); every column when undefined. */
  readonly columns?: readonly string[];
}

/**
 * The file's rows as ParsedItems, `line` being the 1-based row number in the file. A null is
 * left out of the record (a missing field, as an empty CSV value). A row group that cannot be
 * decoded throws a SourceError naming it, after every earlier row was handed out.
 */
export async function* readParquet(file: ParquetFile, opts: ReadParquetOptions = {}): AsyncGenerator<ParsedItem[]> {
  const names = opts.columns ?? [...file.columns.keys()];
  checkReadable(file, names);
  const columns: Column[] = names.map((name) => {
    const shape = file.columns.get(name);
    return { name, convert: shape !== undefined ? converterFor(shape) : undefined, pieces: [], piece: 0, offset: 0 };
  });
  for (const group of file.rowGroups) {
    if (group.rows === 0) continue;
    if (columns.length > 0) await readGroup(file, group, columns);
    let items: ParsedItem[] = [];
    for (let r = 0; r < group.rows; r++) {
      const data: Record<string, unknown> = {};
      for (const c of columns) {
        const v = nextValue(c);
        if (v !== null && v !== undefined) data[c.name] = c.convert !== undefined ? c.convert(v) : v;
      }
      items.push({ kind: 'record', line: group.start + r + 1, data: data as SourceData });
      if (items.length === ROWS_PER_ARRAY) {
        yield items;
        items = [];
      }
    }
    for (const c of columns) c.pieces = [];
    if (items.length > 0) yield items;
  }
}
