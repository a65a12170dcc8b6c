/** Checks that a pipeline reads what it says: before the first request, while reading, and at the end. */
export { checkSourceColumns, mappedReads, COLUMN_PEEKERS } from './source-columns.js';
export { findMissingColumn, seemingDelimiter, type MappedRead, type MissingColumn } from './check-columns.js';
export type { ColumnPeeker, InputColumns, PeekInput } from './input-columns.js';
export { MappedPaths } from './mapped-paths.js';
export { requireRecords } from './require-records.js';
