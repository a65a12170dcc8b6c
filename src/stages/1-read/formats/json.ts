import { JsonReader } from '../json-reader.js';
import type { TextFormat } from './source-format.js';

export const jsonFormat: TextFormat = {
  kind: 'text',
  name: 'json',
  extensions: ['.json'],
  entryExtensions: ['.json'],
  encoding: () => 'utf8',
  createReader: (spec, where) => new JsonReader(spec.json?.pointer, where),
};
