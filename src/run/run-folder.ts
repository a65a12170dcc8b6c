import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import type { RunSummary } from '../outcomes/summary.js';
import { dirname, join, resolve } from 'node:path';
import { ERR, ConfigError } from '../core/errors.js';
import { JOURNAL_FILE } from '../resume/journal.js';
import { pathExists } from '../core/path-exists.js';
import { ownFolder } from '../core/private-file.js';

/** The files a run writes into its folder; --fresh removes exactly these, never anything else. */
export const RUN_FILES = ['results.ndjson', 'rejects.ndjson', 'summary.json', JOURNAL_FILE] as const;
export const BATCHES_DIR = 'batches';

export type FolderMode = 'new' | 'resume' | 'fresh';

/**
 * `runs/<name>/<UTC time to the millisecond>-<4 hex>`, e.g. `2026-11-23T17-05-09-123Z-3fa1`:
 * sortable by time, free of characters file systems dislike, and distinct for two runs started
 * in the same millisecond (see claimRunFolder for the guarantee).
 */
export function defaultRunFolder(name: string, now: Date, cwd: string, suffix: string = randomBytes(2).toString('hex')): string {
  const stamp = now
    .toISOString()
    .replace(/\.(\d+)Z$/, '-$1Z')
    .replace(/:/g, '-');
  return resolve(cwd, 'runs', name, `${stamp}-${suffix}`);
}

/**
 * A default run folder made for this run alone: created with an exclusive mkdir, so two runs
 * started at the same moment (two schedulers, a retry loop) never share one; on the rare
 * clash the next random suffix is tried.
 */
export async function claimRunFolder(name: string, now: Date, cwd: string): Promise<string> {
  for (let tries = 0; ; tries++) {
    const dir = defaultRunFolder(name, now, cwd);
    await makeFolder(dirname(dir), true);
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 20) throw folderError(dir, e);
    }
  }
}

/**
 * A run (or job) folder and the folders above it, private to the user. A parent that is missing
 * behind a file, read-only or not the user's to write is the user's `--out` (or working folder)
 * to fix: exit 2 naming the folder, never an internal error.
 */
export async function makeFolder(dir: string, recursive = true): Promise<void> {
  try {
    await mkdir(dir, { recursive, mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && !recursive) return;
    throw folderError(dir, e);
  }
}

function folderError(dir: string, e: unknown): ConfigError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new ConfigError(
    `cannot create the run folder (${code}): a folder above it is missing, read-only or not yours to write; choose another --out`,
    { file: dir },
    ERR.RUN_FOLDER_UNUSABLE,
  );
}

/**
 * The folder a run (or a job, with its own `marker`) writes into: `--out`, else with --resume the
 * latest one that can be resumed, else a new one of its own.
 */
export async function chooseRunFolder(
  name: string,
  opts: { readonly out?: string; readonly resume?: boolean },
  cwd: string,
  marker: string = JOURNAL_FILE,
): Promise<string> {
  if (opts.out !== undefined) return resolve(cwd, opts.out);
  const latest = opts.resume === true ? await latestRunFolder(name, cwd, marker) : undefined;
  return latest ?? (await claimRunFolder(name, new Date(), cwd));
}

/** With --resume and no --out: the newest run folder of this pipeline (or job) that has `marker`. */
export async function latestRunFolder(name: string, cwd: string, marker: string = JOURNAL_FILE): Promise<string | undefined> {
  const base = resolve(cwd, 'runs', name);
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch {
    return undefined;
  }
  for (const e of entries.sort().reverse()) {
    if (await pathExists(join(base, e, marker))) return join(base, e);
  }
  return undefined;
}

/**
 * Makes the run folder ready. A folder that already holds a run is never overwritten silently:
 * without --resume or --fresh the run refuses (exit 2) before anything is sent.
 */
export async function prepareRunFolder(dir: string, mode: FolderMode): Promise<void> {
  // A folder that stands is looked at first: another user's, writable by others, or holding a link
  // someone planted is refused before anything in it is read or written (resumed runs included).
  if (await pathExists(dir)) await ownFolder(dir);
  const used = (await Promise.all(RUN_FILES.map((f) => pathExists(join(dir, f))))).some(Boolean);
  if (mode === 'resume') {
    if (!(await pathExists(join(dir, JOURNAL_FILE)))) {
      throw new ConfigError(
        `nothing to resume in ${dir} (no ${JOURNAL_FILE}); run without --resume, or with --fresh`,
        { file: dir },
        ERR.NO_CHECKPOINT,
      );
    }
    return;
  }
  if (used && mode === 'new') {
    throw new ConfigError(
      `run folder ${dir} already holds a run; use --resume to continue it or --fresh to start over`,
      { file: dir },
      ERR.RUN_FOLDER_USED,
    );
  }
  if (mode === 'fresh') {
    await Promise.all(RUN_FILES.map((f) => rm(join(dir, f), { force: true })));
    await rm(join(dir, BATCHES_DIR), { recursive: true, force: true });
  }
  await makeFolder(dir);
  await ownFolder(dir);
}

/** The summary.json a run (or an earlier attempt of it) left in `dir`; undefined when there is none to read. */
export async function readSummary(dir: string): Promise<RunSummary | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  } catch {
    return undefined;
  }
}
