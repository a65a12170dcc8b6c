/**
 * The pipeline file as TypeScript types (after YAML/JSON parsing, `${VAR}` substitution and
 * schema validation). `schemas/pipeline.schema.json` is the same contract for editors; keep both in step.
 */
import type { S3Settings } from '../storage/s3/s3-settings.js';
import type { ResourceName } from '../core/resource.js';

/**
 * A source format's name: one of the formats the read stage registers (`src/stages/1-read/formats/`:
 * csv, ndjson, json, parquet); checked against them before the first request (`preflight/format-name.ts`).
 */
export type SourceFormat = string;
export type CsvEncoding = 'utf8' | 'utf-8' | 'utf16le' | 'utf-16' | 'latin1' | 'windows-1252';

export interface CsvOptions {
  delimiter?: string;
  quote?: string;
  escape?: string;
  /** true: the first line names the columns; a list: the file has no header line, these are the names. */
  headers?: boolean | string[];
  /** Lines to skip before the header (or the first record). */
  skipLines?: number;
  /** Lines starting with this character are skipped. */
  comment?: string;
  trim?: boolean;
  encoding?: CsvEncoding;
}

export type { S3Settings };

export interface SourceSpec {
  /** A file, a glob (read in sorted order), a .gz or .zip, or `-` for stdin. Relative to the pipeline file. */
  path: string;
  format?: SourceFormat;
  csv?: CsvOptions;
  json?: { pointer?: string };
  /** maxEntryBytes in bytes: the loader resolves `500mb` once (src/config/normalise.ts). */
  zip?: { entries?: string; maxEntryBytes?: number; maxRatio?: number };
  /** For an `s3://` path: the service, when not AWS's defaults. */
  s3?: S3Settings;
  /** maxPageSize in bytes (resolved from `256mb` by the loader): the largest page a Parquet page header may claim. Default 128 MiB. */
  parquet?: { maxPageSize?: number };
  /** The longest CSV record or NDJSON line, in characters: the loader resolves `64mb` once. Default 16 MiB. */
  maxRecordSize?: number;
  /** A run that reads no record at all is an error (exit 3: a failed upstream export looks like that) unless this is true. */
  allowEmpty?: boolean;
}

export type TransformName = 'trim' | 'lower' | 'upper' | 'collapse';
export type ValueType = 'string' | 'integer' | 'number' | 'boolean' | 'yn';

/** How to make one target field. A bare string is `{ from: <string> }`. */
export interface FieldSpec {
  /** Source column, or a path into a nested record (`name.first`, `phones[0]`). */
  from?: string;
  /** A constant. */
  value?: string | number | boolean;
  /** Used when the source value is empty or missing. */
  default?: string | number | boolean;
  transform?: TransformName[];
  type?: ValueType;
  /** Source date format, e.g. `DD-MM-YYYY`; output is ISO `YYYY-MM-DD`. */
  date?: string;
  /** Lookup table from source value to target value. A value not in the table is a map reject unless `default` is set. */
  map?: Record<string, string | number | boolean>;
}

/**
 * A mapping node: a field (string or FieldSpec), a nested object of mapping nodes, or an array
 * of mapping nodes (each element one object, e.g. one address).
 * A plain object is a FieldSpec when it has `from`, or when all its keys are FieldSpec keys
 * holding FieldSpec-shaped values; otherwise it is a nested object (Propel objects have target
 * fields named `type` and `value`). See src/mapping/classify.ts. In `attributes:` elements a
 * bare string for `name`, `type` or `class` is a constant, not a column.
 */
export type MappingNode = string | FieldSpec | MappingObject | MappingNode[];
export interface MappingObject {
  [field: string]: MappingNode;
}

export interface BatchSpec {
  /** Items per request. */
  size: number;
  /** Serialised request body ceiling in bytes. */
  maxBytes: number;
}

export interface SendSpec {
  /** Requests in flight at once; with `adaptive`, the ceiling the controller may reach. */
  concurrency: number;
  /** `concurrency: auto`: the number in flight is learnt from the answers (src/send/adaptive-concurrency.ts). */
  adaptive?: boolean;
  maxRetries: number;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
  /** Requests per second; undefined = unlimited. */
  rate?: number;
  /** The largest answer of the bulk endpoint held to be read, bytes (`send.maxAnswerSize`); default 64 MiB. */
  maxAnswerBytes?: number;
}

export interface ErrorsSpec {
  /** Abort once more records than this were rejected. A count, or a fraction of records read (0.01 for `1%`). */
  maxRejects?: { count: number } | { fraction: number };
}

export interface DirectivesSpec {
  skipIfNotEmpty?: string[];
  skipMoveOnUpdate?: boolean;
}

/** `delta:`: send only what changed since Propel last acknowledged it (src/delta/, src/state/). */
export interface DeltaSpec {
  /** Resend an item acknowledged longer ago than this, even unchanged; undefined = never. */
  refreshAfterMs?: number;
  /** `report`: keys the state knows but this run's input lacks go to orphans.ndjson and are counted. */
  orphans: 'report' | 'ignore';
  /** Most new plus changed items a night may send: a count, or a fraction of the state's keys. Past it nothing is sent (exit 3). */
  maxChanged?: { count: number } | { fraction: number };
  /** Most orphans a night may leave, likewise. */
  maxOrphans?: { count: number } | { fraction: number };
  /** false: records are never known by their own bytes (core/known-bytes.ts); every one is compared as an item. */
  compareBytes?: false;
}

export interface PipelineSpec {
  name: string;
  resource: ResourceName;
  source: SourceSpec;
  mapping: MappingObject;
  batch: BatchSpec;
  send: SendSpec;
  errors: ErrorsSpec;
  directives?: DirectivesSpec;
  delta?: DeltaSpec;
  /** Absolute path of the pipeline file; relative source paths resolve against its folder. */
  file: string;
}
