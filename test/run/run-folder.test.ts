import { mkdtemp, writeFile, readdir, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimRunFolder, defaultRunFolder, latestRunFolder, prepareRunFolder } from '../../src/run/run-folder.js';

describe('run folder', () => {
  it('refuses a used folder without --resume or --fresh; --fresh removes only run files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runfolder-'));
    await prepareRunFolder(dir, 'new');
    await writeFile(join(dir, 'results.ndjson'), '{}\n');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(prepareRunFolder(dir, 'new')).rejects.toMatchObject({ code: 'ETL_RUN_FOLDER_USED', exitCode: 2 });
    await prepareRunFolder(dir, 'fresh');
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('--resume needs a checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runfolder-'));
    await expect(prepareRunFolder(dir, 'resume')).rejects.toMatchObject({ code: 'ETL_NO_CHECKPOINT' });
  });

  it('names folders by UTC time to the millisecond with a suffix, and finds the latest resumable one', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'runfolder-'));
    expect(defaultRunFolder('p', new Date('2026-11-23T17:05:09.123Z'), cwd, 'beef')).toBe(
      join(cwd, 'runs', 'p', '2026-11-23T17-05-09-123Z-beef'),
    );
    for (const stamp of ['2026-01-01T00-00-00Z', '2026-02-01T00-00-00Z', '2026-03-01T00-00-00Z'])
      await mkdir(join(cwd, 'runs', 'p', stamp), { recursive: true });
    await writeFile(join(cwd, 'runs', 'p', '2026-02-01T00-00-00Z', 'checkpoint.ndjson'), '');
    expect(await latestRunFolder('p', cwd)).toBe(join(cwd, 'runs', 'p', '2026-02-01T00-00-00Z'));
  });

  it('two runs started at the same moment each get a folder of their own', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'runfolder-'));
    const now = new Date('2026-11-23T17:05:09.123Z');
    const dirs = await Promise.all(Array.from({ length: 20 }, () => claimRunFolder('p', now, cwd)));
    expect(new Set(dirs).size).toBe(20);
    expect((await readdir(join(cwd, 'runs', 'p'))).length).toBe(20);
    for (const d of dirs) await expect(prepareRunFolder(d, 'new')).resolves.toBeUndefined();
  });
});
