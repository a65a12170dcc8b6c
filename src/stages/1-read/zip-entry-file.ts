/**
 * An archive entry in a binary format (Parquet) needs random access (its footer is at its end),
 * which an inflating stream cannot give: it is extracted to a private temporary file (folder
 * 0700, file 0600: it holds personal data) and read through the local storage; the file is
 * removed when `use` ends, however it ends. The entry ceiling (zip.maxEntryBytes) holds while
 * extracting, as when streaming.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { storageFor, type Storage, type StoredObject } from '../../storage/index.js';
import type { ZipArchive, ZipEntryInput } from './zip-reader.js';

export async function* withEntryFile<T>(
  archive: ZipArchive,
  entry: ZipEntryInput,
  use: (object: StoredObject, storage: Storage) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const dir = await mkdtemp(join(tmpdir(), 'propel-etl-entry-'));
  try {
    const path = join(dir, 'entry');
    await pipeline(Readable.from(archive.open(entry)), createWriteStream(path, { mode: 0o600, flags: 'wx' }));
    const storage = storageFor(path);
    yield* use(await storage.stat(path, dir), storage);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
