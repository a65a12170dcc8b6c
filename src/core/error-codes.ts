/**
 * Every error code propel-etl gives, once: its stable code (for programs and schedulers), the kind
 * of error it is (which decides the class that carries it and the exit code), and what it means,
 * in one line for people. As undici's lib/core/errors.js: a code is named here and nowhere else;
 * code elsewhere refers to its entry (`ERR.SOURCE_MISSING`). README's table of codes lists the same
 * entries (test/core/error-codes.test.ts holds the two together).
 */
import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * What kind of failure a code is. `config`: found before anything was sent, retrying cannot help
 * (exit 2). `source`, `auth`, `transport`, `budget`, `output`, `internal`: the run stopped and is resumable
 * (exit 3). `interrupted`: a signal (exit 130). `warning`: reported beside a run, its exit code unchanged.
 */
export type ErrorKind = 'config' | 'source' | 'auth' | 'transport' | 'budget' | 'output' | 'interrupted' | 'internal' | 'warning';

export const EXIT_OF_KIND: Readonly<Record<Exclude<ErrorKind, 'warning'>, ExitCode>> = {
  config: EXIT.usage,
  source: EXIT.aborted,
  auth: EXIT.aborted,
  transport: EXIT.aborted,
  budget: EXIT.aborted,
  output: EXIT.aborted,
  internal: EXIT.aborted,
  interrupted: EXIT.interrupted,
};

export interface ErrorCodeEntry {
  readonly code: `ETL_${string}`;
  readonly kind: ErrorKind;
  /** One line for people: what went wrong, in README's table. */
  readonly meaning: string;
}

