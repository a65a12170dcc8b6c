import { ERR, EXIT_OF_KIND, type ErrorCode, type ErrorCodeOf, type ErrorKind } from './error-codes.js';
import type { ExitCode } from './exit-codes.js';

/**
 * Errors that stop a run. Each has a stable `code` (for programs), an exit code from the
 * contract, and context (file, line, batch, HTTP status) for the one-line message the CLI prints.
 * Invalid records are never errors: they are RejectEvents.
 */

export { EXIT, type ExitCode } from './exit-codes.js';
export { ERR, type ErrorCode } from './error-codes.js';

export interface ErrorContext {
  file?: string;
  entry?: string;
  line?: number;
  column?: number;
  key?: string;
  batch?: number;
  status?: number;
  url?: string;
}

/** A code that stops a run (every kind but a warning). */
export type StoppingCode = ErrorCodeOf<Exclude<ErrorKind, 'warning'>>;

export class EtlError extends Error {
  /** The entry's code in the catalogue (`src/core/error-codes.ts`). */
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly context: ErrorContext;

  constructor(entry: StoppingCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = entry.code;
    this.exitCode = EXIT_OF_KIND[entry.kind];
    this.context = context;
  }

  /** One line for a human: where, then what. */
  describe(): string {
    const c = this.context;
    const where = [
      c.file,
      c.entry !== undefined ? `entry ${c.entry}` : undefined,
      c.line !== undefined ? `line ${c.line}${c.column !== undefined ? `:${c.column}` : ''}` : undefined,
      c.batch !== undefined ? `batch ${c.batch}` : undefined,
      c.status !== undefined ? `HTTP ${c.status}` : undefined,
    ].filter((s): s is string => s !== undefined);
    return (where.length > 0 ? `${where.join(', ')}: ` : '') + this.message.replace(/\s*\n\s*/g, ' ');
  }
}

/** A usage or configuration error, found before anything was sent. Exit 2. */
export class ConfigError extends EtlError {
  private readonly entry: ErrorCodeOf<'config'>;

  constructor(message: string, context: ErrorContext = {}, code: ErrorCodeOf<'config'> = ERR.CONFIG) {
    super(code, message, context);
    this.entry = code;
  }

  /** The same refusal, told at another place (a check made deep down, reported at the pipeline file's key). */
  at(context: ErrorContext): ConfigError {
    return new ConfigError(this.message, context, this.entry);
  }
}

/** An input that cannot be read on (unterminated quote, truncated JSON, corrupt archive). Exit 3. */
export class SourceError extends EtlError {
  constructor(message: string, context: ErrorContext = {}, code: ErrorCodeOf<'source'> = ERR.SOURCE, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}

/** The credentials were refused. Exit 3 (a run restates it as exit 2 when no item was accepted yet: `restateRefusal`). Never carries the secret. */
export class AuthError extends EtlError {
  constructor(message: string, context: ErrorContext = {}) {
    super(ERR.AUTH_REVOKED, message, context);
  }
}

/** The target could not be reached or kept failing after retries, or answered what we cannot handle. Exit 3. */
export class TransportError extends EtlError {
  constructor(
    message: string,
    context: ErrorContext = {},
    code: ErrorCodeOf<'transport'> = ERR.TARGET_FAILED,
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
  }
}

/**
 * A run file could not be written whole (a full disk, a quota, an I/O error). What was not whole
 * was taken back, so the checkpoint still covers exactly the lines on disk. Exit 3: resumable.
 */
export class OutputError extends EtlError {
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(ERR.OUTPUT_WRITE, message, context, options);
  }
}

/**
 * A delta night past delta.maxChanged or delta.maxOrphans, found after the whole export was
 * compared and before anything was sent: a broken export looks like that. Exit 3.
 */
export class DeltaThresholdError extends EtlError {
  constructor(message: string) {
    super(ERR.DELTA_THRESHOLD, `${message}; nothing was sent: check the export, or run again with --accept-delta to send this one night`);
  }
}

/** The reject budget (errors.maxRejects) was passed. Exit 3. */
export class RejectBudgetError extends EtlError {
  constructor(message: string) {
    super(ERR.REJECT_BUDGET, message);
  }
}

/** SIGINT/SIGTERM: reading stopped and in-flight batches settled. Exit 130. */
export class InterruptedError extends EtlError {
  constructor(signal: string) {
    super(ERR.INTERRUPTED, `interrupted by ${signal}; in-flight batches settled, run with --resume to continue`);
  }
}

/** A fault of propel-etl itself, or of its installation: never a configuration mistake. Exit 3. */
export class InternalError extends EtlError {
  constructor(message: string, code: ErrorCodeOf<'internal'> = ERR.INTERNAL, options?: { cause?: unknown }) {
    super(code, message, {}, options);
  }
}

/**
 * A refusal no retry can fix (the credentials refused, the bulk endpoint not there: a wrong base
 * URL), met before the target accepted any item of the run, is a configuration error: exit 2, which
 * a scheduler does not retry. Once items were accepted the same refusal stays exit 3 (credentials
 * revoked mid-run, an API taken away): the run is resumable once it is back.
 */
export function restateRefusal(e: EtlError, accepted: number): EtlError {
  if (accepted > 0) return e;
  if (e.code === ERR.AUTH_REVOKED.code) return new ConfigError(e.message, e.context, ERR.AUTH_REFUSED);
  if (e.code === ERR.TARGET_FAILED.code && e.context.status === 404) return new ConfigError(e.message, e.context, ERR.ENDPOINT_MISSING);
  return e;
}

export function isEtlError(e: unknown): e is EtlError {
  return e instanceof EtlError;
}
