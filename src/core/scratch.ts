/**
 * Folders for the temporary copies a run makes (a Parquet entry extracted from a ZIP archive, an
 * archive downloaded from S3): they hold personal data, so they live in a folder of this user's
 * under the temp folder (`$TMPDIR/propel-etl-<uid>`, 0700, checked like a run folder), each named
 * with the process id. A run removes its own when it is done; one killed with -9 cannot, so each
 * process first removes the folders of processes that are gone.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERR, SourceError, type ErrorContext } from './errors.js';
import { processAlive } from './process-alive.js';
import { diskTrouble, ownFolder } from './private-file.js';

let swept: Promise<void> | undefined;

async function sweep(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    const pid = Number(/^[a-z]+-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid))
      await rm(join(root, name), { recursive: true, force: true });
  }
}

/** A new folder for temporary copies of `kind` (`entry`, `download`), under `parent` (default: this user's under the temp folder). */
export async function scratchDir(kind: string, parent?: string): Promise<string> {
  let root = parent;
  if (root === undefined) {
    root = join(tmpdir(), `propel-etl-${process.getuid?.() ?? 'user'}`);
    await ownFolder(root);
    swept ??= sweep(root).catch(() => undefined);
    await swept;
  }
  return mkdtemp(join(root, `${kind}-${process.pid}-`));
}

/** A temporary copy that could not be written (a full temp disk) as a stop naming the input; anything else as it is. */
export function scratchFailure(e: unknown, where: ErrorContext): unknown {
  const why = diskTrouble(e);
  if (why === undefined) return e;
  return new SourceError(
    `cannot write its temporary copy under ${tmpdir()}: ${why}; set TMPDIR to a folder with room for it`,
    where,
    ERR.SOURCE_IO,
  );
}
