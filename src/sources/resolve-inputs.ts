/**
 * Turns `source.path` into the list of files to read, before anything is sent: a glob is
 * expanded (sorted, so part files read in a stable order), every file must exist, and each
 * file's format and compression are settled here so a wrong name fails the run at exit 2.
 * A ZIP archive's central directory is read here too (not its entries' data), so an archive
 * that cannot be listed, or has no entry to read, also fails before the first request.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve as resolvePath, sep } from 'node:path';
import picomatch from 'picomatch';
import { ConfigError } from '../core/errors.js';
import type { SourceFormat, SourceSpec } from '../config/pipeline-spec.js';
import { compressionFromMagic, compressionFromName, formatFromName, type Compression } from './format.js';
import { openZip } from './zip-reader.js';

export interface InputFile {
  /** Absolute path, or `-` for standard input. */
  readonly path: string;
  /** The path as the user wrote it (or as the glob matched it, relative like the pattern). */
  readonly display: string;
  /** null for a ZIP archive without an explicit format: each entry's own name decides. */
  readonly format: SourceFormat | null;
  /** For stdin `none` means "not known": the stream checks the magic bytes. */
  readonly compression: Compression;
  /** Bytes on disk (compressed size); 0 for stdin. */
  readonly size: number;
}

export const STDIN = '-';

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function describeFile(path: string, display: string, spec: SourceSpec): Promise<InputFile> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ConfigError(`source is not a file`, { file: display, key: 'source.path' }, 'ETL_SOURCE_MISSING');
    size = st.size;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'source file not found' : `cannot open source file (${code ?? String(e)})`, { file: display, key: 'source.path' }, 'ETL_SOURCE_MISSING');
  }
  let compression = compressionFromName(path);
  if (compression === 'none') compression = compressionFromMagic(await readHead(path));
  const format = spec.format ?? formatFromName(path) ?? null;
  if (format === null && compression !== 'zip') {
    throw new ConfigError('cannot tell the format from the file name; set source.format (csv, ndjson or json)', { file: display, key: 'source.format' });
  }
  if (compression === 'zip') await checkArchive(path, display, spec);
  return { path, display, format, compression, size };
}

/**
 * Lists the archive the way the reader will (same entry choice, same declared-size ceiling) and
 * closes it again, so a bad archive stops the run before anything is sent: a corrupt archive or
 * a declared zip bomb as a broken input (SourceError, exit 3, as for a corrupt gzip), entries the
 * pipeline cannot use as a configuration error (exit 2). The source stream opens it anew, so no
 * file handle outlives this check.
 */
async function checkArchive(path: string, display: string, spec: SourceSpec): Promise<void> {
  const archive = await openZip(path, display, spec);
  await archive.close();
}

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

export async function resolveInputs(spec: SourceSpec, baseDir: string): Promise<InputFile[]> {
  const written = spec.path;
  if (written === STDIN) {
    return [{ path: STDIN, display: STDIN, format: spec.format ?? 'csv', compression: 'none', size: 0 }];
  }
  const scan = picomatch.scan(written);
  if (!scan.isGlob) {
    return [await describeFile(resolvePath(baseDir, written), written, spec)];
  }
  // scan.base is the literal folder part before the first wildcard; only that folder is listed.
  const baseWritten = scan.base;
  const baseAbs = resolvePath(baseDir, baseWritten === '' ? '.' : baseWritten);
  const isMatch = picomatch(scan.glob, { dot: false });
  const recursive = scan.glob.includes('/') || scan.glob.includes('**');
  const matched: string[] = [];
  for (const rel of await listCandidates(baseAbs, recursive)) {
    if (isMatch(rel)) matched.push(rel);
  }
  // Plain code-unit order: stable across machines and locales, unlike localeCompare.
  matched.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: InputFile[] = [];
  for (const rel of matched) {
    const abs = join(baseAbs, rel);
    const st = await stat(abs).catch(() => undefined);
    if (st === undefined || !st.isFile()) continue;
    const display = baseWritten === '' ? rel : posix.join(baseWritten, rel);
    files.push(await describeFile(abs, isAbsolute(written) ? abs : display, spec));
  }
  if (files.length === 0) {
    throw new ConfigError(`no file matches the pattern`, { file: written, key: 'source.path' }, 'ETL_SOURCE_MISSING');
  }
  return files;
}
