/**
 * Records from a Parquet file, row group by row group and, within a group, page by page: each
 * mapped column is a cursor (flat-column.ts for flat columns, nested-column.ts for nested
 * ones) that decodes its next page only when its decoded values run out. Rows are handed out in
 * small arrays, and the pages for the next array are read and decoded only when it is asked for.
 * Memory is bounded by about a page per column where the writer makes pages smaller than its
 * row groups (pyarrow, Spark, arrow-rs: ~1 MB pages), by a row group where it does not (DuckDB).
 */
import { compressors } from 'hyparquet-compressors';
import { ERR, SourceError } from '../../../core/errors.js';
import type { ParsedItem } from '../reader.js';
import type { ColumnCursor, PageHook } from './column-cursor.js';
import { PageTooLarge } from './chunk-pages.js';
import { FlatColumn } from './flat-column.js';
import { NestedColumn } from './nested-column.js';
import { checkReadable, type ParquetFile, type RowGroupSpan } from './parquet-file.js';
import { textDecodingOf } from './string-page.js';
import { converterFor, type Convert } from './values.js';

/**
 * Rows per array handed out: the source stream's chunk size, so its buffer of two arrays holds
 * about what it does for the text formats.
 */
const ROWS_PER_ARRAY = 128;

interface Column {
  readonly cursor: ColumnCursor;
  readonly convert: Convert | undefined;
}

/** hyparquet's words for what it cannot read, named as such; anything else is corrupt data. */
function rowGroupFailure(file: ParquetFile, group: RowGroupSpan, line: number, e: unknown): SourceError {
  const message = e instanceof Error ? e.message : String(e);
  const place = `row group ${group.index + 1} of ${file.rowGroups.length} (rows ${group.start + 1}-${group.start + group.rows})`;
  if (e instanceof PageTooLarge) {
    return new SourceError(`${place}: ${message}; raise it if the file is right`, { ...file.where, line }, ERR.SOURCE_LIMIT);
  }
  const unsupported = /unsupported (compression codec|encoding): (\S+)/.exec(message);
  const what =
    unsupported !== null
      ? `${place} uses the ${unsupported[1]} ${unsupported[2]}, which propel-etl cannot read`
      : `${place} is corrupt: ${message.replace(/^parquet /, '')}`;
  return new SourceError(what, { ...file.where, line }, ERR.SOURCE_PARQUET, { cause: e });
}

export interface ReadParquetOptions {
  /** Top-level columns to read, in schema order (see columnsFor); every column when undefined. */
  readonly columns?: readonly string[];
  /** Bytes of a column chunk read at once (ChunkPages); for tests of what is held. */
  readonly windowBytes?: number;
  /** Called for every page of a flat column as it is decoded; for tests of what is held. */
  readonly onPage?: PageHook;
  /** The largest page a header may claim (source.parquet.maxPageSize). */
  readonly maxPageBytes?: number | undefined;
}

function cursorFor(file: ParquetFile, name: string, opts: ReadParquetOptions): ColumnCursor {
  const shape = file.columns.get(name);
  if (shape?.kind !== 'value' || shape.element.repetition_type === 'REPEATED') return new NestedColumn(file, name, compressors);
  return new FlatColumn(file, name, textDecodingOf(shape.element), {
    compressors,
    windowBytes: opts.windowBytes,
    onPage: opts.onPage,
    maxPageBytes: opts.maxPageBytes,
  });
}

function nextRecord(columns: readonly Column[], line: number): ParsedItem {
  const data: Record<string, unknown> = {};
  for (const c of columns) {
    const v = c.cursor.take();
    if (v !== null && v !== undefined) data[c.cursor.name] = c.convert !== undefined ? c.convert(v) : v;
  }
  return { kind: 'record', line, data: data };
}

/**
 * The file's rows as ParsedItems, `line` being the 1-based row number in the file. A null is
 * left out of the record (a missing field, as an empty CSV value). A page that cannot be
 * decoded throws a SourceError naming its row group, after every row before it was handed out.
 */
export async function* readParquet(file: ParquetFile, opts: ReadParquetOptions = {}): AsyncGenerator<ParsedItem[]> {
  const names = opts.columns ?? [...file.columns.keys()];
  checkReadable(file, names);
  const columns: Column[] = names.map((name) => {
    const shape = file.columns.get(name);
    return { cursor: cursorFor(file, name, opts), convert: shape !== undefined ? converterFor(shape) : undefined };
  });
  for (const group of file.rowGroups) {
    if (group.rows === 0) continue;
    let taken = 0;
    try {
      for (const c of columns) c.cursor.startGroup(group);
    } catch (e) {
      throw rowGroupFailure(file, group, group.start + 1, e);
    }
    while (taken < group.rows) {
      let rows = Math.min(ROWS_PER_ARRAY, group.rows - taken);
      let failure: unknown;
      try {
        for (const c of columns) await c.cursor.fill(rows);
      } catch (e) {
        // The rows every column still has are handed out first: what was read before the bad page is settled.
        failure = e;
        rows = Math.min(rows, ...columns.map((c) => c.cursor.available));
      }
      const items: ParsedItem[] = [];
      for (let r = 0; r < rows; r++) items.push(nextRecord(columns, group.start + taken + r + 1));
      taken += rows;
      if (items.length > 0) yield items;
      if (failure !== undefined) throw rowGroupFailure(file, group, group.start + taken + 1, failure);
    }
  }
}
