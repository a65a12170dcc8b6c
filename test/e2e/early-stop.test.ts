/**
 * A night that goes wrong stops early, cleanly, and says so (issue 14), through the built CLI
 * against the emulator: resume refused over other inputs, a first look before the first
 * request, a token endpoint that is down, one JSON object per stderr line, run folders of their
 * own, every reason of a rejected record.
 */
import { createServer } from 'node:net';
import { mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, targetEnv } from '../support/cli.js';
import { emulatorPerFile, storedUsersById } from '../support/emulator.js';
import { readNdjson } from '../support/files.js';
import { summary, userIds, usersWorkspace, waitFor } from './delivery-helpers.js';
import { buildZip } from '../stages/1-read/helpers.js';

const SECRET = 'early-Secret-4411';
const fixture = emulatorPerFile(SECRET);

/** Every stderr line as the JSON object it must be; fails the test on a line that is not one. */
function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        const obj = JSON.parse(l) as unknown;
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('not an object');
        return obj as Record<string, unknown>;
      } catch {
        throw new Error(`stderr line is not a JSON object: ${l}`);
      }
    });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('resume only over the same input', { timeout: 60_000 }, () => {
  it('a regenerated export is refused on --resume (exit 2, the file and what changed named, nothing sent); --fresh starts over', async () => {
    const ids = userIds(40);
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 1, maxRetries: 0 },
    );
    fixture.emu.setFaults({ latencyMs: 100 });
    const running = runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    await waitFor(() => fixture.emu.log.countByStatus(200) > 0, 'the first batch');
    fixture.emu.setFaults({ failNext: { count: 1000, status: 503 } });
    expect((await running).code).toBe(3);
    fixture.emu.setFaults({});

    // The export is run again: 5 new rows at the top shift every ordinal.
    const regenerated = [...userIds(5, 'N'), ...ids].map((no) => JSON.stringify({ no })).join('\n') + '\n';
    await writeFile(join(dir, 'users.ndjson'), regenerated);
    const before = fixture.emu.log.total;
    const refused = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^propel-etl: users\.ndjson: --resume refused: it changed since the run started \(size [\d,]+ bytes → [\d,]+ bytes, .*content differs\).*--fresh$/m,
    );
    expect(fixture.emu.log.total).toBe(before);
    // The refused attempt left the folder as it was: a later --resume over the right file still works.
    expect((await summary(join(dir, 'out'))).attempt).toBe(1);

    const fresh = await runCli(['run', 'users.yaml', '--out', 'out', '--fresh'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(fresh.code).toBe(0);
    expect(storedUsersById(fixture.emu).size).toBe(45);
  });

  it('a broken CSV repaired resumes; a "repair" that also moved the rows already settled is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'early-broken-'));
    const rows = (ids: readonly string[]): string => ids.map((no) => `${no},x`).join('\n');
    await writeFile(join(dir, 'users.csv'), `no,first\n${rows(userIds(300))}\nU0301,"broken\n`);
    await writeFile(
      join(dir, 'users.yaml'),
      [
        'name: broken',
        'resource: users',
        'source: { path: users.csv }',
        'mapping:',
        '  source: { value: ERP }',
        '  sourceId: no',
        '  language: { value: NL }',
        '  firstName: first',
        'batch: { size: 50 }',
        '',
      ].join('\n'),
    );
    const first = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(first.code).toBe(3);
    expect(storedUsersById(fixture.emu).size).toBe(300);
    await writeFile(join(dir, 'users.csv'), `no,first\n${rows(userIds(5, 'N'))}\n${rows(userIds(302))}\n`);
    const refused = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/users\.csv: --resume refused: it changed since the run started/);
    await writeFile(join(dir, 'users.csv'), `no,first\n${rows(userIds(302))}\n`);
    const repaired = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(repaired.code).toBe(0);
    expect(storedUsersById(fixture.emu).size).toBe(302);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    // From now on the repaired file is the one a resume compares with.
    expect((await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) })).code).toBe(
      0,
    );
  });

  it('the same content under a new modification time is refused too; the input as it was resumes', async () => {
    const dir = await usersWorkspace(
      userIds(12).map((no) => ({ no })),
      { batchSize: 4, concurrency: 1 },
    );
    expect((await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) })).code).toBe(0);
    const again = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(again.code).toBe(0);
    await utimes(join(dir, 'users.ndjson'), new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const touched = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(touched.code).toBe(2);
    expect(touched.stderr).toMatch(/users\.ndjson: --resume refused: it changed since the run started \(version \d+:\d+ → \d+:\d+\)/);
  });

  it('an archive: a changed entry is named with its CRC; the same entries re-packed resume', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'early-zip-'));
    const rows = (prefix: string): Buffer =>
      Buffer.from(
        userIds(6, prefix)
          .map((no) => JSON.stringify({ no }))
          .join('\n') + '\n',
      );
    await writeFile(
      join(dir, 'users.zip'),
      buildZip([
        { name: 'a.ndjson', data: rows('A') },
        { name: 'b.ndjson', data: rows('B') },
      ]),
    );
    await writeFile(
      join(dir, 'users.yaml'),
      [
        'name: zipped',
        'resource: users',
        'source: { path: users.zip }',
        'mapping:',
        '  source: { value: ERP }',
        '  sourceId: no',
        '  language: { value: NL }',
        'batch: { size: 4 }',
        '',
      ].join('\n'),
    );
    expect((await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) })).code).toBe(0);
    // Same entries, stored instead of deflated: a new file, the same records.
    await writeFile(
      join(dir, 'users.zip'),
      buildZip([
        { name: 'a.ndjson', data: rows('A'), store: true },
        { name: 'b.ndjson', data: rows('B') },
      ]),
    );
    expect((await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) })).code).toBe(
      0,
    );
    await writeFile(
      join(dir, 'users.zip'),
      buildZip([
        { name: 'a.ndjson', data: rows('A') },
        { name: 'b.ndjson', data: rows('C') },
      ]),
    );
    const refused = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /users\.zip: --resume refused: its entry b\.ndjson changed since the run started \(CRC [0-9a-f]{8} → [0-9a-f]{8}\).*--fresh/,
    );
  });
});

