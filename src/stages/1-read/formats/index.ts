/**
 * The source formats a pipeline can name. To add one: a file beside these exporting its
 * definition (`source-format.ts` says what a definition holds: a `TextFormat`, decoded text in and
 * records out, as `csv.ts`; or a `BinaryFormat`, StoredObject and Storage in, for random access,
 * as `parquet.ts`), and its line in FORMATS. Nothing else names a format.
 */
import { csvFormat } from './csv.js';
import { jsonFormat } from './json.js';
import { ndjsonFormat } from './ndjson.js';
import { parquetFormat } from './parquet.js';
import { FormatRegistry } from './registry.js';

export { FormatRegistry } from './registry.js';
export type { BinaryFormat, BinaryReadOptions, DeclaredField, InitSampling, SourceFormatDef, TextFormat } from './source-format.js';

export const FORMATS = new FormatRegistry([csvFormat, ndjsonFormat, jsonFormat, parquetFormat]);

/** The format of an input whose name implies none and whose pipeline names none (stdin, `data.dat`). */
export const DEFAULT_FORMAT = csvFormat.name;
