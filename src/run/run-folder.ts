import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { JOURNAL_FILE } from '../resume/journal.js';
import { pathExists } from '../core/path-exists.js';

/** The files a run writes into its folder; --fresh removes exactly these, never anything else. */
export const RUN_FILES = ['results.ndjson', 'rejects.ndjson', 'summary.json', JOURNAL_FILE] as const;
export const BATCHES_DIR = 'batches';

export type FolderMode = 'new' | 'resume' | 'fresh';

/** `runs/<name>/<UTC timestamp>`, sortable and free of characters file systems dislike. */
export function defaultRunFolder(name: string, now: Date, cwd: string): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return resolve(cwd, 'runs', name, stamp);
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
  const used = (await Promise.all(RUN_FILES.map((f) => pathExists(join(dir, f))))).some(Boolean);
  if (mode === 'resume') {
    if (!(await pathExists(join(dir, JOURNAL_FILE)))) {
      throw new ConfigError(`nothing to resume in ${dir} (no ${JOURNAL_FILE}); run without --resume, or with --fresh`, { file: dir }, 'ETL_NO_CHECKPOINT');
    }
    return;
  }
  if (used && mode === 'new') {
    throw new ConfigError(`run folder ${dir} already holds a run; use --resume to continue it or --fresh to start over`, { file: dir }, 'ETL_RUN_FOLDER_USED');
  }
  if (mode === 'fresh') {
    await Promise.all(RUN_FILES.map((f) => rm(join(dir, f), { force: true })));
    await rm(join(dir, BATCHES_DIR), { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

