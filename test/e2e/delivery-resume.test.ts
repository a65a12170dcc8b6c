/**
 * A killed or interrupted run, then `--resume`: the store ends complete and no item the API
 * acknowledged is sent again. The emulator lives in this process so its log outlives the CLI.
 */
import { join } from 'node:path';
import { appendFile, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT } from '../../src/emulator/index.js';
import { runCli, targetEnv, startCli } from '../support/cli.js';
import { killMidRun, settledRecords, summary, userIds, userKey, usersWorkspace, waitFor } from './delivery-helpers.js';
import { emulatorPerFile, storedUsersById } from '../support/emulator.js';
import { readNdjson } from '../support/files.js';

const SECRET = 'resume-Secret-8080';
const fixture = emulatorPerFile(SECRET);

describe('delivery: crash and interrupt, then --resume', { timeout: 60_000 }, () => {
  it('kill -9 mid-run, then --resume: the store is complete and no acknowledged item was sent twice', async () => {
    const ids = userIds(200, 'K');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no, first: `v-${no}` })),
      { batchSize: 10, concurrency: 1 },
    );
    const out = join(dir, 'out');
    await killMidRun(fixture.emu, ['run', 'users.yaml', '--out', 'out'], dir, out, SECRET);
    const acknowledgedBefore = ids.filter((id) => fixture.emu.log.timesAcknowledged(userKey(id)) > 0).length;
    expect(acknowledgedBefore).toBeGreaterThanOrEqual(30);
    expect(acknowledgedBefore).toBeLessThan(200);

    const second = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(second.code).toBe(0);
    const stored = storedUsersById(fixture.emu);
    expect(stored.size).toBe(200);
    expect(ids.every((id) => stored.get(id)?.firstName === `v-${id}`)).toBe(true);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    // One result line per record across both attempts, and the counts carried over.
    const results = await readNdjson(join(out, 'results.ndjson'));
    expect(new Set(results.map((r) => r.key)).size).toBe(200);
    expect(results).toHaveLength(200);
    const s = await summary(out);
    expect(s).toMatchObject({ status: 'completed', attempt: 2 });
    expect(s.counts).toMatchObject({ created: 200, updated: 0, skippedOnResume: acknowledgedBefore });
  });

  it('kill -9 after a result line was written but before the checkpoint named it: --resume cuts the line, so the record has one (issue 25)', async () => {
    const ids = userIds(120, 'W');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 10, concurrency: 1 },
    );
    const out = join(dir, 'out');
    await killMidRun(fixture.emu, ['run', 'users.yaml', '--out', 'out'], dir, out, SECRET);
    // The window the kill can land in: the lines of the batch that was being settled are on disk,
    // the checkpoint does not have them yet (a torn last line with them).
    const results = join(out, 'results.ndjson');
    const unsettled = ids.find((id) => fixture.emu.log.timesAcknowledged(userKey(id)) === 0);
    expect(unsettled).toBeDefined();
    const line = { file: join(dir, 'users.ndjson'), line: 1, key: userKey(unsettled!), action: 'create', id: 1, success: true, batch: 99 };
    await appendFile(results, `${JSON.stringify(line)}\n{"file":"torn`);
    await appendFile(join(out, 'rejects.ndjson'), '{"file":"torn');

    const second = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(second.code).toBe(0);
    const lines = (await readFile(results, 'utf8')).split('\n').filter((l) => l !== '');
    const keys = lines.map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keys).toHaveLength(120);
    expect(new Set(keys).size).toBe(120);
    expect(await readFile(join(out, 'rejects.ndjson'), 'utf8')).toBe('');
  });

  it('the emulator does not count as acknowledged an answer whose client had gone (killed or timed out)', async () => {
    // Long enough that the abort below lands while the request is being handled, even when a
    // loaded machine is slow to get it there.
    fixture.emu.setFaults({ latencyMs: 2000 });
    const token = (await (
      await fetch(fixture.emu.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${DEFAULT_CLIENT.id}&client_secret=${SECRET}`,
      })
    ).json()) as { access_token: string };
    const gone = new AbortController();
    const request = fetch(`${fixture.emu.baseUrl}/users/bulk/sourceId`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ users: [{ source: 'ERP', sourceId: 'GONE', language: 'NL' }] }),
      signal: gone.signal,
    });
    // Abort once the emulator holds the request, not after a fixed time: under load a fixed wait
    // could abort before the request arrived, and nothing would be handled at all.
    await waitFor(() => fixture.emu.inFlight() === 1, 'the request to arrive');
    gone.abort();
    await expect(request).rejects.toThrow();
    await waitFor(() => fixture.emu.log.total > 0, 'the request to be handled');
    // Applied, as Propel would, but the client never learnt it: sending it again is no duplicate.
    expect(fixture.emu.log.entries().map((e) => e.status)).toEqual(['abandoned']);
    expect(storedUsersById(fixture.emu).has('GONE')).toBe(true);
    expect(fixture.emu.log.timesAcknowledged(userKey('GONE'))).toBe(0);
  });

  it('SIGTERM mid-run: exit 130 with status interrupted after in-flight batches settled; --resume completes with the right totals', async () => {
    // Large enough that the records read ahead into the stages' buffers are not the whole file.
    const ids = userIds(2000, 'T');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 50, concurrency: 2 },
    );
    const out = join(dir, 'out');
    fixture.emu.setFaults({ latencyMs: 200 });
    const first = startCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    await waitFor(async () => (await settledRecords(out)) >= 1, 'a checkpoint line');
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/SIGTERM: stopping reading/);
    const s1 = await summary(out);
    expect(s1.status).toBe('interrupted');
    expect(s1.exitCode).toBe(130);
    // Every batch the emulator answered was settled before the exit: nothing is left in between.
    const acknowledged = ids.filter((id) => fixture.emu.log.timesAcknowledged(userKey(id)) > 0);
    expect(acknowledged.length).toBe(s1.counts.created);
    expect(acknowledged.length).toBeLessThan(2000);
    const settled = await readNdjson(join(out, 'results.ndjson'));
    expect(settled.map((r) => r.key).sort()).toEqual(acknowledged.sort());

    fixture.emu.setFaults({});
    const second = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(second.code).toBe(0);
    const s2 = await summary(out);
    expect(s2).toMatchObject({ status: 'completed', exitCode: 0, attempt: 2 });
    expect(s2.counts).toMatchObject({ read: 2000, skippedOnResume: s1.counts.created, created: 2000, updated: 0 });
    expect(storedUsersById(fixture.emu).size).toBe(2000);
    // An interrupt settles everything in flight, so not even those batches are sent again.
    expect(fixture.emu.log.duplicates()).toEqual([]);
    expect((await readFile(join(out, 'results.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(2000);
  });

  it('SIGTERM under 1 s latency: no request starts after the signal, the rest is counted as not sent, and --resume imports it exactly once', async () => {
    const ids = userIds(3000, 'S');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 50, concurrency: 2 },
    );
    const out = join(dir, 'out');
    fixture.emu.setFaults({ latencyMs: 1000 });
    const first = startCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    // Both slots busy: the client could start another request only once one is answered, a second later.
    await waitFor(() => fixture.emu.inFlight() === 2, 'two requests in flight');
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    const log = (await (await fetch(`${fixture.emu.origin}/__emulator/log`)).json()) as {
      total: number;
      entries: { time: number; keys: string[] }[];
    };
    expect(log.entries.filter((e) => e.time > signalledAt)).toEqual([]);
    expect(log.total).toBe(2);
    const s1 = await summary(out);
    expect(s1).toMatchObject({ status: 'interrupted', exitCode: 130 });
    // The two requests in flight settled; everything else read stays unsettled, and says so.
    expect(s1.counts.created).toBe(100);
    expect(await settledRecords(out)).toBe(100);
    expect(s1.counts.unsent).toBeGreaterThan(0);
    expect(s1.counts.unsent).toBe(s1.counts.read - s1.counts.created);
    expect(stopped.stdout).toMatch(new RegExp(`not sent +${s1.counts.unsent.toLocaleString('en-US')} read but not sent`));

    fixture.emu.setFaults({});
    const second = await runCli(['run', 'users.yaml', '--out', 'out', '--resume'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(second.code).toBe(0);
    const s2 = await summary(out);
    expect(s2.counts).toMatchObject({ read: 3000, skippedOnResume: 100, created: 3000, unsent: 0 });
    expect(ids.every((id) => fixture.emu.log.timesAcknowledged(userKey(id)) === 1)).toBe(true);
    expect((await readFile(join(out, 'results.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(3000);
  });
});
