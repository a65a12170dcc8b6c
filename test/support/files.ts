/** Scratch folders and the run folder's files, as every test reads them. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh folder under the system's temp folder, its name starting with `prefix`. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface TmpDir {
  readonly path: string;
  remove(): void;
}

/** The same, made at once, with a way to remove it (for module-level setup). */
export function tmpDir(prefix = 'propel-sources-'): TmpDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A folder for files written by one test file, removed after it; returns a writer giving each file's path. */
export function tempFiles(prefix: string): (name: string, text: string) => string {
  const dir = tmpDir(prefix);
  afterAll(() => dir.remove());
  return (name, text) => {
    const file = join(dir.path, name);
    writeFileSync(file, text);
    return file;
  };
}

/** The lines of an NDJSON file (results, rejects); a missing file is an error unless `missing` says what it holds. */
export async function readNdjson(path: string, missing?: 'empty'): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) =>
    missing === 'empty' && e.code === 'ENOENT' ? '' : Promise.reject(e),
  );
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/** What a run left under `dir` used as its TMPDIR, but the empty folder of this user's that temporary copies go in. */
export async function tempLeft(dir: string): Promise<string[]> {
  const own = `propel-etl-${process.getuid?.() ?? 'user'}`;
  return (await readdir(dir, { recursive: true })).filter((n) => n !== own);
}
