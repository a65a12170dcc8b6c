import { CsvReader } from '../csv-reader.js';
import type { TextFormat } from './source-format.js';

export const csvFormat: TextFormat = {
  kind: 'text',
  name: 'csv',
  extensions: ['.csv', '.tsv', '.txt'],
  entryExtensions: ['.csv', '.tsv'],
  encoding: (spec) => spec.csv?.encoding ?? 'utf8',
  createReader: (spec, where) => new CsvReader(spec.csv ?? {}, where),
};
