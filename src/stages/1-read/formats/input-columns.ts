/**
 * What an input says about its columns before its records are read: a CSV header (or the first
 * row's width when there is none), a schema for formats that have one. One peeker per format,
 * so a format with a schema (Parquet) plugs its own in; formats without (JSON, NDJSON) have
 * none and their mapped paths are watched while the run reads (see mapped-paths.ts).
 */
import type { SourceSpec } from '../../../config/pipeline-spec.js';
import type { ReaderContext } from '../reader.js';
import type { Storage, StoredObject } from '../../../storage/index.js';

export interface InputColumns {
  readonly where: ReaderContext;
  /** The names a record of this input can have. */
  readonly columns: readonly string[];
  /** What the names come from, for the message: `the header of`, `the first row of` (headerless CSV), `the schema of`. */
  readonly source: 'header' | 'first row' | 'schema';
  /** A CSV header that is one field: the raw text, to tell which delimiter the file seems to use. */
  readonly singleField?: string;
}

/** One input's bytes (decompressed) and where they come from. */
export interface PeekInput {
  readonly where: ReaderContext;
  /** The format's name in the registry (src/sources/formats/). */
  readonly format: string;
  readonly spec: SourceSpec;
  /** Its bytes, gzip undone; only opened when iterated, and stopping the iteration early closes the input. */
  readonly bytes: AsyncIterable<Buffer>;
  /** For a format read by byte range (a schema in a footer): the object itself and its storage. Absent for an archive entry. */
  readonly object?: StoredObject;
  readonly storage?: Storage;
}

/** Reads as little of the input as tells its columns; undefined when the input has none to tell (empty). */
export type ColumnPeeker = (input: PeekInput) => Promise<InputColumns | undefined>;
