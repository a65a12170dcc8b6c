/**
 * What an S3 failure means for the run, in one line with no secret in it: a missing bucket or
 * object and refused credentials are configuration (exit 2, found while listing, before anything
 * is sent); an endpoint that stays unreachable after the SDK's retries, or an object that changed
 * while being read, stops the run (exit 3, resumable). The SDK's own text is not repeated: the
 * service's error code and HTTP status say what happened without echoing request details.
 */
import { ERR, ConfigError, EtlError, SourceError, TransportError } from '../../core/errors.js';
import { s3Url } from './s3-location.js';
import { ReadBroken } from './resumable-read.js';

/** The IAM action a request needs, as a policy names it: what to grant when it is refused. */
export type S3Action = 's3:ListBucket' | 's3:GetObject';

export interface FailureContext {
  readonly bucket: string;
  readonly key?: string;
  readonly action: S3Action;
  /** Scheme and host of a custom endpoint; undefined for AWS. */
  readonly endpoint: string | undefined;
  readonly attempts: number;
}

const ACCESS_REASONS: Readonly<Record<string, string>> = {
  AccessDenied: 'the credentials are not allowed to',
  AllAccessDisabled: 'all access to this bucket is disabled',
  InvalidAccessKeyId: 'the access key id is not known to the service',
  SignatureDoesNotMatch: 'the secret key does not belong to the access key id',
  ExpiredToken: 'the session token has expired',
  InvalidToken: 'the session token is not valid',
  TokenRefreshRequired: 'the session token must be renewed',
  AccountProblem: 'the account cannot be used',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly errors?: readonly SdkError[];
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function asSdkError(e: unknown): SdkError {
  return e !== null && typeof e === 'object' ? e : { message: String(e) };
}

/** A system error code (ECONNREFUSED), also from inside the AggregateError of a dual-stack connect. */
function systemCode(e: SdkError): string | undefined {
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  for (const inner of e.errors ?? []) {
    const code = systemCode(inner);
    if (code !== undefined) return code;
  }
  return undefined;
}

/** A 404: the bucket or the object is not there. */
export function isNotFound(e: unknown): boolean {
  const err = asSdkError(e);
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.name === 'NoSuchBucket' || err.$metadata?.httpStatusCode === 404;
}

export function s3Failure(e: unknown, ctx: FailureContext): EtlError {
  if (e instanceof EtlError) return e;
  const err = asSdkError(e);
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  const file = ctx.key !== undefined ? s3Url(ctx.bucket, ctx.key) : `s3://${ctx.bucket}`;
  const where = { file, key: 'source.path' };
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(err.message ?? '')) {
    return new ConfigError(
      'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run where a role is attached',
      where,
      ERR.S3_CREDENTIALS,
    );
  }
  if (/region is missing/i.test(err.message ?? '')) {
    return new ConfigError('no AWS region: set AWS_REGION or source.s3.region', { ...where, key: 'source.s3.region' }, ERR.S3_REGION);
  }
  if (name === 'NoSuchBucket') return new ConfigError(`bucket "${ctx.bucket}" not found`, where, ERR.SOURCE_MISSING);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new ConfigError('object not found', where, ERR.SOURCE_MISSING);
  const reason = ACCESS_REASONS[name];
  if (reason !== undefined || status === 401 || status === 403) {
    const why =
      reason === undefined
        ? `HTTP ${status}`
        : reason === ACCESS_REASONS.AccessDenied
          ? `${name}: ${reason} ${ctx.action}`
          : `${name}: ${reason}`;
    return new ConfigError(`access denied: ${ctx.action} on bucket "${ctx.bucket}" refused (${why})`, where, ERR.S3_ACCESS);
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new SourceError(
      'the object changed while it was being read (its ETag is not the one listed); run again to read the new version',
      { file },
      ERR.S3_CHANGED,
    );
  }
  const endpoint = ctx.endpoint ?? 'the S3 endpoint';
  if (e instanceof ReadBroken) {
    const code = systemCode(asSdkError(e.cause));
    return new TransportError(`${endpoint}: ${e.message}${code !== undefined ? ` (${code})` : ''}`, { file }, ERR.S3_UNREACHABLE, {
      cause: e,
    });
  }
  const code = systemCode(err);
  if (code !== undefined || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new TransportError(
      `${endpoint} unreachable after ${ctx.attempts} attempts (${code ?? 'timed out'})`,
      { file },
      ERR.S3_UNREACHABLE,
      { cause: e },
    );
  }
  if (status !== undefined && status >= 500) {
    return new TransportError(
      `${endpoint} answered ${ctx.action} with HTTP ${status}${name !== '' ? ` ${name}` : ''} after ${ctx.attempts} attempts`,
      { file, status },
      ERR.S3_UNREACHABLE,
    );
  }
  return new TransportError(
    `${ctx.action} failed${name !== '' ? `: ${name}` : ''}${status !== undefined ? ` (HTTP ${status})` : ''}`,
    { file },
    ERR.S3_FAILED,
  );
}
