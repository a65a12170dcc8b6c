/**
 * Which S3 endpoint a source talks to: `source.s3.endpoint`, else the standard
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` variables, else AWS itself. An endpoint must use
 * https, except on loopback (MinIO or an emulator on this machine), as for targets; it must not
 * hold credentials. Messages show scheme and host only.
 */
import { isSecureUrl } from '../../core/loopback.js';
import { ERR, ConfigError, type ErrorContext } from '../../core/errors.js';

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;

/** Throws a ConfigError naming `key` (and `where`) when the URL cannot be right. */
export function checkEndpoint(value: string, key: string, where: ErrorContext = {}): URL {
  const context = { ...where, key };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${key} is not a URL`, context, ERR.S3_ENDPOINT);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${key} must not hold credentials; they come from the AWS credential chain (AWS_ACCESS_KEY_ID, a profile, …)`,
      context,
      ERR.S3_ENDPOINT,
    );
  }
  if (!isSecureUrl(url)) {
    throw new ConfigError(
      `${key} must use https (plain http only to localhost/127.0.0.1); got ${url.protocol}//${url.host}`,
      context,
      ERR.S3_ENDPOINT,
    );
  }
  return url;
}

/** The endpoint in use and where it came from (for messages), or undefined for AWS's own. */
export function resolveEndpoint(configured: string | undefined, env: NodeJS.ProcessEnv): { url: URL; key: string } | undefined {
  if (configured !== undefined) return { url: checkEndpoint(configured, 'source.s3.endpoint'), key: 'source.s3.endpoint' };
  for (const name of ENDPOINT_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') return { url: checkEndpoint(value, name), key: name };
  }
  return undefined;
}