export const ERR = {
  // Configuration and usage (exit 2): nothing was sent.
  CONFIG: {
    code: 'ETL_CONFIG',
    kind: 'config',
    meaning: 'the pipeline, job or targets file is not right (the message names the key and its line)',
  },
  CONFIG_OPTION: {
    code: 'ETL_CONFIG_OPTION',
    kind: 'config',
    meaning: 'runPipeline()/runJob() got an unknown option, a wrong type or a missing one',
  },
  CONFIG_SOURCE_COLUMN: { code: 'ETL_CONFIG_SOURCE_COLUMN', kind: 'config', meaning: 'the mapping reads a column an input does not have' },
  AUTH_REFUSED: {
    code: 'ETL_AUTH_REFUSED',
    kind: 'config',
    meaning: 'the credentials were refused before the target accepted any item: fix them; a retry cannot',
  },
  ENDPOINT_MISSING: {
    code: 'ETL_ENDPOINT_MISSING',
    kind: 'config',
    meaning: 'the bulk endpoint answered 404 before the target accepted any item: the base URL is wrong',
  },
  CONFIG_PROXY: {
    code: 'ETL_CONFIG_PROXY',
    kind: 'config',
    meaning: 'HTTP_PROXY or HTTPS_PROXY (or their lower-case names) is set but not an http(s) proxy URL',
  },
  USAGE: { code: 'ETL_USAGE', kind: 'config', meaning: 'the command line is not right (an unknown flag, flags that exclude each other)' },
  SOURCE_MISSING: {
    code: 'ETL_SOURCE_MISSING',
    kind: 'config',
    meaning: 'an input file, object or bucket is not there, or a glob matches nothing',
  },
  SOURCE_FORMAT: {
    code: 'ETL_SOURCE_FORMAT',
    kind: 'config',
    meaning: 'the source format is unknown, or cannot be read from where the input is (stdin, gzip)',
  },
  SOURCE_PARQUET_COLUMN: {
    code: 'ETL_SOURCE_PARQUET_COLUMN',
    kind: 'config',
    meaning: 'the mapping reads a column a Parquet file does not have',
  },
  SOURCE_ENCODING: { code: 'ETL_SOURCE_ENCODING', kind: 'config', meaning: "an input's first 64 KiB are not in its declared encoding" },
  SOURCE_STDIN: {
    code: 'ETL_SOURCE_STDIN',
    kind: 'config',
    meaning: 'stdin was asked for something only a file allows (a re-read, a range)',
  },
  SOURCE_ZIP_STDIN: {
    code: 'ETL_SOURCE_ZIP_STDIN',
    kind: 'config',
    meaning: 'stdin holds a ZIP archive, which can only be read from a file',
  },
  SOURCE_ZIP_ENTRY: {
    code: 'ETL_SOURCE_ZIP_ENTRY',
    kind: 'config',
    meaning: "an archive has no entry to read, or an entry's format cannot be told from its name",
  },
  INPUT_CHANGED: { code: 'ETL_INPUT_CHANGED', kind: 'config', meaning: '--resume over inputs that changed since the run started' },
  NO_CHECKPOINT: { code: 'ETL_NO_CHECKPOINT', kind: 'config', meaning: '--resume of a run folder that holds no checkpoint' },
  BAD_CHECKPOINT: { code: 'ETL_BAD_CHECKPOINT', kind: 'config', meaning: "the run folder's checkpoint is not a propel-etl checkpoint" },
  RUN_FOLDER_UNUSABLE: {
    code: 'ETL_RUN_FOLDER_UNUSABLE',
    kind: 'config',
    meaning: 'the run folder cannot be created: a folder above it is missing, read-only or not writable',
  },
  RUN_FOLDER_UNSAFE: {
    code: 'ETL_RUN_FOLDER_UNSAFE',
    kind: 'config',
    meaning: 'the run folder, or a file in it, was not made by this user (a planted link, a folder others can write)',
  },
  RUN_FOLDER_USED: {
    code: 'ETL_RUN_FOLDER_USED',
    kind: 'config',
    meaning: 'the run folder already holds a run, and neither --resume nor --fresh was given',
  },
  STATE_LOCKED: { code: 'ETL_STATE_LOCKED', kind: 'config', meaning: "another run holds this pipeline's delta state for this target" },
  STATE_TARGET: { code: 'ETL_STATE_TARGET', kind: 'config', meaning: 'the delta state belongs to another target or pipeline' },
  STATE_VERSION: { code: 'ETL_STATE_VERSION', kind: 'config', meaning: 'the delta state was written by a newer propel-etl' },
  STATE_NATIVE_MODULE: {
    code: 'ETL_STATE_NATIVE_MODULE',
    kind: 'config',
    meaning: "better-sqlite3's native module was built for another Node version, or never built: run npm rebuild better-sqlite3",
  },
  STATE_CORRUPT: { code: 'ETL_STATE_CORRUPT', kind: 'config', meaning: 'the delta state is damaged or not a propel-etl state' },
  STATE_CONFIRM: {
    code: 'ETL_STATE_CONFIRM',
    kind: 'config',
    meaning: 'state --forget was not confirmed (add --yes where no terminal asks)',
  },
  S3_URL: { code: 'ETL_S3_URL', kind: 'config', meaning: 'an s3:// path names no bucket or no object' },
  S3_ENDPOINT: {
    code: 'ETL_S3_ENDPOINT',
    kind: 'config',
    meaning: 'an S3 endpoint is not an https URL (plain http only to loopback) or holds credentials',
  },
  S3_CREDENTIALS: { code: 'ETL_S3_CREDENTIALS', kind: 'config', meaning: 'no AWS credentials were found' },
  S3_REGION: { code: 'ETL_S3_REGION', kind: 'config', meaning: 'no AWS region was set' },
  S3_ACCESS: { code: 'ETL_S3_ACCESS', kind: 'config', meaning: 'the object store refused access (the message names the action to grant)' },
  INIT_SOURCE: { code: 'ETL_INIT_SOURCE', kind: 'config', meaning: 'init could not read the input as the format it tried' },
  INIT_EMPTY: { code: 'ETL_INIT_EMPTY', kind: 'config', meaning: 'init found no records to propose a mapping from' },
  INIT_RESOURCE: { code: 'ETL_INIT_RESOURCE', kind: 'config', meaning: 'init was given a resource other than users or usergroups' },
  INIT_EXISTS: { code: 'ETL_INIT_EXISTS', kind: 'config', meaning: 'the file init would write exists (--force overwrites it)' },
  // A broken input (exit 3): what was read before the break is sent and settled; resumable.
  SOURCE: { code: 'ETL_SOURCE', kind: 'source', meaning: 'an input cannot be read on' },
  SOURCE_IO: { code: 'ETL_SOURCE_IO', kind: 'source', meaning: 'reading an input failed' },
  SOURCE_EMPTY: {
    code: 'ETL_SOURCE_EMPTY',
    kind: 'source',
    meaning: 'the inputs hold no record at all (source.allowEmpty: true accepts that)',
  },
  SOURCE_CSV: { code: 'ETL_SOURCE_CSV', kind: 'source', meaning: 'a CSV input is broken (a quote left open, a record that never ends)' },
  SOURCE_CSV_HEADER: { code: 'ETL_SOURCE_CSV_HEADER', kind: 'source', meaning: 'a CSV header names a column twice, or leaves one unnamed' },
  SOURCE_LIMIT: {
    code: 'ETL_SOURCE_LIMIT',
    kind: 'source',
    meaning:
      'an input holds or claims more than a cap allows (a record, a ZIP entry, a Parquet page): the message names the cap and its key',
  },
  SOURCE_JSON: { code: 'ETL_SOURCE_JSON', kind: 'source', meaning: 'a JSON or NDJSON input is broken' },
  SOURCE_GZIP: { code: 'ETL_SOURCE_GZIP', kind: 'source', meaning: 'gzip data is corrupt' },
  SOURCE_ZIP: { code: 'ETL_SOURCE_ZIP', kind: 'source', meaning: 'a ZIP archive or one of its entries is corrupt' },
  SOURCE_PARQUET: {
    code: 'ETL_SOURCE_PARQUET',
    kind: 'source',
    meaning: 'a Parquet file is not Parquet, is truncated or corrupt, or uses a codec or encoding the reader lacks',
  },
  S3_CHANGED: { code: 'ETL_S3_CHANGED', kind: 'source', meaning: 'an object changed while it was being read' },
  S3_RANGE: {
    code: 'ETL_S3_RANGE',
    kind: 'source',
    meaning: 'the object store ignored a byte range, so an object cannot be resumed or read in parts',
  },
  // The target or the object store (exit 3): resumable.
  AUTH_REVOKED: {
    code: 'ETL_AUTH_REVOKED',
    kind: 'auth',
    meaning: 'the credentials were refused after the target had accepted items (revoked mid-run); resumable',
  },
  TARGET_FAILED: {
    code: 'ETL_TARGET_FAILED',
    kind: 'transport',
    meaning: 'the target could not be reached, kept failing after retries, or answered what cannot be handled',
  },
  S3_UNREACHABLE: { code: 'ETL_S3_UNREACHABLE', kind: 'transport', meaning: 'the object store could not be reached after retries' },
  S3_FAILED: { code: 'ETL_S3_FAILED', kind: 'transport', meaning: 'the object store answered a request with an error' },
  OUTPUT_WRITE: {
    code: 'ETL_OUTPUT_WRITE',
    kind: 'output',
    meaning: 'a run file could not be written whole (a full disk, a quota): nothing was lost; make room, then --resume',
  },
  DELTA_THRESHOLD: {
    code: 'ETL_DELTA_THRESHOLD',
    kind: 'budget',
    meaning: 'a delta night would send more than delta.maxChanged or leave more than delta.maxOrphans: nothing was sent',
  },
  REJECT_BUDGET: { code: 'ETL_REJECT_BUDGET', kind: 'budget', meaning: 'more records were rejected than errors.maxRejects allows' },
  SCHEMA_MISSING: {
    code: 'ETL_SCHEMA_MISSING',
    kind: 'internal',
    meaning: "a resource's item schema is not registered (a broken installation)",
  },
  INTERNAL: {
    code: 'ETL_INTERNAL',
    kind: 'internal',
    meaning: 'a fault of propel-etl itself (--debug prints its stack); please report it',
  },
  INTERRUPTED: {
    code: 'ETL_INTERRUPTED',
    kind: 'interrupted',
    meaning: 'SIGINT or SIGTERM: reading stopped and the requests in flight settled',
  },
  // Beside a run: a warning line, the exit code unchanged.
  METRICS_PUSH: { code: 'ETL_METRICS_PUSH', kind: 'warning', meaning: 'the metrics could not be pushed to the Pushgateway' },
  METRICS_FILE: { code: 'ETL_METRICS_FILE', kind: 'warning', meaning: 'the metrics file could not be written' },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCodeName = keyof typeof ERR;
export type ErrorCodeOf<K extends ErrorKind> = Extract<(typeof ERR)[ErrorCodeName], { readonly kind: K }>;
export type ErrorCode = (typeof ERR)[ErrorCodeName]['code'];

/** The exit code a run ends with when this error stops it; undefined for a warning. */
export function exitCodeOf(entry: ErrorCodeEntry): ExitCode | undefined {
  return entry.kind === 'warning' ? undefined : EXIT_OF_KIND[entry.kind];
}