describe('a first look before the first request', { timeout: 60_000 }, () => {
  it('an export with DD/MM dates under a MM/DD mapping (maxRejects 1%): exit 3, zero requests, the top reason, counts as in the summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'early-dates-'));
    const lines = ['no,dob'];
    // Days 1-28 in turn: from the 13th on, the day does not fit as a month.
    for (let i = 0; i < 1500; i++)
      lines.push(`C${i},${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/1980`);
    await writeFile(join(dir, 'users.csv'), lines.join('\n') + '\n');
    await writeFile(
      join(dir, 'users.yaml'),
      [
        'name: swapped',
        'resource: users',
        'source: { path: users.csv }',
        'mapping:',
        '  source: { value: ERP }',
        '  sourceId: no',
        '  language: { value: NL }',
        '  dateOfBirth: { from: dob, date: MM/DD/YYYY }',
        'batch: { size: 50 }',
        'send: { concurrency: 4 }',
        'errors: { maxRejects: 1% }',
        '',
      ].join('\n'),
    );
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(3);
    expect(fixture.emu.log.total).toBe(0);
    expect(fixture.emu.store.users()).toHaveLength(0);
    const line = run.stderr.split('\n').find((l) => l.includes('first look')) ?? '';
    expect(line).toMatch(
      /the first look at [\d,]+ records, before any request: [\d,]+ of [\d,]+ records read were rejected, more than errors\.maxRejects \(1%\); nothing was sent\. Most frequent: [\d,]+ × map dateOfBirth: "…" is not a/,
    );
    const [, rejected, read] = /: ([\d,]+) of ([\d,]+) records read were rejected/.exec(line)!.map((s) => Number(s.replace(/,/g, '')));
    const s = await summary(join(dir, 'out'));
    expect(s).toMatchObject({
      status: 'aborted',
      exitCode: 3,
      requests: 0,
      counts: { sent: 0, read, unsent: read! - rejected!, rejected: { total: rejected } },
    });
    expect(read).toBeGreaterThanOrEqual(1000);
    expect(read).toBeLessThan(1500);
    // The rejects of the sample are written, so the steward sees them at once.
    expect(await readNdjson(join(dir, 'out', 'rejects.ndjson'))).toHaveLength(rejected!);
  });

  it('the budget passed while records flow: the message gives the counts the summary gives (regression: "1124 of 4159" vs 2,414)', async () => {
    // A healthy start (the first look passes), then every other record a reject: the budget bites
    // in the sink while batches are in flight and records read ahead are still on their way.
    const rows = userIds(4000).map((no, i) => (i < 1200 || i % 2 === 0 ? { no } : { no: '', first: 'x' }));
    const dir = await usersWorkspace(rows, { batchSize: 50, concurrency: 4, maxRejects: '1%' });
    fixture.emu.setFaults({ latencyMs: 30 });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(3);
    const [, rejected, read] = /([\d,]+) of ([\d,]+) records read were rejected, more than errors\.maxRejects \(1%\)/
      .exec(run.stderr)!
      .map((s) => Number(s.replace(/,/g, '')));
    const s = await summary(join(dir, 'out'));
    expect(s.counts.rejected.total).toBe(rejected);
    expect(s.counts.read).toBe(read);
    expect(s.error?.message).toContain(`${rejected!.toLocaleString('en-US')} of ${read!.toLocaleString('en-US')} records read`);
    expect(run.stderr).not.toContain('first look');
    expect(s.counts.sent).toBeGreaterThan(0);
  });
});

