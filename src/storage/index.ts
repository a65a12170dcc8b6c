/**
 * Which Storage serves a location. To add one: implement `Storage` in its own file and give it
 * its line here, keyed by the location's scheme.
 */
import type { Readable } from 'node:stream';
import { LocalStorage } from './local-storage.js';
import { isS3Url } from './s3/s3-location.js';
import type { S3Settings } from './s3/s3-settings.js';
import { LazyS3Storage } from './s3/lazy-s3-storage.js';
import { STDIN, StdinStorage } from './stdin-storage.js';
import type { Storage } from './storage.js';

export type { LocalFile, Storage, StoredObject } from './storage.js';
export { LocalStorage } from './local-storage.js';
export { STDIN, STDIN_OBJECT, StdinStorage } from './stdin-storage.js';
// Not S3Storage itself: re-exporting it would load the AWS SDK on every start (`lazy-s3-storage.ts`).
export type { S3StorageOptions } from './s3/s3-storage.js';
export type { S3Settings } from './s3/s3-settings.js';
export { isS3Url } from './s3/s3-location.js';

export interface StorageOptions {
  /** What `-` reads; process.stdin by default (tests and the library pass their own). */
  readonly stdin?: Readable;
  /** For `s3://` locations: the pipeline's `source.s3`. */
  readonly s3?: S3Settings | undefined;
}

const local = new LocalStorage();

/**
 * One S3 client per service and identity, shared by the listing and every object's reads: its
 * connections are kept alive, and credentials from web identity or instance metadata are fetched
 * once rather than per object.
 */
const s3Storages = new Map<string, LazyS3Storage>();

function s3StorageFor(settings: S3Settings | undefined): LazyS3Storage {
  const env = process.env;
  const key = JSON.stringify([
    settings ?? {},
    env.AWS_ENDPOINT_URL_S3,
    env.AWS_ENDPOINT_URL,
    env.AWS_REGION,
    env.AWS_DEFAULT_REGION,
    env.AWS_PROFILE,
    env.AWS_ACCESS_KEY_ID,
  ]);
  let storage = s3Storages.get(key);
  if (storage === undefined) {
    storage = new LazyS3Storage(settings !== undefined ? { settings } : {});
    s3Storages.set(key, storage);
  }
  return storage;
}

/** At a run's end: removes the downloads its phases shared (S3Storage.localFile). */
export async function releaseDownloads(): Promise<void> {
  await Promise.all([...s3Storages.values()].map((s) => s.releaseDownloads()));
}

export function storageFor(location: string, options: StorageOptions = {}): Storage {
  if (location === STDIN) return new StdinStorage(options.stdin ?? process.stdin);
  if (isS3Url(location)) return s3StorageFor(options.s3);
  return local;
}
