/**
 * Which Storage serves a location. To add one (`s3://`): implement `Storage` in its own file
 * and give it its line here, keyed by the location's scheme.
 */
import type { Readable } from 'node:stream';
import { LocalStorage } from './local-storage.js';
import { STDIN, StdinStorage } from './stdin-storage.js';
import type { Storage } from './storage.js';

export type { LocalFile, Storage, StoredObject } from './storage.js';
export { LocalStorage } from './local-storage.js';
export { STDIN, STDIN_OBJECT, StdinStorage } from './stdin-storage.js';

export interface StorageOptions {
  /** What `-` reads; process.stdin by default (tests and the library pass their own). */
  readonly stdin?: Readable;
}

const local = new LocalStorage();

export function storageFor(location: string, options: StorageOptions = {}): Storage {
  if (location === STDIN) return new StdinStorage(options.stdin ?? process.stdin);
  return local;
}
