/**
 * A source format, whole: everything the tool knows of one format is in its definition, so adding
 * a format is one file beside these and one line in `FORMATS` (`index.ts`). The generic code
 * (the source stream, preflight, resume, init) asks the definition and never names a format.
 *
 * Two kinds:
 * - `text`: bytes are decoded (gzip and ZIP entries unpacked first) and fed as text to a
 *   FormatReader, chunk by chunk; CSV, NDJSON and JSON.
 * - `binary`: the reader gets the StoredObject and its Storage and reads what it needs by byte
 *   range (a footer, then row groups): Parquet. It cannot come from stdin or gzip; a ZIP entry
 *   is extracted to a private temporary file first (`zip-entry-file.ts`).
 * Either kind yields records and read rejects with the line (or row) they start on; the source
 * stream numbers them.
 */
import type { CsvEncoding, SourceSpec } from '../../../config/pipeline-spec.js';
import type { BreakPrefix } from '../../../resume/break-prefix.js';
import type { Storage, StoredObject } from '../../../storage/storage.js';
import type { InputFile } from '../input-file.js';
import type { FormatReader, ParsedItem, ReaderContext } from '../reader.js';
import type { ColumnPeeker } from './input-columns.js';
import type { KnownBytes } from '../../../core/known-bytes.js';

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
  /**
   * Preflight: the columns an input has, read from as little of it as tells them (a header), so a
   * mapped column it lacks stops the run before the first request. Absent: the format has no
   * columns up front (JSON), or checks them itself (a binary format's `check`).
   */
  readonly peekColumns?: ColumnPeeker;
  /**
   * Resume over a repaired input: what a repaired copy of `input` must begin with for the records
   * before the break on `line` to be the ones already settled (see `resume/break-prefix.ts`).
   * Absent, or undefined from it: the input cannot be repaired in place (JSON documents, whose
   * records can share a line) and starts over.
   */
  resumePrefix?(input: InputFile, storage: Storage, line: number): Promise<BreakPrefix | undefined>;
  /** `propel-etl init`: how it samples an input of this format (absent: the spec as given, its fields called paths). */
  readonly init?: InitSampling;
}

export interface InitSampling {
  /** What the found fields are called in the proposed file's comments. */
  readonly fields: 'columns' | 'paths';
  /**
   * The specs to try on the first records, the one that finds the most fields winning (CSV: one
   * per usual delimiter, since exports do not say which). Absent: the spec as given.
   */
  tries?(base: SourceSpec): SourceSpec[];
  /** Fields the input declares before any record (a schema), with the attribute type their values fit. */
  declaredFields?(object: StoredObject, storage: Storage, where: ReaderContext): Promise<readonly DeclaredField[]>;
  /** Said when no record was found, after the message (JSON: where the array may be). */
  readonly noRecordsHint?: string;
}

export interface DeclaredField {
  readonly path: string;
  readonly attributeType: string;
}

export interface TextFormat extends FormatBase {
  readonly kind: 'text';
  /** How its bytes are decoded; JSON and NDJSON are UTF-8 by definition (RFC 8259). */
  encoding(spec: SourceSpec): CsvEncoding;
  /** The pipeline key that sets the encoding, named when the bytes are not in it; absent: the format must be UTF-8. */
  readonly encodingKey?: string;
  /** `known`: only for a format with `recordBytes` (a delta night's fast path). */
  createReader(spec: SourceSpec, where: ReaderContext, known?: KnownBytes): FormatReader;
  /** Its records can hold objects and arrays: each is checked against the nesting cap (depth-check.ts). */
  readonly nests?: true;
  /**
   * Its records have text of their own (a CSV record, an NDJSON line), cut by its reader: given a
   * KnownBytes, the reader hashes each record's text before building anything and yields what the
   * delta state knows as `known` items (core/known-bytes.ts). Absent where records have no text of
   * their own (a JSON document's records are found by parsing it): those compare item hashes.
   */
  readonly recordBytes?: true;
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
