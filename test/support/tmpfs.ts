/**
 * A real small disk for the full-disk tests: a tmpfs of `size` mounted on a fresh folder before
 * the file's first test and unmounted after its last (the tests run as root). Where mount is not
 * allowed, `path` stays undefined and `why` says so: the test skips with that message.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './files.js';

export interface Tmpfs {
  path: string | undefined;
  why: string;
  /** Gives the mounted disk another size (room made after a full disk). */
  resize(size: string): void;
}

export function tmpfsPerFile(size: string): Tmpfs {
  const disk: Tmpfs = {
    path: undefined,
    why: '',
    resize(to) {
      if (disk.path !== undefined) execFileSync('mount', ['-o', `remount,size=${to}`, disk.path]);
    },
  };
  beforeAll(async () => {
    const at = await tempDir('tmpfs-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', at], { stdio: 'pipe' });
      disk.path = at;
    } catch (e) {
      disk.why = `tmpfs cannot be mounted here (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): skipped`;
      console.warn(disk.why);
    }
  });
  afterAll(async () => {
    if (disk.path !== undefined) {
      execFileSync('umount', [disk.path]);
      await rm(disk.path, { recursive: true, force: true });
    }
  });
  return disk;
}