describe('the target reached before the input is read', { timeout: 60_000 }, () => {
  it('a token URL nothing listens on: a line per retry (attempt, wait, cause), then exit 3 naming the URL, nothing read, no secret', async () => {
    const port = await closedPort();
    const tokenUrl = `http://127.0.0.1:${port}/oauth2/token`;
    const dir = await usersWorkspace(
      userIds(5).map((no) => ({ no })),
      { batchSize: 5, concurrency: 1, maxRetries: 2 },
    );
    const e = { ...targetEnv(fixture.emu, SECRET), PROPEL_TOKEN_URL: tokenUrl };

    const pretty = await runCli(['run', 'users.yaml', '--out', 'pretty'], { cwd: dir, env: e });
    expect(pretty.code).toBe(3);
    const retries = pretty.stderr.split('\n').filter((l) => l.startsWith('token endpoint'));
    expect(retries).toHaveLength(2);
    retries.forEach((l, i) =>
      expect(l).toMatch(
        new RegExp(`^token endpoint ${tokenUrl.replace(/[.]/g, '\\.')}: retry ${i + 1} of 2 in \\d+ ms \\(ECONNREFUSED\\)$`),
      ),
    );
    expect(pretty.stderr).toMatch(
      new RegExp(`propel-etl: token endpoint ${tokenUrl.replace(/[.]/g, '\\.')} unreachable after 2 retries \\(ECONNREFUSED\\)`),
    );
    expect((await summary(join(dir, 'pretty'))).counts.read).toBe(0);

    const json = await runCli(['run', 'users.yaml', '--out', 'json', '--log-format', 'json'], { cwd: dir, env: e });
    expect(json.code).toBe(3);
    const logs = jsonLines(json.stderr);
    const tokenRetries = logs.filter((l) => l.event === 'token retry');
    expect(tokenRetries.map((l) => l.attempt)).toEqual([1, 2]);
    for (const l of tokenRetries)
      expect(l).toMatchObject({ level: 40, url: tokenUrl, maxRetries: 2, delayMs: expect.any(Number), reason: 'ECONNREFUSED' });
    expect(logs.find((l) => l.event === 'abort')).toMatchObject({
      level: 50,
      code: 'ETL_TARGET_FAILED',
      url: tokenUrl,
      message: expect.stringContaining(tokenUrl),
    });
    for (const t of [pretty.stderr, pretty.stdout, json.stderr, json.stdout]) expect(t).not.toContain(SECRET);
    expect(fixture.emu.log.total).toBe(0);
  });
});

