/**
 * The S3 storage as the registry hands it out. The AWS SDK costs ~20 MB of RSS and ~0.1 s of CPU
 * to load, so it is imported on the first request rather than at start: a run that reads local
 * files never loads it. The endpoint is still checked when the storage is made, as `S3Storage`
 * does, so a bad one stays exit 2 before anything is read.
 */
import { Readable } from 'node:stream';
import type { LocalFile, Storage, StoredObject } from '../storage.js';
import { resolveEndpoint } from './s3-endpoint.js';
import type { S3Storage, S3StorageOptions } from './s3-storage.js';

export class LazyS3Storage implements Storage {
  readonly scheme = 's3';
  private loading: Promise<S3Storage> | undefined;
  /** Set once loaded: `openStream` must return a stream synchronously and then needs no wrapper. */
  private loaded: S3Storage | undefined;

  constructor(private readonly options: S3StorageOptions = {}) {
    resolveEndpoint(options.settings?.endpoint, options.env ?? process.env);
  }

  private storage(): Promise<S3Storage> {
    this.loading ??= import('./s3-storage.js').then(({ S3Storage }) => (this.loaded = new S3Storage(this.options)));
    return this.loading;
  }

  /** S3 patterns and paths are whole URLs: no base folder. */
  async list(pattern: string): Promise<StoredObject[]> {
    return (await this.storage()).list(pattern);
  }

  async stat(path: string): Promise<StoredObject> {
    return (await this.storage()).stat(path);
  }

  openStream(object: StoredObject, start?: number): Readable {
    if (this.loaded !== undefined) return this.loaded.openStream(object, start);
    // Objects are listed or stat'ed (which loads the SDK) before they are read; this is the rare other way.
    const storage = this.storage();
    return Readable.from(
      (async function* (): AsyncGenerator<Buffer> {
        yield* (await storage).openStream(object, start) as AsyncIterable<Buffer>;
      })(),
      { objectMode: false },
    );
  }

  async readRange(object: StoredObject, start: number, end: number): Promise<Uint8Array> {
    return (await this.storage()).readRange(object, start, end);
  }

  async localFile(object: StoredObject): Promise<LocalFile> {
    return (await this.storage()).localFile(object);
  }

  /** Removes the run's downloads that nothing holds any more (none before the SDK is loaded: nothing was downloaded). */
  async releaseDownloads(): Promise<void> {
    await this.loaded?.releaseDownloads();
  }
}
