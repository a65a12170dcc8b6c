export { resolveInputs, STDIN, type InputFile, type ResolveOptions } from './resolve-inputs.js';
export { openSource, SourceStream, CHUNK_EVENTS, type OpenSourceOptions } from './source-stream.js';
export type { SkippedEntry } from './input-parts.js';
export { CsvReader, CsvRowSplitter, checkHeaderNames, MAX_PENDING_CHARS, type CsvRow } from './csv-reader.js';
export { NdjsonReader } from './ndjson-reader.js';
export { JsonReader, parseJsonPointer } from './json-reader.js';
export { createDecoder, type TextDecoderLike, type InvalidByte } from './decode.js';
export { ENCODING_CHECK_BYTES } from './utf8-check.js';
export { gunzipIfNeeded, type GzipMode } from './decompress.js';
export { openZip, DEFAULT_MAX_ENTRY_BYTES, type ZipArchive, type ZipEntryInput } from './zip-reader.js';
export { compressionFromName, compressionFromMagic, type Compression } from './compression.js';
export {
  FORMATS,
  FormatRegistry,
  type BinaryFormat,
  type BinaryReadOptions,
  type SourceFormatDef,
  type TextFormat,
} from './formats/index.js';
export type { FormatReader, ParsedItem, ReaderContext } from './reader.js';
export { readParquet, openParquet, parquetColumns, type ParquetFile, type RangeStorage, type ParquetColumnInfo } from './parquet/index.js';
