/**
 * Errors that stop a run. Each has a stable `code` (for programs), an exit code from the
 * contract, and context (file, line, batch, HTTP status) for the one-line message the CLI prints.
 * Invalid records are never errors: they are RejectEvents.
 */

export const EXIT = {
  ok: 0,
  rejects: 1,
  usage: 2,
  aborted: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

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

export class EtlError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly context: ErrorContext;

  constructor(code: string, exitCode: ExitCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
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
  constructor(message: string, context: ErrorContext = {}, code = 'ETL_CONFIG') {
    super(code, EXIT.usage, message, context);
  }
}

/** An input that cannot be read on (unterminated quote, truncated JSON, corrupt archive). Exit 3. */
export class SourceError extends EtlError {
  constructor(message: string, context: ErrorContext = {}, code = 'ETL_SOURCE', options?: { cause?: unknown }) {
    super(code, EXIT.aborted, message, context, options);
  }
}

/** The token endpoint refused the credentials. Exit 3. Never carries the secret. */
export class AuthError extends EtlError {
  constructor(message: string, context: ErrorContext = {}) {
    super('ETL_AUTH_REFUSED', EXIT.aborted, message, context);
  }
}

/** The target could not be reached or kept failing after retries, or answered what we cannot handle. Exit 3. */
export class TransportError extends EtlError {
  constructor(message: string, context: ErrorContext = {}, code = 'ETL_TARGET_FAILED', options?: { cause?: unknown }) {
    super(code, EXIT.aborted, message, context, options);
  }
}

/** The reject budget (errors.maxRejects) was passed. Exit 3. */
export class RejectBudgetError extends EtlError {
  constructor(message: string) {
    super('ETL_REJECT_BUDGET', EXIT.aborted, message);
  }
}

/** SIGINT/SIGTERM: reading stopped and in-flight batches settled. Exit 130. */
export class InterruptedError extends EtlError {
  constructor(signal: string) {
    super('ETL_INTERRUPTED', EXIT.interrupted, `interrupted by ${signal}; in-flight batches settled, run with --resume to continue`);
  }
}

export function isEtlError(e: unknown): e is EtlError {
  return e instanceof EtlError;
}
