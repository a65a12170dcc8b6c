import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { bearer, emulatorWithToken, postBulk } from './helpers.js';

const fx = emulatorWithToken();

const send = (sourceId = 'A', signal?: AbortSignal) =>
  postBulk(fx.emu, '/users/bulk/sourceId', { users: [{ source: 'ERP', sourceId }] }, fx.auth, signal);

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('faults', () => {
  it('latencyMs delays every bulk answer', async () => {
    fx.emu.setFaults({ latencyMs: 150 });
    const start = performance.now();
    expect((await send()).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
  });

  it('failNext answers the next N bulk requests with the status and Retry-After, then recovers', async () => {
    fx.emu.setFaults({ failNext: { count: 2, status: 429, retryAfter: 2 } });
    for (let i = 0; i < 2; i++) {
      const answer = await send();
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('2');
    }
    expect((await send()).status).toBe(200);
    fx.emu.setFaults({ failNext: { count: 1, status: 503 } });
    const unavailable = await send();
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBeNull();
    expect(unavailable.body.error.status).toBe(503);
    expect(fx.emu.log.countByStatus(429)).toBe(2);
    expect(fx.emu.log.timesAcknowledged(JSON.stringify(['ERP', 'A', null]))).toBe(1);
  });

  it('a request whose client went away counts as in flight until it has been handled and logged', async () => {
    fx.emu.setFaults({ latencyMs: 300 });
    const gone = new AbortController();
    const request = send('GONE', gone.signal);
    await until(() => fx.emu.inFlight() === 1);
    gone.abort();
    await expect(request).rejects.toThrow();
    // The connection is closed at once; the request is still being delayed, then applied.
    await until(() => fx.emu.inFlight() === 0);
    expect(fx.emu.log.entries().map((e) => e.status)).toEqual(['abandoned']);
    expect(fx.emu.store.users()).toHaveLength(1);
  });

  it('dropNext destroys the connection without an answer and stores nothing', async () => {
    fx.emu.setFaults({ dropNext: 1 });
    await expect(send('D')).rejects.toThrow();
    expect(fx.emu.store.users()).toEqual([]);
    expect(fx.emu.log.entries().map((e) => e.status)).toEqual(['dropped']);
    expect((await send('D')).status).toBe(200);
  });

  it('hangNext never answers, so the client times out; the next request is served', async () => {
    fx.emu.setFaults({ hangNext: 1 });
    await expect(send('H', AbortSignal.timeout(200))).rejects.toThrow();
    expect(fx.emu.log.entries().map((e) => e.status)).toEqual(['hung']);
    expect((await send('H')).status).toBe(200);
  });

  it('capacity answers 429 with Retry-After: 1 beyond k requests in flight', async () => {
    fx.emu.setFaults({ capacity: 1, latencyMs: 200 });
    const answers = await Promise.all(['1', '2', '3'].map((id) => send(id)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 429, 429]);
    for (const a of answers.filter((x) => x.status === 429)) expect(a.headers.get('retry-after')).toBe('1');
    // Once the first has finished, capacity is free again.
    expect((await send('4')).status).toBe(200);
  });

  it('refuseItems answers those items success:false and does not store them', async () => {
    fx.emu.setFaults({ refuseItems: ['B', '2'] });
    const answer = await postBulk(
      fx.emu,
      '/users/bulk/sourceId',
      {
        users: [
          { source: 'ERP', sourceId: 'A' },
          { source: 'ERP', sourceId: 'B' },
        ],
      },
      fx.auth,
    );
    expect(answer.body.data.map((r: { success: boolean }) => r.success)).toEqual([true, false]);
    expect(answer.body.data[1]).toMatchObject({ action: 'create', key: 'B', error: expect.any(String) });
    const groups = await postBulk(fx.emu, '/usergroups/bulk/id', { usergroups: [{ id: 1 }, { id: 2 }] }, fx.auth);
    expect(groups.body.data.map((r: { success: boolean }) => r.success)).toEqual([true, false]);
    expect(fx.emu.store.users().map((u) => u.item.sourceId)).toEqual(['A']);
    expect(fx.emu.store.usergroups().map((g) => g.id)).toEqual([1]);
  });

  it('reverseResults answers the result items in reverse order, each still with its own key', async () => {
    fx.emu.setFaults({ reverseResults: true });
    const answer = await postBulk(
      fx.emu,
      '/users/bulk/sourceId',
      { users: ['A', 'B', 'C'].map((sourceId) => ({ source: 'ERP', sourceId })) },
      fx.auth,
    );
    expect(answer.body.data.map((r: { key: string }) => r.key)).toEqual(['C', 'B', 'A']);
    expect(fx.emu.store.users().map((u) => u.item.sourceId)).toEqual(['A', 'B', 'C']);
  });

  it('opaqueItems refuses any request holding them with a 400 whose message points at no item, and stores nothing', async () => {
    fx.emu.setFaults({ opaqueItems: ['B'] });
    const answer = await postBulk(
      fx.emu,
      '/users/bulk/sourceId',
      {
        users: [
          { source: 'ERP', sourceId: 'A' },
          { source: 'ERP', sourceId: 'B' },
        ],
      },
      fx.auth,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 10007, messages: ['The request violates a server rule for users.'] });
    expect(answer.body.error.messages.some((m: string) => m.includes('#/'))).toBe(false);
    expect(fx.emu.store.users()).toEqual([]);
    expect((await send('A')).status).toBe(200);
  });

  it('faults can be set at start', async () => {
    const other = await startEmulator({ faults: { failNext: { count: 1, status: 503 } } });
    try {
      const answer = await postBulk(other, '/users/bulk/sourceId', { users: [] }, await bearer(other));
      expect(answer.status).toBe(503);
    } finally {
      await other.close();
    }
  });
});

