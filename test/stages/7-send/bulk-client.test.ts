import { describe, expect, it } from 'vitest';
import { AuthError, TransportError } from '../../../src/core/errors.js';
import type { Outcome, RejectEvent, ResultEvent } from '../../../src/core/record.js';
import type { BulkClient, BulkClientOptions } from '../../../src/stages/7-send/bulk-client.js';
import type { SendEvent } from '../../../src/stages/7-send/send-event.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { bulkClient, json, okAnswer, SECRET, sentUsers, serversPerTest, testAgent, userBatch, type TestServer } from './harness.js';

const agent = testAgent();
const { propel } = serversPerTest();

function client(s: TestServer, extra: Partial<BulkClientOptions> = {}, events: SendEvent[] = []): BulkClient {
  return bulkClient(s, agent, { onEvent: (e) => events.push(e), ...extra });
}

const results = (o: Outcome[]): ResultEvent[] => o.filter((x): x is ResultEvent => x.kind === 'result');
const rejects = (o: Outcome[]): RejectEvent[] => o.filter((x): x is RejectEvent => x.kind === 'reject');

describe('BulkClient: an answer too large to hold (issue 25)', () => {
  it('an answer past send.maxAnswerSize stops the run naming the cap, declared or streamed, before it is held', async () => {
    const huge = JSON.stringify({ data: 'x'.repeat(256 * 1024) });
    for (const declared of [true, false]) {
      const { server: s } = await propel((_req, res) => {
        res.writeHead(
          200,
          declared ? { 'content-type': 'application/json', 'content-length': String(huge.length) } : { 'content-type': 'application/json' },
        );
        res.end(huge);
      });
      const e = await client(s, { send: { maxRetries: 0, timeoutMs: 5000, maxAnswerBytes: 64 * 1024 } })
        .sendBatch(userBatch(3, [1, 2]))
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TransportError);
      expect((e as TransportError).describe()).toMatch(
        /^batch 3: the API answered more than 65536 bytes \(send\.maxAnswerSize\); a bulk answer of 2 items is far smaller: is the base URL right\?$/,
      );
    }
  });
});

describe('BulkClient: answers', () => {
  it('sends the pre-serialised items with a Bearer token and directives, and maps results to records', async () => {
    const { server: s, bulkCalls } = await propel((req, res) => json(res, 200, okAnswer(sentUsers(req))));
    const directives = [{ operation: 'skipIfNotEmpty', fields: ['email'] }];
    const batch = userBatch(7, [1, 2, 3]);
    const out = await client(s, { directives }).sendBatch(batch);
    const call = bulkCalls()[0]!;
    expect(call.headers.authorization).toBe('Bearer tok-1');
    expect(call.text).toBe(
      `{"users":[${batch.records.map((r) => JSON.stringify(r.item)).join(',')}],"directives":${JSON.stringify(directives)}}`,
    );
    expect(results(out).map((r) => [r.key, r.action, r.id, r.success, r.batch, r.prov.line])).toEqual([
      ['1', 'create', 1000, true, 7, 2],
      ['2', 'create', 1001, true, 7, 3],
      ['3', 'create', 1002, true, 7, 4],
    ]);
    expect(rejects(out)).toEqual([]);
  });

  it('matches by key when the answer is out of order; success:false -> result and reject; missing -> reject', async () => {
    const { server: s } = await propel((_req, res) =>
      json(res, 200, {
        data: [
          { action: 'update', id: 12, key: 3, lookupKey: 'sourceId', success: true },
          { action: 'create', error: 'Parent usergroup [9] not found', key: '1', lookupKey: 'sourceId', success: false },
        ],
      }),
    );
    const batch = userBatch(1, [1, 2, 3]);
    const out = await client(s).sendBatch(batch);
    const res = results(out);
    expect(res.map((r) => [r.prov.line, r.success, r.error])).toEqual([
      [2, false, 'Parent usergroup [9] not found'],
      [4, true, undefined],
    ]);
    expect(rejects(out).map((r) => [r.prov.line, r.stage, r.reason, r.record])).toEqual([
      [2, 'api', 'Parent usergroup [9] not found', { customer_no: '1' }],
      [3, 'api', "no result for this item in the API's answer", { customer_no: '2' }],
    ]);
  });

  it('404 is not retried: TransportError with status and the API message', async () => {
    const { server: s, bulkCalls } = await propel((_req, res) =>
      json(res, 404, { error: { code: 10008, messages: ['Resource not found'] } }),
    );
    const err = await client(s)
      .sendBatch(userBatch(4, [1]))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    const e = err as TransportError;
    expect(e.code).toBe('ETL_TARGET_FAILED');
    expect(e.context).toMatchObject({ batch: 4, status: 404 });
    expect(e.message).toContain('Resource not found');
    expect(bulkCalls()).toHaveLength(1);
  });

  it('a 200 without a result list stops with TransportError rather than guessing', async () => {
    const { server: s } = await propel((_req, res) => json(res, 200, { messages: ['Completed'] }));
    await expect(client(s).sendBatch(userBatch(1, [1]))).rejects.toBeInstanceOf(TransportError);
  });
});

