/**
 * The source formats a pipeline can name. To add one: a file beside these exporting a
 * `TextFormat` (decoded text in, records out: see `csv.ts`) or a `BinaryFormat` (StoredObject and
 * Storage in, for random access), its line in FORMATS, and its name in `SourceFormat`
 * (`src/config/pipeline-spec.ts`) and `schemas/pipeline.schema.json`.
 */
import { csvFormat } from './csv.js';
import { jsonFormat } from './json.js';
import { ndjsonFormat } from './ndjson.js';
import { parquetFormat } from './parquet.js';
import { FormatRegistry } from './registry.js';

export { FormatRegistry } from './registry.js';
export type { BinaryFormat, BinaryReadOptions, SourceFormatDef, TextFormat } from './source-format.js';

export const FORMATS = new FormatRegistry([csvFormat, ndjsonFormat, jsonFormat, parquetFormat]);
