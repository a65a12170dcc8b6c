/** Checks that a pipeline reads what it says: before the first request, while reading, and at the end. */
export { checkSourceColumns, mappedReads } from './source-columns.js';
export { checkFormatName } from './format-name.js';
export { findMissingColumn, seemingDelimiter, type MappedRead, type MissingColumn } from './check-columns.js';
export { MappedPaths } from './mapped-paths.js';
export { requireRecords } from './require-records.js';
