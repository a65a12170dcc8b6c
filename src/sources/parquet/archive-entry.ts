/**
 * A Parquet entry of a ZIP archive needs random access (its footer is at the end), which an
 * inflating stream cannot give: it is extracted to a private temporary file (folder 0700,
 * file 0600: it holds personal data) and removed when its reading ends, however it ends.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ZipArchive, ZipEntryInput } from '../zip-reader.js';

export async function* withExtractedEntry<T>(archive: ZipArchive, entry: ZipEntryInput, use: (path: string) => AsyncGenerator<T>): AsyncGenerator<T> {
  const dir = await mkdtemp(join(tmpdir(), 'propel-etl-parquet-'));
  try {
    const path = join(dir, 'entry.parquet');
    await pipeline(Readable.from(archive.open(entry)), createWriteStream(path, { mode: 0o600, flags: 'wx' }));
    yield* use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
