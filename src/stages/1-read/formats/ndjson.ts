import { maxRecordChars } from '../record-size.js';
import { NdjsonReader } from '../ndjson-reader.js';
import { linesBefore } from './line-prefix.js';
import type { TextFormat } from './source-format.js';

export const ndjsonFormat: TextFormat = {
  kind: 'text',
  name: 'ndjson',
  extensions: ['.ndjson', '.jsonl'],
  entryExtensions: ['.ndjson', '.jsonl'],
  encoding: () => 'utf8',
  nests: true,
  createReader: (spec, where, known) => new NdjsonReader(where, maxRecordChars(spec), known),
  recordBytes: true,
  resumePrefix: linesBefore,
  init: { fields: 'paths' },
};
