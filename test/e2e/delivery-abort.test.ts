/**
 * Runs that must stop (exit 3) and stay resumable: credentials refused, the target failing past
 * send.maxRetries, the reject budget passed. The emulator runs in this process; the CLI is a child.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, targetEnv } from '../support/cli.js';
import { waitFor, summary, userIds, userKey, usersWorkspace } from './delivery-helpers.js';
import { emulatorPerFile, storedUsersById } from '../support/emulator.js';
import { readNdjson } from '../support/files.js';

const SECRET = 'abort-Secret-5150';
const fixture = emulatorPerFile(SECRET);

describe('delivery: runs that stop with exit 3', { timeout: 60_000 }, () => {
  it('a wrong client secret: exit 2 (a retry cannot fix it; issue 26), "authentication refused", nothing sent, the secret in no output or file', async () => {
    const wrong = 'wrong-Secret-9876';
    const dir = await usersWorkspace(
      userIds(5).map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const run = await runCli(['run', 'users.yaml', '--out', 'out', '--debug', '--log-format', 'json'], {
      cwd: dir,
      env: targetEnv(fixture.emu, wrong),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/authentication refused/);
    // The JSON error line names the token URL.
    expect(run.stderr).toMatch(/"code":"ETL_AUTH_REFUSED".*"exitCode":2.*"url":"http:\/\/127\.0\.0\.1:\d+\/oauth2\/token"/);
    expect(fixture.emu.log.total).toBe(0);
    const files = await readdir(join(dir, 'out'));
    expect(files).toContain('summary.json');
    const texts = [run.stdout, run.stderr, ...(await Promise.all(files.map((f) => readFile(join(dir, 'out', f), 'utf8'))))];
    for (const t of texts) expect(t).not.toContain(wrong);
    expect((await summary(join(dir, 'out'))).error?.code).toBe('ETL_AUTH_REFUSED');
  });

  it('a base URL whose bulk endpoint is not there (404) before any item was accepted: exit 2 naming the URL, in both log formats (issue 26)', async () => {
    const dir = await usersWorkspace(
      userIds(5).map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const wrongBase = { ...targetEnv(fixture.emu, SECRET), PROPEL_BASE_URL: `${fixture.emu.baseUrl}/v9` };
    const pretty = await runCli(['run', 'users.yaml', '--out', 'p'], { cwd: dir, env: wrongBase });
    expect(pretty.code).toBe(2);
    expect(pretty.stderr).toMatch(/batch 1, HTTP 404: http:\/\/127\.0\.0\.1:\d+\S*\/v9\/users\/bulk\/sourceId answered HTTP 404/);
    const json = await runCli(['run', 'users.yaml', '--out', 'j', '--log-format', 'json'], { cwd: dir, env: wrongBase });
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/"code":"ETL_ENDPOINT_MISSING".*"url":"http:\/\/127\.0\.0\.1:\d+\S*\/v9\/users\/bulk\/sourceId"/);
    expect((await summary(join(dir, 'j'))).error?.code).toBe('ETL_ENDPOINT_MISSING');
  });

  it('a 404 after items were accepted stays exit 3: the run resumes once the endpoint is back (issue 26)', async () => {
    const dir = await usersWorkspace(
      userIds(40).map((no) => ({ no })),
      { batchSize: 10, concurrency: 1 },
    );
    fixture.emu.setFaults({ latencyMs: 150 });
    const running = runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    await waitFor(() => fixture.emu.log.countByStatus(200) > 0, 'the first batch');
    fixture.emu.setFaults({ failNext: { count: 1000, status: 404 } });
    const first = await running;
    expect(first.code).toBe(3);
    expect((await summary(join(dir, 'out'))).error?.code).toBe('ETL_TARGET_FAILED');
    fixture.emu.setFaults({});
    expect((await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) })).code).toBe(
      0,
    );
    expect(storedUsersById(fixture.emu).size).toBe(40);
  });

  it('an API that quotes the bearer token back in its refusals: the token is in no output or file (issue 25)', async () => {
    const ids = userIds(6);
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 3, concurrency: 1 },
    );
    fixture.emu.setFaults({ echoToken: true, refuseItems: [ids[1]!, ids[4]!] });
    const run = await runCli(['run', 'users.yaml', '--out', 'out', '--log-format', 'json'], {
      cwd: dir,
      env: targetEnv(fixture.emu, SECRET),
    });
    expect(run.code).toBe(1);
    const files = await readdir(join(dir, 'out'));
    const texts = [run.stdout, run.stderr, ...(await Promise.all(files.map((f) => readFile(join(dir, 'out', f), 'utf8'))))].join('\n');
    // The refusals are there, with the quoted header's token taken out.
    expect(texts).toContain('was refused by the server. (request authorization: Bearer [redacted])');
    expect(texts).not.toMatch(/Bearer (?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/);
    expect(texts).not.toContain(SECRET);
  });

  it('retries used up: exit 3 naming the batch and status; --resume later completes without resending what was acknowledged', async () => {
    const ids = userIds(40);
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 1, maxRetries: 2 },
    );
    // Faults are decided after the latency, so switching them once the first batch is in catches the second.
    fixture.emu.setFaults({ latencyMs: 150 });
    const running = runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    await waitFor(() => fixture.emu.log.countByStatus(200) > 0, 'the first batch');
    fixture.emu.setFaults({ failNext: { count: 1000, status: 503 } });
    const first = await running;
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/batch \d+, HTTP 503: gave up after 2 retries/);
    const s1 = await summary(join(dir, 'out'));
    expect(s1.status).toBe('aborted');
    expect(fixture.emu.log.countByStatus(503)).toBeGreaterThanOrEqual(3);

    fixture.emu.setFaults({});
    const second = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(second.code).toBe(0);
    expect(storedUsersById(fixture.emu).size).toBe(40);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    const s2 = await summary(join(dir, 'out'));
    expect(s2).toMatchObject({ status: 'completed', attempt: 2 });
    expect(s2.counts.created).toBe(40);
    expect(s2.counts.skippedOnResume).toBe(s1.counts.created);
    // `sent` counts every attempt, and so do requests, retries and batches (issue 26): the two agree.
    const log = fixture.emu.log.snapshot();
    expect(s2.requests).toBe(log.total);
    expect(s2.batches).toBeGreaterThan(s1.batches);
    expect(s2.counts.sent).toBe(40);
  });

  it('a fatal error settles the batches in flight: their results are kept, so --resume does not send them again', async () => {
    const ids = userIds(30);
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 3, maxRetries: 0 },
    );
    // Three requests arrive together; after the latency the first handled fails, the other two are applied.
    fixture.emu.setFaults({ latencyMs: 300, failNext: { count: 1, status: 503 } });
    const first = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(first.code).toBe(3);
    expect(fixture.emu.log.countByStatus(200)).toBe(2);
    const results = await readNdjson(join(dir, 'out', 'results.ndjson'));
    expect(results).toHaveLength(20);

    fixture.emu.setFaults({});
    const second = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(second.code).toBe(0);
    expect(storedUsersById(fixture.emu).size).toBe(30);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    expect(ids.map((id) => fixture.emu.log.timesAcknowledged(userKey(id)))).toEqual(ids.map(() => 1));
  });

  it('errors.maxRejects passed: exit 3 with the budget message', async () => {
    // Rows without a customer number fail validation (sourceId is required).
    const rows = userIds(30).map((no, i) => (i % 3 === 0 ? { no: '', first: 'x' } : { no }));
    const dir = await usersWorkspace(rows, { batchSize: 5, concurrency: 1, maxRejects: 4 });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/\d+ records rejected, more than errors\.maxRejects \(4\)/);
    expect((await summary(join(dir, 'out'))).error?.code).toBe('ETL_REJECT_BUDGET');
  });

  it('errors.maxRejects as a percentage also judges a small file, at its end', async () => {
    const rows = userIds(20).map((no, i) => (i < 5 ? { no: '' } : { no }));
    const dir = await usersWorkspace(rows, { batchSize: 5, concurrency: 1, maxRejects: '10%' });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/5 of 20 records read were rejected, more than errors\.maxRejects \(10%\)/);
  });
});
