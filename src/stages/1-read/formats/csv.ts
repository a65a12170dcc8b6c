import { CsvReader } from '../csv-reader.js';
import { peekCsvColumns } from './csv-peek.js';
import { linesBefore } from './line-prefix.js';
import { maxRecordChars } from '../record-size.js';
import type { TextFormat } from './source-format.js';

/** The delimiters init tries: exports come with `,` or `;` (or tabs) and say nothing about which. */
const DELIMITERS = [',', ';', '\t', '|'] as const;

export const csvFormat: TextFormat = {
  kind: 'text',
  name: 'csv',
  extensions: ['.csv', '.tsv', '.txt'],
  entryExtensions: ['.csv', '.tsv'],
  encoding: (spec) => spec.csv?.encoding ?? 'utf8',
  encodingKey: 'source.csv.encoding',
  createReader: (spec, where, known) => new CsvReader(spec.csv ?? {}, where, maxRecordChars(spec), known),
  recordBytes: true,
  peekColumns: peekCsvColumns,
  resumePrefix: linesBefore,
  init: {
    fields: 'columns',
    tries: (base) => DELIMITERS.map((delimiter) => ({ ...base, csv: { ...base.csv, delimiter, headers: true } })),
  },
};