describe('--log-format json: every stderr line a JSON object', { timeout: 60_000 }, () => {
  it('a configuration error (exit 2) with code, message, file, line and key', async () => {
    const dir = await usersWorkspace(
      userIds(3).map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const text = await readFile(join(dir, 'users.yaml'), 'utf8');
    const misspelt = text.replace(/\bbatch\b/, 'batchh');
    expect(misspelt).not.toBe(text);
    await writeFile(join(dir, 'users.yaml'), misspelt);
    const run = await runCli(['run', 'users.yaml', '--log-format', 'json'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(2);
    const logs = jsonLines(run.stderr);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 50,
      event: 'error',
      code: expect.stringMatching(/^ETL_/),
      exitCode: 2,
      message: expect.stringContaining('batchh'),
      file: expect.stringContaining('users.yaml'),
      line: expect.any(Number),
      key: expect.stringContaining('batchh'),
    });
    // A usage error found by the argument parser, too.
    const usage = await runCli(['run', 'users.yaml', '--log-format', 'json', '--no-such-option'], {
      cwd: dir,
      env: targetEnv(fixture.emu, SECRET),
    });
    expect(usage.code).toBe(2);
    expect(jsonLines(usage.stderr)[0]).toMatchObject({
      level: 50,
      code: 'ETL_USAGE',
      message: expect.stringContaining('--no-such-option'),
    });
  });

  it('an abort and a completed run', async () => {
    const rows = userIds(30).map((no, i) => (i % 3 === 0 ? { no: '' } : { no }));
    const aborting = await usersWorkspace(rows, { batchSize: 5, concurrency: 1, maxRejects: 4 });
    const abort = await runCli(['run', 'users.yaml', '--out', 'out', '--log-format', 'json'], {
      cwd: aborting,
      env: targetEnv(fixture.emu, SECRET),
    });
    expect(abort.code).toBe(3);
    const abortLogs = jsonLines(abort.stderr);
    expect(abortLogs.find((l) => l.event === 'abort')).toMatchObject({
      level: 50,
      code: 'ETL_REJECT_BUDGET',
      exitCode: 3,
      message: expect.stringContaining('errors.maxRejects'),
    });
    expect(abortLogs.at(-1)).toMatchObject({ event: 'run end', exitCode: 3 });

    const fine = await usersWorkspace(
      userIds(10).map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const done = await runCli(['run', 'users.yaml', '--out', 'out', '--log-format', 'json'], {
      cwd: fine,
      env: targetEnv(fixture.emu, SECRET),
    });
    expect(done.code).toBe(0);
    expect(jsonLines(done.stderr).map((l) => l.event)).toEqual(['run start', 'run end']);
  });
});

describe('default run folders', { timeout: 60_000 }, () => {
  it('two runs started together get a folder each; --resume without --out finds the latest', async () => {
    const dir = await usersWorkspace(
      userIds(6).map((no) => ({ no })),
      { name: 'together', batchSize: 3, concurrency: 1 },
    );
    const [a, b] = await Promise.all([0, 1].map(() => runCli(['run', 'users.yaml'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) })));
    expect([a!.code, b!.code]).toEqual([0, 0]);
    const folders = (await readdir(join(dir, 'runs', 'together'))).sort();
    expect(folders).toHaveLength(2);
    for (const f of folders) expect(f).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{4}$/);
    const resumed = await runCli(['run', 'users.yaml', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(resumed.code).toBe(0);
    expect((await summary(join(dir, 'runs', 'together', folders[1]!))).attempt).toBe(2);
    expect((await summary(join(dir, 'runs', 'together', folders[0]!))).attempt).toBe(1);
  });
});

describe('every reason of a rejected record', { timeout: 60_000 }, () => {
  it('rejects.ndjson: reason is the first problem, reasons lists all of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'early-reasons-'));
    await writeFile(
      join(dir, 'users.ndjson'),
      [
        { no: 'R1', gender: 'x', country: 'NETHERLANDS', email: 'a@b.nl' },
        { no: 'R2', dob: '31-02-1980', group: 'abc' },
        { no: 'R3', gender: 'x' },
        { no: 'R4' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    await writeFile(
      join(dir, 'users.yaml'),
      [
        'name: reasons',
        'resource: users',
        'source: { path: users.ndjson }',
        'mapping:',
        '  source: { value: ERP }',
        '  sourceId: no',
        '  language: { value: NL }',
        '  gender: gender',
        '  email: email',
        '  dateOfBirth: { from: dob, date: DD-MM-YYYY }',
        '  parent: { id: { from: group, type: integer } }',
        '  addresses:',
        '    - { type: { value: invoice }, street: { value: Main }, number: { value: "1" }, city: { value: Utrecht }, country: country }',
        '',
      ].join('\n'),
    );
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(1);
    const rejects = new Map((await readNdjson(join(dir, 'out', 'rejects.ndjson'))).map((r) => [(r.record as { no: string }).no, r]));
    expect(rejects.get('R1')).toMatchObject({
      stage: 'validate',
      reason: 'gender: must be one of M, F, U (got "x")',
      reasons: ['gender: must be one of M, F, U (got "x")', 'addresses[0].country: must match ^[A-Z]{2}$ (got "NETHERLANDS")'],
    });
    const r2 = rejects.get('R2')!;
    expect(r2).toMatchObject({ stage: 'map', reason: expect.stringMatching(/^dateOfBirth: "31-02-1980"/) });
    expect(r2.reasons).toEqual([r2.reason, expect.stringMatching(/^parent\.id: "abc"/)]);
    expect(rejects.get('R3')).toMatchObject({ reasons: ['gender: must be one of M, F, U (got "x")'] });
    expect(rejects.has('R4')).toBe(false);
  });
});
