/**
 * An archive entry in a binary format (Parquet) needs random access (its footer is at its end),
 * which an inflating stream cannot give: it is extracted to a private temporary file (core/scratch.ts:
 * this user's folder, file 0600: it holds personal data) and read through the local storage; the
 * file is removed when `use` ends, however it ends (after a kill -9, by the next run). The entry ceiling (zip.maxEntryBytes) holds while
 * extracting, as when streaming.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { scratchDir, scratchFailure } from '../../core/scratch.js';
import { storageFor, type Storage, type StoredObject } from '../../storage/index.js';
import type { ZipArchive, ZipEntryInput } from './zip-reader.js';

export async function* withEntryFile<T>(
  archive: ZipArchive,
  entry: ZipEntryInput,
  use: (object: StoredObject, storage: Storage) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const dir = await scratchDir('entry');
  try {
    const path = join(dir, 'entry');
    try {
      await pipeline(Readable.from(archive.open(entry)), createWriteStream(path, { mode: 0o600, flags: 'wx' }));
    } catch (e) {
      throw scratchFailure(e, { file: archive.display, entry: entry.name });
    }
    const storage = storageFor(path);
    yield* use(await storage.stat(path, dir), storage);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
