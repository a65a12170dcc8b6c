/**
 * Per-item outcomes end to end: items only the server refuses (as success:false, and as a 400
 * pointing into the request), and the later version of a key winning while the earlier is retried.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, targetEnv } from '../support/cli.js';
import { summary, userIds, userKey, usersWorkspace } from './delivery-helpers.js';
import { emulatorPerFile, storedUsersById } from '../support/emulator.js';
import { readNdjson } from '../support/files.js';

const SECRET = 'items-Secret-2323';
const fixture = emulatorPerFile(SECRET);

const ids = userIds(200, 'B');
const bad = [ids[11]!, ids[99]!, ids[187]!];

describe('delivery: a batch of 200 with 3 items only the server refuses', { timeout: 60_000 }, () => {
  it('answered success:false: exactly those 3 rejected (stage api, the server message), 197 stored', async () => {
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 200, concurrency: 1 },
    );
    fixture.emu.setFaults({ refuseItems: bad });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(1);
    // The 200 went once; only the refused items are tried again (the parents-first pass, src/deferred/).
    const [first, ...later] = fixture.emu.log.entries();
    expect(first?.keys).toHaveLength(200);
    expect(later.flatMap((e) => e.keys).every((k) => bad.map(userKey).includes(k))).toBe(true);
    const stored = storedUsersById(fixture.emu);
    expect(stored.size).toBe(197);
    for (const b of bad) expect(stored.has(b)).toBe(false);
    const rejects = await readNdjson(join(dir, 'out', 'rejects.ndjson'));
    expect(rejects.map((r) => [r.stage, (r.record as { no: string }).no]).sort()).toEqual(bad.map((b) => ['api', b]));
    expect(rejects.every((r) => /was refused by the server/.test(String(r.reason)))).toBe(true);
    const s = await summary(join(dir, 'out'));
    expect(s.counts).toMatchObject({ created: 197, failed: 3, sent: 200 });
    expect(s.counts.rejected).toMatchObject({ api: 3, total: 3 });
  });

  it('answered 400 with #/users/N pointers (the server schema refuses them): those 3 rejected, the 197 resent at once and stored', async () => {
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 200, concurrency: 1 },
    );
    fixture.emu.setFaults({ invalidItems: bad });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(1);
    const entries = fixture.emu.log.entries();
    expect(entries.map((e) => [e.status, e.keys.length])).toEqual([
      [400, 200],
      [200, 197],
    ]);
    const stored = storedUsersById(fixture.emu);
    expect(stored.size).toBe(197);
    for (const b of bad) expect(stored.has(b)).toBe(false);
    const rejects = await readNdjson(join(dir, 'out', 'rejects.ndjson'));
    expect(rejects.map((r) => [r.stage, (r.record as { no: string }).no, r.reason]).sort()).toEqual(
      bad.map((b) => ['api', b, `sourceId: [${b}] is not a valid value`]),
    );
    expect((await summary(join(dir, 'out'))).counts.created).toBe(197);
  });
});

describe('delivery: a 400 that points at no item', { timeout: 60_000 }, () => {
  it('the batch is split until the 2 culprits are alone: those rejected with the server message, the 198 stored once each, in a bounded number of requests', async () => {
    const opaque = [ids[11]!, ids[150]!];
    const dir = await usersWorkspace(
      ids.map((no) => ({ no })),
      { batchSize: 200, concurrency: 1 },
    );
    fixture.emu.setFaults({ opaqueItems: opaque });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(1);
    const stored = storedUsersById(fixture.emu);
    expect(stored.size).toBe(198);
    for (const o of opaque) expect(stored.has(o)).toBe(false);
    expect(fixture.emu.log.duplicates()).toEqual([]);
    const rejects = await readNdjson(join(dir, 'out', 'rejects.ndjson'));
    expect(rejects.map((r) => [r.stage, (r.record as { no: string }).no, r.reason]).sort()).toEqual(
      opaque.map((o) => ['api', o, 'The request violates a server rule for users.']),
    );
    // Halving: each culprit costs at most two requests per level of a 200-item batch, plus the first.
    const entries = fixture.emu.log.entries();
    expect(entries[0]).toMatchObject({ status: 400 });
    expect(entries.length).toBeLessThanOrEqual(1 + 2 * opaque.length * Math.ceil(Math.log2(200)));
    expect(entries.filter((e) => e.status === 200).reduce((n, e) => n + e.keys.length, 0)).toBe(198);
    expect((await summary(join(dir, 'out'))).counts).toMatchObject({ created: 198, sent: 200, rejected: { api: 2, total: 2 } });
  });
});

describe('delivery: no overtaking', { timeout: 60_000 }, () => {
  it('the same key in two batches in flight at once, the first 429d: the store holds the later; unrelated batches go ahead', async () => {
    // Batches of 2: [A v1, B] [A v2, C] [D, E]; the batcher closes a batch at a repeated key anyway.
    const rows = [{ no: 'A', first: 'v1' }, { no: 'B' }, { no: 'A', first: 'v2' }, { no: 'C' }, { no: 'D' }, { no: 'E' }];
    const dir = await usersWorkspace(rows, { batchSize: 2, concurrency: 3 });
    fixture.emu.setFaults({ failNext: { count: 1, status: 429, retryAfter: 1 } });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(0);
    expect(storedUsersById(fixture.emu).get('A')?.firstName).toBe('v2');
    const order = fixture.emu.log.entries().map((e) => [e.status, e.keys.map((k) => (JSON.parse(k) as string[])[1]).join('')]);
    expect(order[0]).toEqual([429, 'AB']);
    // [D,E] shares no key and is not held back; [A v2, C] waits until [A v1, B] was applied.
    expect(order.findIndex((o) => o[1] === 'DE')).toBeLessThan(order.findIndex((o) => o[0] === 200 && o[1] === 'AB'));
    expect(order.findIndex((o) => o[1] === 'AC')).toBeGreaterThan(order.findIndex((o) => o[0] === 200 && o[1] === 'AB'));
    expect(fixture.emu.log.timesAcknowledged(userKey('A'))).toBe(2);
  });
});

describe("delivery: an answer whose items come in another order than the request's", { timeout: 60_000 }, () => {
  it('pairs every result with its own record by key (not by position), refused items included', async () => {
    const rows = userIds(120, 'R');
    const refused = [rows[5]!, rows[77]!];
    const dir = await usersWorkspace(
      rows.map((no) => ({ no })),
      { batchSize: 60, concurrency: 1 },
    );
    fixture.emu.setFaults({ reverseResults: true, refuseItems: refused });
    const run = await runCli(['run', 'users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fixture.emu, SECRET) });
    expect(run.code).toBe(1);
    const ids = new Map(fixture.emu.store.users().map((u) => [String(u.item.sourceId), u.id]));
    const results = await readNdjson(join(dir, 'out', 'results.ndjson'));
    // The main pass answers every row once; the refused are tried again in the deferred pass.
    expect(results.filter((r) => r.success === true)).toHaveLength(118);
    for (const r of results) {
      // users.ndjson holds row n on line n: a result names the line its key was read from.
      expect(r.key).toBe(rows[(r.line as number) - 1]);
      if (r.success === true) expect(r.id).toBe(ids.get(r.key as string));
      else expect(refused).toContain(r.key);
    }
    const rejects = await readNdjson(join(dir, 'out', 'rejects.ndjson'));
    expect(rejects.map((r) => (r.record as { no: string }).no).sort()).toEqual(refused);
    expect(rejects.every((r) => r.stage === 'api' && /was refused by the server/.test(String(r.reason)))).toBe(true);
  });
});