describe('HTTP control and read-back routes', () => {
  const control = (path: string, init?: RequestInit) => fetch(`${fx.emu.origin}/__emulator${path}`, init);

  it('POST /__emulator/faults sets faults; a malformed fault set is refused with a reason', async () => {
    const ok = await control('/faults', { method: 'POST', body: JSON.stringify({ failNext: { count: 1, status: 503 } }) });
    expect(ok.status).toBe(200);
    expect((await send()).status).toBe(503);
    const bad = await control('/faults', { method: 'POST', body: JSON.stringify({ failNext: { count: 1, status: 'x' } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { messages: string[] } }).error.messages).toEqual([
      'failNext.status: must be an integer (got string "x")',
    ]);
    const unknown = await control('/faults', { method: 'POST', body: JSON.stringify({ explode: true }) });
    expect(unknown.status).toBe(400);
  });

  it('GET store/log routes read back; POST reset clears store, log and faults', async () => {
    await send('A');
    await send('A');
    await postBulk(
      fx.emu,
      '/usergroups/bulk/id',
      { usergroups: [{ id: 5, name: 'G' }], directives: [{ operation: 'skipMoveOnUpdate', fields: [] }] },
      fx.auth,
    );
    const stored = (await (await control('/store/users')).json()) as unknown[];
    expect(stored).toEqual([{ id: expect.any(Number), item: { source: 'ERP', sourceId: 'A' } }]);
    expect(await (await control('/store/usergroups')).json()).toEqual([{ id: 5, item: { id: 5, name: 'G' } }]);
    const log = (await (await control('/log')).json()) as Record<string, unknown>;
    const userKey = JSON.stringify(['ERP', 'A', null]);
    expect(log).toMatchObject({ total: 3, byStatus: { 200: 3 }, acknowledged: { [userKey]: 2, '5': 1 } });
    expect((log.entries as { path: string; directives: unknown[] }[]).map((e) => [e.path, e.directives.length])).toEqual([
      ['/v2/users/bulk/sourceId', 0],
      ['/v2/users/bulk/sourceId', 0],
      ['/v2/usergroups/bulk/id', 1],
    ]);
    expect(fx.emu.log.duplicates()).toEqual([userKey]);

    fx.emu.setFaults({ failNext: { count: 5, status: 503 } });
    expect((await control('/reset', { method: 'POST' })).status).toBe(200);
    expect(fx.emu.store.users()).toEqual([]);
    expect(fx.emu.log.total).toBe(0);
    expect((await send()).status).toBe(200);
  });

  it('answers anything else with 404 code 10008', async () => {
    for (const [method, path] of [
      ['GET', '/v2/users/bulk/sourceId'],
      ['POST', '/v2/users/bulk/id'],
      ['GET', '/'],
    ]) {
      const res = await fetch(`${fx.emu.origin}${path}`, { method });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: number; type: string } }).error).toMatchObject({ code: 10008, type: 'NotFound' });
    }
  });
});

describe('closing', () => {
  it('closes promptly with a hung request and a keep-alive connection open', async () => {
    const other = await startEmulator();
    const token = await bearer(other);
    // Leaves an idle keep-alive connection in the client's pool.
    expect((await postBulk(other, '/usergroups/bulk/id', { usergroups: [] }, token)).status).toBe(200);
    other.setFaults({ hangNext: 1 });
    const hung = postBulk(other, '/users/bulk/sourceId', { users: [] }, token);
    hung.catch(() => undefined);
    await until(() => other.log.countByStatus('hung') === 1);
    const start = performance.now();
    await other.close();
    expect(performance.now() - start).toBeLessThan(1000);
    await expect(hung).rejects.toThrow();
    await expect(fetch(other.tokenUrl, { method: 'POST' })).rejects.toThrow();
  });

  it('answers 413 to a body over maxBodyBytes', async () => {
    const other = await startEmulator({ maxBodyBytes: 1024 });
    try {
      const answer = await postBulk(
        other,
        '/users/bulk/sourceId',
        { users: [{ source: 'ERP', sourceId: 'x'.repeat(2000) }] },
        await bearer(other),
      );
      expect(answer.status).toBe(413);
    } finally {
      await other.close();
    }
  });
});
