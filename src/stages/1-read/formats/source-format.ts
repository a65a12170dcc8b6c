/**
 * What a source format is to the reader: its name (the pipeline's `source.format`), the file
 * extensions that imply it, and how its records are read. Two kinds:
 * - `text`: bytes are decoded (gzip and ZIP entries unpacked first) and fed as text to a
 *   FormatReader, chunk by chunk; CSV, NDJSON and JSON.
 * - `binary`: the reader gets the StoredObject and its Storage and reads what it needs by byte
 *   range (a footer, then row groups): Parquet. It cannot come from stdin or gzip; a ZIP entry
 *   is extracted to a private temporary file first (`zip-entry-file.ts`).
 * Either kind yields records and read rejects with the line (or row) they start on; the source
 * stream numbers them.
 */
import type { CsvEncoding, SourceSpec } from '../../../config/pipeline-spec.js';
import type { Storage, StoredObject } from '../../../storage/storage.js';
import type { FormatReader, ParsedItem, ReaderContext } from '../reader.js';

interface FormatBase {
  /** `source.format` value. */
  readonly name: string;
  /** Lower-case extensions (with the dot) that imply this format, before any `.gz` / `.zip`. */
  readonly extensions: readonly string[];
  /**
   * Extensions that pick an archive's entry when `zip.entries` is not set: the data files, not
   * what often lies beside them (`.txt` is CSV as a file named by the user, a readme in an archive).
   */
  readonly entryExtensions: readonly string[];
}

export interface TextFormat extends FormatBase {
  readonly kind: 'text';
  /** How its bytes are decoded; JSON and NDJSON are UTF-8 by definition (RFC 8259). */
  encoding(spec: SourceSpec): CsvEncoding;
  createReader(spec: SourceSpec, where: ReaderContext): FormatReader;
}

export interface BinaryReadOptions {
  /** The mapping's source columns and paths: a columnar format reads only these. Every column when undefined. */
  readonly columns?: readonly string[] | undefined;
}

export interface BinaryFormat extends FormatBase {
  readonly kind: 'binary';
  /** The records of one object, a batch at a time, read through `storage` (ranges or streams). */
  read(
    object: StoredObject,
    storage: Storage,
    spec: SourceSpec,
    where: ReaderContext,
    options: BinaryReadOptions,
  ): AsyncIterable<ParsedItem[]>;
  /**
   * Run while the inputs are resolved, before anything is sent: throws what reading would throw
   * before its first record (not this format, truncated, a mapped column missing), reading as
   * little as it can (a footer).
   */
  check(object: StoredObject, storage: Storage, spec: SourceSpec, where: ReaderContext, options: BinaryReadOptions): Promise<void>;
}

export type SourceFormatDef = TextFormat | BinaryFormat;
