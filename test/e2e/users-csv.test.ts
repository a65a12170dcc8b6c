import { cp, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import { emulatorPerFile } from '../support/emulator.js';
import { readNdjson, tempDir } from '../support/files.js';

const FIXTURES = new URL('../fixtures/e2e/', import.meta.url);

describe('propel-etl run: users from a messy CSV into the emulator (issue 2)', () => {
  const fx = emulatorPerFile('e2e-Secret-4711', {}, 'never');
  let dir: string;
  let run: CliRun;

  beforeAll(async () => {
    fx.emu.store.seedUsergroup({ id: 1, name: 'Root' });
    fx.emu.store.seedUsergroup({ id: 2, name: 'Branch' });
    dir = await tempDir('e2e-users-');
    await cp(new URL('users-messy.csv', FIXTURES), join(dir, 'users-messy.csv'));
    await cp(new URL('users-messy.yaml', FIXTURES), join(dir, 'users-messy.yaml'));
    run = await runCli(['run', 'users-messy.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fx.emu, 'e2e-Secret-4711') });
  });

  it('completes with exit 1 (some records rejected) and prints the summary', () => {
    expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/e2e-users \(users -> propel\): completed/);
    expect(run.stdout).toMatch(/rejected\s+4 \(read 0, map 1, validate 2, api 1\)/);
  });

  it('stores exactly the expected items: later version of a repeated key wins', async () => {
    const expected = JSON.parse(await readFile(new URL('users-messy.expected-store.json', FIXTURES), 'utf8')) as unknown[];
    const stored = fx.emu.store
      .users()
      .map((u) => u.item)
      .sort((a, b) => String(a.sourceId).localeCompare(String(b.sourceId)));
    expect(stored).toEqual(expected);
  });

  it('explains every bad row in rejects.ndjson with its line and stage', async () => {
    const expected = JSON.parse(await readFile(new URL('users-messy.expected-rejects.json', FIXTURES), 'utf8')) as {
      line: number;
      stage: string;
      reasonMatches: string;
    }[];
    const rejects = (await readNdjson(join(dir, 'out', 'rejects.ndjson'))).sort((a, b) => Number(a.line) - Number(b.line));
    expect(rejects.map((r) => [r.line, r.stage, r.file])).toEqual(expected.map((e) => [e.line, e.stage, 'users-messy.csv']));
    rejects.forEach((r, i) => expect(String(r.reason)).toMatch(new RegExp(expected[i]!.reasonMatches)));
    // The source row travels with its reject, so it can be fixed and fed again.
    expect(rejects[0]!.record).toMatchObject({ customer_no: 'C003', first_name: 'Łukasz', dob: '31-02-1990' });
  });

  it('writes a result line per answered item, pointing at its source line', async () => {
    const results = (await readNdjson(join(dir, 'out', 'results.ndjson'))).sort((a, b) => Number(a.line) - Number(b.line));
    expect(results.map((r) => [r.line, r.key, r.action, r.success])).toEqual([
      [2, 'C001', 'create', true],
      [3, 'C002', 'create', true],
      [7, 'C005', 'create', false],
      [9, 'C001', 'update', true],
      [11, 'C006', 'create', true],
    ]);
    expect(results.find((r) => r.key === 'C005')?.error).toMatch(/Parent usergroup with id \[99\] not found/);
  });

  it('writes summary.json with the counts and the top kinds of reject, and record files with mode 0600', async () => {
    const summary = JSON.parse(await readFile(join(dir, 'out', 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({
      status: 'completed',
      exitCode: 1,
      counts: {
        read: 8,
        mapped: 7,
        rejected: { read: 0, map: 1, validate: 2, api: 1, total: 4 },
        sent: 5,
        created: 3,
        updated: 1,
        failed: 1,
      },
    });
    // Kinds of reject with the record's values taken out, largest first, then in file order.
    expect(summary.topRejects).toEqual([
      { stage: 'map', reason: 'dateOfBirth: "…" is not a real date (DD-MM-YYYY)', count: 1 },
      { stage: 'validate', reason: 'addresses[n].country: must match ^[A-Z]{2}$ (got "…")', count: 1 },
      { stage: 'api', reason: 'Parent usergroup with id [n] not found.', count: 1 },
      { stage: 'validate', reason: 'missing required field "sourceId"', count: 1 },
    ]);
    for (const f of ['results.ndjson', 'rejects.ndjson', 'checkpoint.ndjson', 'summary.json']) {
      expect(((await stat(join(dir, 'out', f))).mode & 0o777).toString(8)).toBe('600');
    }
  });

  it('never writes the client secret or a token anywhere', async () => {
    const files = await readdir(join(dir, 'out'));
    const texts = [run.stdout, run.stderr, ...(await Promise.all(files.map((f) => readFile(join(dir, 'out', f), 'utf8'))))];
    for (const t of texts) {
      expect(t).not.toContain('e2e-Secret-4711');
      expect(t).not.toMatch(/Bearer|access_token/);
    }
  });

  it('refuses to reuse the run folder without --resume or --fresh (exit 2, nothing sent)', async () => {
    const before = fx.emu.log.total;
    const again = await runCli(['run', 'users-messy.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fx.emu, 'e2e-Secret-4711') });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run; use --resume .* or --fresh/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(fx.emu.log.total).toBe(before);
  });
});
