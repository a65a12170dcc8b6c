/**
 * A CSV input's columns from its first row, read with the run's own row splitter and decoder
 * (same delimiter, quote, skipLines, comment and encoding), so the header seen here is the
 * header the run will use.
 */
import { createDecoder } from '../decode.js';
import { CsvRowSplitter, type CsvRow } from '../csv-reader.js';
import type { ColumnPeeker, InputColumns } from './input-columns.js';

export const peekCsvColumns: ColumnPeeker = async ({ where, spec, bytes }) => {
  const options = spec.csv ?? {};
  const splitter = new CsvRowSplitter(options, where);
  const decoder = createDecoder(options.encoding);
  let first: CsvRow | undefined;
  for await (const chunk of bytes) {
    first = splitter.write(decoder.write(chunk))[0];
    if (first !== undefined) break;
  }
  first ??= splitter.write(decoder.end())[0] ?? splitter.end()[0];
  // Bytes that are not in the file's encoding: the run says so (exit 2, file and line), not a column check on replacement characters.
  if (first === undefined || decoder.invalid !== undefined) return undefined;
  const headers = options.headers ?? true;
  let result: InputColumns;
  if (headers === true) {
    // The reader trims header names the same way.
    const names = first.fields.map((f) => f.trim());
    result = { where, columns: names, source: 'header', ...(names.length === 1 ? { singleField: names[0] } : {}) };
  } else {
    // Without a header line the columns are the given names, or positions, as far as the first row reaches.
    const width = first.fields.length;
    const names = Array.isArray(headers) ? headers.slice(0, width) : Array.from({ length: width }, (_, i) => String(i));
    result = { where, columns: names, source: 'first row' };
  }
  return result;
};
