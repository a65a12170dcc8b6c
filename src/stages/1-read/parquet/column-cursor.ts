/**
 * What the reader asks of a column, flat (flat-column.ts, page by page) or nested
 * (nested-column.ts, a row group at a time): values for the current row group's rows, in order.
 */
import type { Compressors, PageHeader } from 'hyparquet';
import type { RowGroupSpan } from './parquet-file.js';

/** One column's values for the rows of the current row group, in row order. */
export interface ColumnCursor {
  readonly name: string;
  /** Values decoded and not yet taken. */
  readonly available: number;
  startGroup(group: RowGroupSpan): void;
  /** Decodes until `rows` values are available or the group has no more; throws what decoding throws. */
  fill(rows: number): Promise<void>;
  /** The next row's value (null or undefined for none); only after fill made it available. */
  take(): unknown;
}

/** What the reader tells about its work, for tests that check how much it holds. */
export type PageHook = (column: string, header: PageHeader) => void;

export interface CursorOptions {
  readonly compressors: Compressors;
  readonly windowBytes?: number | undefined;
  /** The largest page a header may claim (source.parquet.maxPageSize). */
  readonly maxPageBytes?: number | undefined;
  readonly onPage?: PageHook | undefined;
}
