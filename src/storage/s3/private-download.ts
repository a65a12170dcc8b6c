/**
 * An object copied to this machine for a library that only opens paths (ZIP archives need random
 * access to their directory at the end): a folder of its own (0700) under the temp folder, the
 * file in it 0600 because it holds personal data. `release()` removes both; whatever is still
 * there when the process exits is removed then.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { scratchDir, scratchFailure } from '../../core/scratch.js';
import type { LocalFile } from '../storage.js';

const pending = new Set<string>();
let exitHookSet = false;

function removeAtExit(dir: string): void {
  pending.add(dir);
  if (exitHookSet) return;
  exitHookSet = true;
  process.once('exit', () => {
    for (const d of pending) rmSync(d, { recursive: true, force: true });
  });
}

async function remove(dir: string): Promise<void> {
  pending.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** `name`: the file's base name (kept, so a reader that looks at the extension still can). */
export async function downloadPrivately(bytes: Readable, name: string, parent?: string): Promise<LocalFile> {
  const dir = await scratchDir('download', parent);
  removeAtExit(dir);
  const path = join(dir, name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'object');
  try {
    await pipeline(bytes, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
  } catch (e) {
    await remove(dir);
    throw scratchFailure(e, { file: name });
  }
  let released = false;
  return {
    path,
    release: async () => {
      if (released) return;
      released = true;
      await remove(dir);
    },
  };
}