describe('BulkClient: auth', () => {
  it('401 -> invalidates, renews once and resends', async () => {
    const { server: s, bulkCalls } = await propel((req, res, n) =>
      n === 1 ? json(res, 401, {}) : json(res, 200, okAnswer(sentUsers(req))),
    );
    const events: SendEvent[] = [];
    const out = await client(s, {}, events).sendBatch(userBatch(1, [1, 2]));
    expect(results(out)).toHaveLength(2);
    expect(bulkCalls().map((c) => c.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(events.filter((e) => e.type === 'token')).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain('tok-');
  });

  it('a second consecutive 401 -> AuthError without token or secret', async () => {
    const { server: s, bulkCalls } = await propel((_req, res) => json(res, 401, {}));
    const err = (await client(s)
      .sendBatch(userBatch(1, [1]))
      .catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/^authentication refused/);
    expect(err.context.status).toBe(401);
    expect(bulkCalls()).toHaveLength(2);
    const text = [err.message, err.stack ?? '', JSON.stringify(err)].join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('tok-');
  });
});

describe('BulkClient: retries', () => {
  it('429 with Retry-After: 1 is not retried sooner', async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const at: number[] = [];
    const { server: s } = await propel((req, res, n) => {
      at.push(clock.now());
      return n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, okAnswer(sentUsers(req)));
    });
    const events: SendEvent[] = [];
    const out = await client(s, { clock }, events).sendBatch(userBatch(1, [1]));
    expect(results(out)).toHaveLength(1);
    // The backoff alone would be at most 20 ms; the server asked for 1 s.
    expect(at[1]! - at[0]!).toBe(1000);
    expect(clock.slept).toEqual([1000]);
    expect(events.filter((e) => e.type === 'retry')).toEqual([{ type: 'retry', batch: 1, attempt: 1, delayMs: 1000, reason: 'HTTP 429' }]);
  });

  it('a Retry-After given as an HTTP date is read against the clock', async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const { server: s } = await propel((req, res, n) =>
      n === 1
        ? json(res, 503, {}, { 'retry-after': new Date(clock.now() + 7000).toUTCString() })
        : json(res, 200, okAnswer(sentUsers(req))),
    );
    const out = await client(s, { clock }).sendBatch(userBatch(1, [1]));
    expect(results(out)).toHaveLength(1);
    expect(clock.slept).toEqual([7000]);
  });

  it('a Retry-After over 5 minutes ends with TransportError instead of hanging', async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const { server: s, bulkCalls } = await propel((_req, res) => json(res, 429, {}, { 'retry-after': '301' }));
    const err = (await client(s, { clock })
      .sendBatch(userBatch(3, [1]))
      .catch((e: unknown) => e)) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toBe('the API asked to wait 301 s before retrying, longer than the 300 s allowed');
    expect(err.context).toMatchObject({ batch: 3, status: 429 });
    expect(bulkCalls()).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('503, a destroyed socket and a timeout are retried and then succeed', async () => {
    const { server: s, bulkCalls } = await propel(async (req, res, n) => {
      if (n === 1) return json(res, 503, { error: { messages: ['down for deploy'] } });
      if (n === 2) return void res.socket?.destroy();
      if (n === 3) return; // never answers: the client's timeout must fire
      json(res, 200, okAnswer(sentUsers(req)));
    });
    const events: SendEvent[] = [];
    const out = await client(s, { send: { maxRetries: 3, timeoutMs: 300 } }, events).sendBatch(userBatch(2, [1, 2]));
    expect(results(out)).toHaveLength(2);
    expect(bulkCalls()).toHaveLength(4);
    const reasons = events.flatMap((e) => (e.type === 'retry' ? [e.reason] : []));
    expect(reasons[0]).toBe('HTTP 503');
    expect(reasons[1]).toMatch(/SOCKET|RESET|CLOSED/i);
    expect(reasons[2]).toBe('timeout');
  });

  it('retries exhausted -> TransportError with batch, status and url, after exponential waits', async () => {
    const { server: s, bulkCalls } = await propel((_req, res) => json(res, 502, {}));
    const clock = new VirtualClock({ autoAdvance: true });
    const err = (await client(s, { send: { maxRetries: 2, timeoutMs: 1000 }, clock, retry: { baseMs: 100, capMs: 150, random: () => 0.9 } })
      .sendBatch(userBatch(9, [1]))
      .catch((e: unknown) => e)) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('ETL_TARGET_FAILED');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('gave up after 2 retries (last: HTTP 502)');
    expect(err.context).toMatchObject({ batch: 9, status: 502, url: `${s.origin}/v2/users/bulk/sourceId` });
    expect(bulkCalls()).toHaveLength(3);
    // 0.9 of the ceiling: 100 ms, then 200 ms capped at 150.
    expect(clock.slept).toEqual([90, 135]);
  });

  it.each([500, 502, 503, 504])('%i is retried with backoff, then succeeds', async (status) => {
    const { server: s, bulkCalls } = await propel((req, res, n) =>
      n === 1 ? json(res, status, { error: { messages: ['boom'] } }) : json(res, 200, okAnswer(sentUsers(req))),
    );
    const events: SendEvent[] = [];
    const clock = new VirtualClock({ autoAdvance: true });
    const out = await client(s, { clock, retry: { baseMs: 100, capMs: 1000, random: () => 0.5 } }, events).sendBatch(userBatch(1, [1, 2]));
    expect(results(out)).toHaveLength(2);
    expect(bulkCalls()).toHaveLength(2);
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', batch: 1, attempt: 1, delayMs: 50, reason: `HTTP ${status}` },
    ]);
    expect(clock.slept).toEqual([50]);
  });

  it('500 past maxRetries -> TransportError; 501 is not retried', async () => {
    const { server: s, bulkCalls } = await propel((_req, res, n) => json(res, n <= 3 ? 500 : 501, { error: { messages: ['boom'] } }));
    const err = (await client(s, { send: { maxRetries: 2, timeoutMs: 1000 } })
      .sendBatch(userBatch(1, [1]))
      .catch((e: unknown) => e)) as TransportError;
    expect(err.message).toBe('gave up after 2 retries (last: HTTP 500)');
    expect(err.context).toMatchObject({ status: 500 });
    expect(bulkCalls()).toHaveLength(3);
    await expect(client(s).sendBatch(userBatch(2, [1]))).rejects.toMatchObject({
      message: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\S*bulk\S* answered HTTP 501: boom$/) as unknown,
      context: { status: 501 },
    });
    expect(bulkCalls()).toHaveLength(4);
  });
});

