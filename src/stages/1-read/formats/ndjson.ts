import { NdjsonReader } from '../ndjson-reader.js';
import type { TextFormat } from './source-format.js';

export const ndjsonFormat: TextFormat = {
  kind: 'text',
  name: 'ndjson',
  extensions: ['.ndjson', '.jsonl'],
  entryExtensions: ['.ndjson', '.jsonl'],
  encoding: () => 'utf8',
  createReader: () => new NdjsonReader(),
};
