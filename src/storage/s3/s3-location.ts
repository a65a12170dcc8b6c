/**
 * `s3://bucket/key` as written in `source.path`: the bucket, the key, and for a glob the literal
 * prefix the listing asks the server for (everything before the first wildcard, so
 * `users/2026-12-01/part-*.csv.gz` lists only `users/2026-12-01/part-`).
 */
import picomatch from 'picomatch';
import { ERR, ConfigError } from '../../core/errors.js';

const S3_SCHEME = 's3://';

export interface S3Location {
  readonly bucket: string;
  /** The key, or the key pattern for a glob. */
  readonly key: string;
}

export function isS3Url(path: string): boolean {
  return path.toLowerCase().startsWith(S3_SCHEME);
}

export function s3Url(bucket: string, key: string): string {
  return `${S3_SCHEME}${bucket}/${key}`;
}

/** Bucket names as S3 allows them (3–63 of lower-case letters, digits, dots, hyphens); R2 and MinIO agree. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Url(path: string): S3Location {
  const rest = path.slice(S3_SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) {
    throw new ConfigError(
      `"${bucket}" is not a bucket name (s3://bucket/key; 3 to 63 lower-case letters, digits, dots and hyphens)`,
      { file: path, key: 'source.path' },
      ERR.S3_URL,
    );
  }
  if (key === '' || key.endsWith('/')) {
    throw new ConfigError(
      'name an object or a glob of objects after the bucket (s3://bucket/folder/part-*.csv.gz), not a folder',
      { file: path, key: 'source.path' },
      ERR.S3_URL,
    );
  }
  return { bucket, key };
}

/** The characters after which a key is no longer literal, as picomatch reads a pattern. */
const WILDCARD = /[*?[\]{}()!+@\\]/;

/** The literal start of a key pattern: what ListObjectsV2 is asked for. */
export function listPrefix(keyPattern: string): string {
  const at = keyPattern.search(WILDCARD);
  return at === -1 ? keyPattern : keyPattern.slice(0, at);
}

/**
 * Whether a key fits the pattern: `*` stays within one folder level, names starting with a dot
 * are not matched by a wildcard, folder markers (keys ending in `/`) never are.
 */
export function keyMatcher(keyPattern: string): (key: string) => boolean {
  const isMatch = picomatch(keyPattern, { dot: false });
  return (key) => !key.endsWith('/') && isMatch(key);
}

export function isGlob(keyPattern: string): boolean {
  return picomatch.scan(keyPattern).isGlob;
}