describe('BulkClient: isolating bad items', () => {
  it('a 400 pointing at 3 of 200 items rejects exactly those and resends the 197 once', async () => {
    const bad = new Set(['17', '100', '199']);
    const { server: s, bulkCalls } = await propel((req, res) => {
      const users = sentUsers(req);
      const messages = users.flatMap((u, i) =>
        bad.has(String(u.sourceId))
          ? [`#/users/${i}/email: string [x] is not a valid email`, `#/users/${i}: extraneous key [foo] is not permitted`]
          : [],
      );
      if (messages.length > 0) return json(res, 400, { error: { code: 10007, status: 400, type: 'SchemaValidationException', messages } });
      json(res, 200, okAnswer(users));
    });
    const ids = Array.from({ length: 200 }, (_, i) => i);
    const out = await client(s).sendBatch(userBatch(1, ids));
    expect(bulkCalls()).toHaveLength(2);
    expect(sentUsers(bulkCalls()[1]!)).toHaveLength(197);
    expect(results(out)).toHaveLength(197);
    const rj = rejects(out);
    expect(rj.map((r) => r.record)).toEqual([{ customer_no: '17' }, { customer_no: '100' }, { customer_no: '199' }]);
    expect(rj[0]!.reason).toBe('email: string [x] is not a valid email; extraneous key [foo] is not permitted');
    expect(rj.every((r) => r.stage === 'api')).toBe(true);
    // Every record accounted for exactly once.
    const lines = [...results(out), ...rj].map((o) => o.prov.line).sort((a, b) => a - b);
    expect(lines).toEqual(ids.map((i) => i + 2));
  });

  it('a 400 pointing at nothing is bisected: 1 bad in 16 found within 2*log2(16)+1 extra requests', async () => {
    const { server: s, bulkCalls } = await propel((req, res) => {
      const users = sentUsers(req);
      if (users.some((u) => u.sourceId === '11'))
        return json(res, 400, { error: { code: 10017, status: 400, messages: ['Payload validation failed'] } });
      json(res, 200, okAnswer(users));
    });
    const out = await client(s).sendBatch(
      userBatch(
        1,
        Array.from({ length: 16 }, (_, i) => i),
      ),
    );
    expect(bulkCalls().length - 1).toBeLessThanOrEqual(2 * Math.log2(16) + 1);
    expect(results(out)).toHaveLength(15);
    expect(rejects(out)).toEqual([
      expect.objectContaining({ stage: 'api', reason: 'Payload validation failed', record: { customer_no: '11' } }),
    ]);
    // Each good item stored exactly once across all the halves.
    const stored = bulkCalls()
      .flatMap((c, i) => (i === 0 ? [] : sentUsers(c)))
      .map((u) => u.sourceId);
    expect(new Set(stored).size).toBe(16);
  });
});
