import { chmod, chown, mkdir, readFile, symlink, link, writeFile, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrivateFile, writeWhole } from '../../src/core/private-file.js';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { prepareRunFolder } from '../../src/run/run-folder.js';
import { tempDir } from '../support/files.js';
import { writeUsersPipeline } from '../support/pipeline.js';

// Another user plants links (or a folder) where a run writes: the run never writes through them
// (issue 25). Tests run as root, so "another user" is made with chown.
const MAPPING = { source: { value: 'L' }, sourceId: 'id', language: { value: 'NL' }, firstName: 'first' };

async function workspace(): Promise<{ dir: string; victim: string; pipeline: string }> {
  const dir = await tempDir('propel-links-');
  await writeFile(join(dir, 'users.csv'), 'id,first\nL1,Ann\nL2,Bob\n');
  const victim = join(dir, 'important.conf');
  await writeFile(victim, 'keep me\n', { mode: 0o644 });
  await writeUsersPipeline(dir, 'p.json', { name: 'links', source: { path: 'users.csv' }, mapping: MAPPING, batchSize: 10, send: {} });
  return { dir, victim, pipeline: join(dir, 'p.json') };
}

describe('planted links and foreign folders', () => {
  for (const name of ['report.html', 'results.ndjson', 'summary.json', 'checkpoint.ndjson']) {
    it(`a link planted as ${name}: exit 2 naming it, nothing written through it`, async () => {
      const { dir, victim, pipeline } = await workspace();
      const out = join(dir, 'run');
      await mkdir(out, { mode: 0o700 });
      await symlink(victim, join(out, name));
      const r = runPipeline({ pipeline, target: 'local', out, cwd: dir, env: {} });
      await expect(r).rejects.toMatchObject({ code: 'ETL_RUN_FOLDER_UNSAFE', exitCode: 2, context: { file: join(out, name) } });
      expect(await readFile(victim, 'utf8')).toBe('keep me\n');
      expect((await lstat(victim)).mode & 0o777).toBe(0o644);
    });
  }

  it('a dry run whose batches folder is a planted link to another folder: exit 2, nothing written there', async () => {
    const { dir, pipeline } = await workspace();
    const out = join(dir, 'dry');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(out, { mode: 0o700 });
    await mkdir(elsewhere);
    await symlink(elsewhere, join(out, 'batches'));
    await expect(runPipeline({ pipeline, mode: 'dry-run', target: 'local', out, cwd: dir, env: {} })).rejects.toMatchObject({
      code: 'ETL_RUN_FOLDER_UNSAFE',
    });
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('a run folder of another user, or one others can write, is refused before anything is written', async () => {
    const { dir } = await tempDir('propel-links-').then((d) => ({ dir: d }));
    const foreign = join(dir, 'foreign');
    await mkdir(foreign, { mode: 0o700 });
    await chown(foreign, 4242, 4242);
    await expect(prepareRunFolder(foreign, 'new')).rejects.toThrow(/belongs to another user/);
    const open = join(dir, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    await expect(prepareRunFolder(open, 'new')).rejects.toThrow(/can be written by others \(mode 777\)/);
    expect(await readdir(open)).toEqual([]);
  });

  it('a hard link planted where a run appends is refused; a file written whole replaces a link rather than writing through it', async () => {
    const dir = await tempDir('propel-links-');
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep me\n');
    await link(victim, join(dir, 'results.ndjson'));
    await expect(PrivateFile.open(join(dir, 'results.ndjson'), 'a')).rejects.toThrow(/has another name \(a hard link\)/);
    await symlink(victim, join(dir, 'whole.json'));
    await writeWhole(join(dir, 'whole.json'), '{}\n');
    expect(await readFile(victim, 'utf8')).toBe('keep me\n');
    expect((await lstat(join(dir, 'whole.json'))).isSymbolicLink()).toBe(false);
    expect((await lstat(join(dir, 'whole.json'))).mode & 0o777).toBe(0o600);
  });
});
