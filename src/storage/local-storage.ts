/**
 * The local file system as a Storage: globs listed with picomatch under the pattern's literal
 * folder, `<size>:<mtimeMs>` as the version, streams and byte ranges from file handles.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve as resolvePath, sep } from 'node:path';
import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import { ERR, ConfigError } from '../core/errors.js';
import type { LocalFile, Storage, StoredObject } from './storage.js';

/** Bytes per read of a stream: large enough that per-chunk costs vanish, small enough to stay flat. */
const READ_CHUNK_BYTES = 128 * 1024;

/** Files under `base` (recursively only when the pattern needs it), as posix paths relative to it. */
async function listCandidates(base: string, recursive: boolean): Promise<string[]> {
  try {
    const names = await readdir(base, { recursive });
    return names.map((n) => n.split(sep).join('/'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

function objectOf(location: string, display: string, size: number, mtimeMs: number): StoredObject {
  return { display, location, size, version: `${size}:${Math.trunc(mtimeMs)}` };
}

export class LocalStorage implements Storage {
  readonly scheme = 'file';

  async list(pattern: string, baseDir: string): Promise<StoredObject[]> {
    const scan = picomatch.scan(pattern);
    // scan.base is the literal folder part before the first wildcard; only that folder is listed.
    const baseWritten = scan.base;
    const baseAbs = resolvePath(baseDir, baseWritten === '' ? '.' : baseWritten);
    const isMatch = picomatch(scan.glob, { dot: false });
    const recursive = scan.glob.includes('/') || scan.glob.includes('**');
    const matched = (await listCandidates(baseAbs, recursive)).filter((rel) => isMatch(rel));
    // Plain code-unit order: stable across machines and locales, unlike localeCompare.
    matched.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const objects: StoredObject[] = [];
    for (const rel of matched) {
      const abs = join(baseAbs, rel);
      const st = await stat(abs).catch(() => undefined);
      if (st === undefined || !st.isFile()) continue;
      const display = isAbsolute(pattern) ? abs : baseWritten === '' ? rel : posix.join(baseWritten, rel);
      objects.push(objectOf(abs, display, st.size, st.mtimeMs));
    }
    return objects;
  }

  async stat(path: string, baseDir: string): Promise<StoredObject> {
    const abs = resolvePath(baseDir, path);
    try {
      const st = await stat(abs);
      if (!st.isFile()) throw new ConfigError(`source is not a file`, { file: path, key: 'source.path' }, ERR.SOURCE_MISSING);
      return objectOf(abs, path, st.size, st.mtimeMs);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new ConfigError(
        code === 'ENOENT' ? 'source file not found' : `cannot open source file (${code ?? String(e)})`,
        { file: path, key: 'source.path' },
        ERR.SOURCE_MISSING,
      );
    }
  }

  openStream(object: StoredObject, start = 0): Readable {
    return createReadStream(object.location, { start, highWaterMark: READ_CHUNK_BYTES });
  }

  async readRange(object: StoredObject, start: number, end: number): Promise<Uint8Array> {
    const fh = await open(object.location, 'r');
    try {
      const buf = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  localFile(object: StoredObject): Promise<LocalFile> {
    return Promise.resolve({ path: object.location, release: () => Promise.resolve() });
  }
}
