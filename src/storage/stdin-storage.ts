/**
 * Standard input (`source.path: -`) as a Storage of one object that can be read once, from the
 * start: no listing, no ranges, no local copy. A format or container that needs random access
 * (ZIP, Parquet) is refused before anything is read.
 */
import type { Readable } from 'node:stream';
import { ERR, ConfigError } from '../core/errors.js';
import type { LocalFile, Storage, StoredObject } from './storage.js';

export const STDIN = '-';

/** The one object stdin holds; its size is unknown (0), so progress shows no ETA. */
export const STDIN_OBJECT: StoredObject = { display: STDIN, location: STDIN, size: 0, version: '' };

function noRandomAccess(): ConfigError {
  return new ConfigError(
    "stdin can only be read from the start to the end; pass the file's path instead of -",
    { file: STDIN, key: 'source.path' },
    ERR.SOURCE_STDIN,
  );
}

export class StdinStorage implements Storage {
  readonly scheme = 'stdin';

  constructor(private readonly input: Readable) {}

  list(): Promise<StoredObject[]> {
    return Promise.resolve([STDIN_OBJECT]);
  }

  stat(): Promise<StoredObject> {
    return Promise.resolve(STDIN_OBJECT);
  }

  openStream(_object: StoredObject, start = 0): Readable {
    if (start !== 0) throw noRandomAccess();
    return this.input;
  }

  readRange(): Promise<Uint8Array> {
    return Promise.reject(noRandomAccess());
  }

  localFile(): Promise<LocalFile> {
    return Promise.reject(noRandomAccess());
  }
}
