import { JsonReader } from '../json-reader.js';
import type { TextFormat } from './source-format.js';

// No resume prefix (records can share a line, so lines before a break do not hold them whole) and
// no record bytes (a record is only found by parsing the document): both start over or compare items.
export const jsonFormat: TextFormat = {
  kind: 'text',
  name: 'json',
  extensions: ['.json'],
  entryExtensions: ['.json'],
  encoding: () => 'utf8',
  nests: true,
  createReader: (spec, where) => new JsonReader(spec.json?.pointer, where),
  init: { fields: 'paths', noRecordsHint: ' (is the array elsewhere in the document? give --pointer)' },
};
