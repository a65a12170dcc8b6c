/**
 * S3 and S3-compatible services (MinIO, R2, GCS's XML API) as a Storage. A glob's last parts
 * are matched against keys listed with ListObjectsV2 under the pattern's literal prefix (every
 * page), sorted by key; what the glob does not match (`_SUCCESS`, `manifest.json`) is not read.
 * An object's version is its ETag, and every GET after the listing asks for that ETag
 * (If-Match), so a changed object is noticed rather than read half old, half new.
 */
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../core/clock.js';
import { ERR, SourceError } from '../../core/errors.js';
import { retryPolicy, type RetryTuning } from '../../core/retry-policy.js';
import type { LocalFile, Storage, StoredObject } from '../storage.js';
import { SharedDownloads } from '../shared-downloads.js';
import { downloadPrivately } from './private-download.js';
import { createS3Client, type S3ClientOptions } from './s3-client.js';
import { isNotFound, s3Failure, type S3Action } from './s3-failure.js';
import { keyMatcher, listPrefix, parseS3Url, s3Url, type S3Location } from './s3-location.js';
import { resumableRead, type ResumeOptions } from './resumable-read.js';

export interface S3StorageOptions extends S3ClientOptions {
  /** Keys per ListObjectsV2 page (the service's 1000 by default; tests ask for fewer to walk pages). */
  readonly pageSize?: number;
  /** Where a ZIP archive is downloaded (the system's temp folder by default). */
  readonly tempDir?: string;
  /** Resumes of a body in a row without progress before the read fails. */
  readonly maxResumes?: number;
  /** For the waits between resumes. Default the system clock. */
  readonly clock?: Clock;
  readonly onResume?: ResumeOptions['onResume'];
}

const DEFAULT_MAX_RESUMES = 5;

/**
 * 0.25 s, 0.5 s, 1 s, … at most 8 s between resumes. No jitter: a reader resumes its own body,
 * and there is no crowd of them to keep out of step.
 */
const RESUME_BACKOFF: RetryTuning = { baseMs: 250, capMs: 8000, jitter: 'none' };

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}

function objectOf(bucket: string, key: string, size: number, etag: string | undefined): StoredObject {
  const url = s3Url(bucket, key);
  return { display: url, location: url, size, version: unquote(etag) };
}

export class S3Storage implements Storage {
  readonly scheme = 's3';
  private readonly client: S3Client;
  private readonly endpoint: string | undefined;
  private readonly attempts: number;
  private readonly resume: ResumeOptions;
  private readonly downloads = new SharedDownloads();

  constructor(private readonly options: S3StorageOptions = {}) {
    const configured = createS3Client(options);
    this.client = configured.client;
    this.endpoint = configured.endpoint;
    this.attempts = configured.maxAttempts;
    this.resume = {
      policy: retryPolicy(options.maxResumes ?? DEFAULT_MAX_RESUMES, RESUME_BACKOFF),
      clock: options.clock ?? systemClock,
      ...(options.onResume !== undefined ? { onResume: options.onResume } : {}),
    };
  }

  private failure(e: unknown, at: S3Location, action: S3Action, named = true): Error {
    return s3Failure(e, { bucket: at.bucket, ...(named ? { key: at.key } : {}), action, endpoint: this.endpoint, attempts: this.attempts });
  }

  async list(pattern: string): Promise<StoredObject[]> {
    const at = parseS3Url(pattern);
    const matches = keyMatcher(at.key);
    const prefix = listPrefix(at.key);
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: at.bucket, Prefix: prefix, MaxKeys: this.options.pageSize, ContinuationToken: token }))
        .catch((e: unknown) => Promise.reject(this.failure(e, at, 's3:ListBucket', false)));
      for (const item of page.Contents ?? []) {
        if (item.Key !== undefined && matches(item.Key)) objects.push(objectOf(at.bucket, item.Key, item.Size ?? 0, item.ETag));
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    // Keys come sorted in UTF-8 byte order; sort again in code-unit order, as local globs are.
    return objects.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  }

  async stat(path: string): Promise<StoredObject> {
    const at = parseS3Url(path);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }));
      return objectOf(at.bucket, at.key, head.ContentLength ?? 0, head.ETag);
    } catch (e) {
      if (!isNotFound(e)) throw this.failure(e, at, 's3:GetObject');
      // HEAD answers 404 without saying whether the bucket or the key is missing; ask once more.
      const bucketMissing = await this.client.send(new HeadBucketCommand({ Bucket: at.bucket })).then(() => false, isNotFound);
      throw bucketMissing ? this.failure({ name: 'NoSuchBucket' }, at, 's3:ListBucket', false) : this.failure(e, at, 's3:GetObject');
    }
  }

  /** One GET of [start, end), asking for the listed version; a body to resume from. */
  private async get(object: StoredObject, at: S3Location, start: number, end: number): Promise<AsyncIterable<Uint8Array>> {
    const whole = start === 0 && end >= object.size;
    let answer;
    try {
      answer = await this.client.send(
        new GetObjectCommand({
          Bucket: at.bucket,
          Key: at.key,
          ...(whole ? {} : { Range: `bytes=${start}-${end - 1}` }),
          ...(object.version !== '' ? { IfMatch: `"${object.version}"` } : {}),
        }),
      );
    } catch (e) {
      throw this.failure(e, at, 's3:GetObject');
    }
    const body = answer.Body as (Readable & AsyncIterable<Uint8Array>) | undefined;
    if (!whole && answer.ContentRange === undefined) {
      body?.destroy();
      // Reading on would start again at byte 0 and read records twice.
      throw new SourceError(
        'the service ignored the byte range asked for; it cannot resume or read parts of objects',
        { file: object.display },
        ERR.S3_RANGE,
      );
    }
    return body ?? Readable.from([]);
  }

  private async *bytes(object: StoredObject, start: number, end: number): AsyncGenerator<Buffer> {
    const at = parseS3Url(object.location);
    try {
      yield* resumableRead((s, e) => this.get(object, at, s, e), start, end, this.resume);
    } catch (e) {
      throw this.failure(e, at, 's3:GetObject');
    }
  }

  openStream(object: StoredObject, start = 0): Readable {
    return Readable.from(this.bytes(object, start, object.size), { objectMode: false });
  }

  async readRange(object: StoredObject, start: number, end: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.bytes(object, start, Math.min(end, object.size))) chunks.push(chunk);
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }

  /** One download per object version for the run, however many times its phases open it (see SharedDownloads). */
  localFile(object: StoredObject): Promise<LocalFile> {
    return this.downloads.lease(object, () =>
      downloadPrivately(this.openStream(object), posix.basename(parseS3Url(object.location).key), this.options.tempDir),
    );
  }

  /** Removes the run's downloads that nothing holds any more. */
  releaseDownloads(): Promise<void> {
    return this.downloads.releaseIdle();
  }

  /** Closes the client's idle connections. */
  close(): void {
    this.client.destroy();
  }
}
