/**
 * Temporary copies (issue 25): in a folder of this user's under TMPDIR, each process's named with
 * its id; the folders a process killed with -9 left are removed by the next one.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../src/core/scratch.js';
import { tempDir } from '../support/files.js';

const saved = process.env.TMPDIR;
afterAll(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
});

describe('scratch folders', () => {
  it('live in a 0700 folder of this user; those of a process that is gone are removed, a living one kept', async () => {
    const tmp = await tempDir('scratch-');
    process.env.TMPDIR = tmp;
    const root = join(tmp, `propel-etl-${process.getuid?.() ?? 'user'}`);
    await mkdir(root, { mode: 0o700 });
    // A pid that surely is gone: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await mkdir(join(root, `entry-${dead}-aB3dE9`));
    await writeFile(join(root, `entry-${dead}-aB3dE9`, 'entry'), 'left by a kill -9');
    await mkdir(join(root, `download-${process.ppid}-Zz1234`));

    const mine = await scratchDir('entry');
    expect(mine.startsWith(join(root, `entry-${process.pid}-`))).toBe(true);
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    expect((await readdir(root)).sort()).toEqual([`download-${process.ppid}-Zz1234`, mine.slice(root.length + 1)].sort());
  });
});
