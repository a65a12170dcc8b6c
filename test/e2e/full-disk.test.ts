/**
 * A run folder on a disk that fills up (issue 25), for real: a 1 MiB tmpfs (the tests run as
 * root; where mount is not allowed the test says so and is skipped). The run stops with exit 3
 * and one line naming the file and the full disk, no "internal error", no torn or empty file;
 * once the disk has room, --resume completes and every record has exactly one parseable
 * outcome line.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, targetEnv } from '../support/cli.js';
import { emulatorPerFile } from '../support/emulator.js';
import { tmpfsPerFile } from '../support/tmpfs.js';
import { userIds, usersWorkspace } from './delivery-helpers.js';

const SECRET = 'full-Disk-Secret-31';
const fixture = emulatorPerFile(SECRET);
const tmpfs = tmpfsPerFile('1m');

function lines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('a run folder on a disk that fills up', { timeout: 120_000 }, () => {
  it('exit 3 with one line; after room is made, --resume leaves exactly one parseable line per record', async (ctx) => {
    if (tmpfs.path === undefined) ctx.skip(tmpfs.why);
    const disk = tmpfs.path!;
    // 20,000 results of ~130 bytes: well past 1 MiB. Every 50th row has no id: a reject line too.
    const ids = userIds(20_000, 'D');
    const dir = await usersWorkspace(
      ids.map((no, i) => (i % 50 === 7 ? { no: '' } : { no })),
      { batchSize: 250, concurrency: 2 },
    );
    const out = join(disk, 'out');
    await mkdir(out, { mode: 0o700 });

    const first = await runCli(['run', 'users.yaml', '--out', out], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(first.code).toBe(3);
    const last = first.stderr.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(
      /^propel-etl: .*(results|rejects|checkpoint)\.ndjson: could not be written whole: no space left on the device; .*--resume$/,
    );
    expect(first.stderr).not.toMatch(/internal error/);
    // Whatever is there is whole: no empty summary, no torn line.
    const names = await readdir(out);
    if (names.includes('summary.json')) expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))).toBeTypeOf('object');
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    lines(await readFile(join(out, 'results.ndjson'), 'utf8'));

    tmpfs.resize('64m');
    const second = await runCli(['run', 'users.yaml', '--out', out, '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(second.code).toBe(1);
    const results = lines(await readFile(join(out, 'results.ndjson'), 'utf8')) as { key: string }[];
    const rejects = lines(await readFile(join(out, 'rejects.ndjson'), 'utf8')) as { line: number }[];
    expect(results.length + rejects.length).toBe(20_000);
    expect(new Set(results.map((r) => r.key)).size).toBe(results.length);
    expect(new Set(rejects.map((r) => r.line)).size).toBe(400);
    expect(fixture.emu.store.users()).toHaveLength(19_600);
    const s = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { status: string; attempt: number };
    expect(s).toMatchObject({ status: 'completed', attempt: 2 });
  });
});
