/**
 * Throttling, failing gateways, dropped connections, timeouts and expiring tokens, each injected
 * by the emulator (in this process) into a run of the CLI (a child process).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, targetEnv, startCli } from '../support/cli.js';
import { settledRecords, summary, userIds, userKey, usersWorkspace, waitFor } from './delivery-helpers.js';
import { emulatorPerFile, storedUsersById } from '../support/emulator.js';

const SECRET = 'retry-Secret-4242';
// expires_in as a string ("2"), the other documented token shape.
const fixture = emulatorPerFile(SECRET, { tokenShape: 'string' });

function allOnce(ids: readonly string[]): boolean {
  return ids.every((id) => fixture.emu.log.timesAcknowledged(userKey(id)) === 1);
}

describe('delivery: retries', { timeout: 60_000 }, () => {
  it('429 with Retry-After: 2 is not retried sooner; the store ends complete', async () => {
    const ids = userIds(30, 'R');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 2 },
    );
    fixture.emu.setFaults({ failNext: { count: 1, status: 429, retryAfter: 2 } });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(0);
    const entries = fixture.emu.log.entries();
    const throttled = entries.find((e) => e.status === 429)!;
    const again = entries.find((e) => e !== throttled && e.keys[0] === throttled.keys[0])!;
    expect(again.status).toBe(200);
    expect(again.time - throttled.time).toBeGreaterThanOrEqual(2000);
    expect(storedUsersById(fixture.emu).size).toBe(30);
    expect(allOnce(ids)).toBe(true);
    expect((await summary(join(dir, 'out'))).retries).toBe(1);
  });

  it('503, a reset connection and a timeout are retried; the store ends complete', async () => {
    const ids = userIds(40, 'S');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 2, timeout: '1s', maxRetries: 4 },
    );
    // In order: the first request's connection is destroyed, the second never answered, the third gets 503.
    fixture.emu.setFaults({ dropNext: 1, hangNext: 1, failNext: { count: 1, status: 503 } });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(0);
    const statuses = fixture.emu.log.entries().map((e) => e.status);
    expect(statuses.filter((s) => s !== 200).sort()).toEqual([503, 'dropped', 'hung']);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(storedUsersById(fixture.emu).size).toBe(40);
    expect(allOnce(ids)).toBe(true);
    expect((await summary(join(dir, 'out'))).retries).toBe(3);
  });

  it('a 500 is retried like a 503: the store ends complete, exit 0', async () => {
    const ids = userIds(30, 'E');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 1 },
    );
    fixture.emu.setFaults({ failNext: { count: 1, status: 500 } });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(0);
    expect(fixture.emu.log.entries().map((e) => e.status)).toEqual([500, 200, 200, 200]);
    expect(storedUsersById(fixture.emu).size).toBe(30);
    expect(allOnce(ids)).toBe(true);
    expect((await summary(join(dir, 'out'))).retries).toBe(1);
  });

  it('a 500 that persists past send.maxRetries stops the run: exit 3, resumable', async () => {
    const ids = userIds(30, 'F');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 1, maxRetries: 2 },
    );
    fixture.emu.setFaults({ failNext: { count: 1000, status: 500 } });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/batch \d+, HTTP 500: gave up after 2 retries \(last: HTTP 500\)/);
    // The first batch, sent once and retried twice; nothing after it.
    expect(fixture.emu.log.entries().map((e) => e.status)).toEqual([500, 500, 500]);
    expect(storedUsersById(fixture.emu).size).toBe(0);
    const s = await summary(join(dir, 'out'));
    expect(s).toMatchObject({ status: 'aborted', exitCode: 3, retries: 2 });
  });
});

describe('delivery: tokens', { timeout: 60_000 }, () => {
  it('a token that lives 2 s in a run of about 6 s: renewed before it runs out, nothing lost', async () => {
    const ids = userIds(200, 'L');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 8, concurrency: 1 },
    );
    fixture.emu.setFaults({ tokenLifetimeSec: 2, latencyMs: 220 });
    const started = Date.now();
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    const took = Date.now() - started;
    expect(run.code).toBe(0);
    expect(took).toBeGreaterThan(5500);
    // Renewed at half the lifetime: one token per second of sending, and none used past its end.
    expect(fixture.emu.tokensIssued()).toBeGreaterThanOrEqual(5);
    expect(fixture.emu.log.countByStatus(401)).toBe(0);
    expect(storedUsersById(fixture.emu).size).toBe(200);
    expect(allOnce(ids)).toBe(true);
  });

  it('a token revoked mid-run: the 401 renews it once and the batch is sent again', async () => {
    const ids = userIds(60, 'X');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 1 },
    );
    fixture.emu.setFaults({ latencyMs: 100 });
    const run = startCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    await waitFor(async () => (await settledRecords(join(dir, 'out'))) >= 10, 'the first batch');
    fixture.emu.setFaults({ latencyMs: 100, expireTokens: true });
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(fixture.emu.log.countByStatus(401)).toBe(1);
    expect(storedUsersById(fixture.emu).size).toBe(60);
    expect(allOnce(ids)).toBe(true);
  });
});
