import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../../src/core/errors.js';
import type { Batch, Outcome, RejectEvent } from '../../../src/core/record.js';
import type { BulkClient, BulkClientOptions } from '../../../src/stages/7-send/bulk-client.js';
import { RateLimiter } from '../../../src/stages/7-send/rate-limiter.js';
import type { SendEvent } from '../../../src/stages/7-send/send-event.js';
import { createSendStream } from '../../../src/stages/7-send/send-stream.js';
import {
  bulkClient,
  delay,
  json,
  okAnswer,
  sentUsers,
  serversPerTest,
  testAgent,
  tokenAnswer,
  userBatch,
  type BulkHandler,
  type Seen,
  type TestServer,
} from './harness.js';

const agent = testAgent();
const servers = serversPerTest();
/** The Propel stand-in's server (the tests here read every request it saw). */
const propel = async (bulk: BulkHandler): Promise<TestServer> => (await servers.propel(bulk)).server;

const client = (s: TestServer, extra: Partial<BulkClientOptions> = {}): BulkClient => bulkClient(s, agent, extra);

/**
 * A Propel that refuses the batch of user `bad` (404) at once and holds every other batch until
 * the client has that refusal: the others are in flight when the failure comes, whatever the
 * machine's load (a fixed delay let a loaded machine answer one first, freeing a slot for a
 * batch that should never have been sent).
 */
async function heldUntilRefused(): Promise<{ s: TestServer; onEvent: (e: SendEvent) => void }> {
  let refused = (): void => undefined;
  const answered = new Promise<void>((resolve) => (refused = resolve));
  const s = await propel(async (req, res) => {
    const users = sentUsers(req);
    if (users[0]!.sourceId === 'bad') return json(res, 404, { error: { messages: ['gone'] } });
    await answered;
    json(res, 200, okAnswer(users));
  });
  return { s, onEvent: (e) => e.type === 'request' && e.status === 404 && refused() };
}

async function run(
  input: (Batch | RejectEvent)[],
  c: { sendBatch(b: Batch): Promise<Outcome[]> },
  concurrency: number,
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  await pipeline(
    Readable.from(input),
    createSendStream(c, { concurrency }),
    new Writable({
      objectMode: true,
      write(o: Outcome, _e, cb) {
        out.push(o);
        cb();
      },
    }),
  );
  return out;
}

const bulkOnly = (s: TestServer): Seen[] => s.seen.filter((r) => r.url.startsWith('/v2/'));

/**
 * A rate limiter on virtual time: the clock moves only when a test moves it, and each request
 * leaves at the slot the limiter books for it (acquire() is that booking, then a sleep until the
 * slot), so the spacing is asserted exactly instead of measured on the real clock.
 */
function virtualLimiter(rate: number): { clock: { now: number }; slots: number[]; limiter: Pick<RateLimiter, 'acquire'> } {
  const clock = { now: 0 };
  const slots: number[] = [];
  const limiter = new RateLimiter({ rate, now: () => clock.now });
  return {
    clock,
    slots,
    limiter: {
      acquire: async () => {
        slots.push(clock.now + limiter.reserve());
      },
    },
  };
}

describe('createSendStream', () => {
  it('keeps at most `concurrency` requests in flight and passes rejects through', async () => {
    const s = await propel(async (req, res) => {
      await delay(60);
      json(res, 200, okAnswer(sentUsers(req)));
    });
    const batches = Array.from({ length: 8 }, (_, i) => userBatch(i + 1, [`${i}-a`, `${i}-b`]));
    const rej: RejectEvent = {
      kind: 'reject',
      prov: { file: 'users.csv', line: 99, seq: 99 },
      stage: 'validate',
      reason: 'bad',
      record: {},
    };
    const out = await run([...batches.slice(0, 4), rej, ...batches.slice(4)], client(s), 3);
    expect(s.load.max).toBe(3);
    expect(out.filter((o) => o.kind === 'result')).toHaveLength(16);
    expect(out.filter((o) => o.kind === 'reject')).toEqual([rej]);
  });

  it('holds input while every slot is busy (backpressure)', async () => {
    let inFlight = 0;
    let max = 0;
    let pulled = 0;
    // The API answers nothing until the test has looked; then everything at once.
    let answer = (): void => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let full = (): void => undefined;
    const slotsFull = new Promise<void>((resolve) => (full = resolve));
    const slow = {
      async sendBatch(_b: Batch): Promise<Outcome[]> {
        inFlight++;
        max = Math.max(max, inFlight);
        if (inFlight === 2) full();
        await answered;
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return [];
      },
    };
    const source = Readable.from(
      (function* () {
        for (let i = 1; i <= 20; i++) {
          pulled++;
          yield userBatch(i, [i]);
        }
      })(),
      { highWaterMark: 1 },
    );
    const stream = createSendStream(slow, { concurrency: 2 });
    source.pipe(stream);
    stream.resume();
    await slotsFull;
    // Every slot busy; give the streams turns of the event loop to pull whatever they would.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    // 2 in flight, plus at most a couple buffered between the stages: not the whole input.
    expect(pulled).toBeLessThan(8);
    answer();
    await new Promise((r) => stream.on('end', r));
    expect(max).toBe(2);
    expect(pulled).toBe(20);
  });

  it('respects the rate limit shared by all requests', async () => {
    const s = await propel((req, res) => json(res, 200, okAnswer(sentUsers(req))));
    const v = virtualLimiter(20);
    await run(
      Array.from({ length: 6 }, (_, i) => userBatch(i + 1, [i])),
      client(s, { limiter: v.limiter }),
      4,
    );
    // 6 requests at 20/s, 4 allowed in flight: one every 50 ms all the same.
    expect(v.slots).toEqual([0, 50, 100, 150, 200, 250]);
    expect(bulkOnly(s)).toHaveLength(6);
  });

  it('the rate holds from the first request, also when the token is slow to come', async () => {
    const v = virtualLimiter(20);
    const s = await servers.start(async (req, res) => {
      if (req.url === '/oauth2/token') {
        v.clock.now += 250;
        return tokenAnswer(res, 1);
      }
      json(res, 200, okAnswer(sentUsers(req)));
    });
    await run(
      Array.from({ length: 4 }, (_, i) => userBatch(i + 1, [i])),
      client(s, { limiter: v.limiter }),
      4,
    );
    // 20/s: 50 ms apart from when the token came. Slots booked while waiting for the token
    // (0, 50, 100, 150) would all be due by then, and the four requests would leave together.
    expect(v.slots).toEqual([250, 300, 350, 400]);
    expect(bulkOnly(s)).toHaveLength(4);
  });

  it('no overtaking: a later version waits for the earlier one, also while that is retried', async () => {
    const store = new Map<string, unknown>();
    const s = await propel(async (req, res, n) => {
      const users = sentUsers(req);
      if (n === 1) return json(res, 429, {}, { 'retry-after': '0' });
      for (const u of users) store.set(String(u.sourceId), u.email);
      json(res, 200, okAnswer(users));
    });
    const b1 = userBatch(1, ['A', 'B'], () => ({ email: 'v1@x.nl' }));
    const b2 = userBatch(2, ['C', 'A'], () => ({ email: 'v2@x.nl' }));
    const b3 = userBatch(3, ['D'], () => ({ email: 'v3@x.nl' }));
    const out = await run([b1, b2, b3], client(s), 3);
    expect(store.get('A')).toBe('v2@x.nl');
    const order = bulkOnly(s).map((r) =>
      sentUsers(r)
        .map((u) => u.sourceId)
        .join(','),
    );
    // Batch 1 429'd, then retried; batch 2 only after batch 1 settled; batch 3 was free to go.
    expect(order.indexOf('C,A')).toBeGreaterThan(order.lastIndexOf('A,B'));
    expect(order.indexOf('D')).toBeLessThan(order.lastIndexOf('A,B'));
    expect(out.filter((o) => o.kind === 'result')).toHaveLength(5);
  });

  it('a fatal error: stops accepting, settles the others and pushes their outcomes, then fails', async () => {
    const { s, onEvent } = await heldUntilRefused();
    const out: Outcome[] = [];
    const input = [
      userBatch(1, ['a', 'a2', 'a3']),
      userBatch(2, ['bad']),
      userBatch(3, ['c', 'c2', 'c3']),
      userBatch(4, ['d']),
      userBatch(5, ['e']),
    ];
    const p = pipeline(
      Readable.from(input),
      createSendStream(client(s, { onEvent }), { concurrency: 3 }),
      // A slow sink: outcomes are still buffered in the stage when the failure is raised, and must not be lost.
      new Writable({
        objectMode: true,
        highWaterMark: 1,
        write(o: Outcome, _e, cb) {
          out.push(o);
          setTimeout(cb, 15);
        },
      }),
    );
    await expect(p).rejects.toBeInstanceOf(TransportError);
    expect(out.map((o) => (o.kind === 'result' ? o.batch : -1)).sort()).toEqual([1, 1, 1, 3, 3, 3]);
    const sent = bulkOnly(s).map((r) => sentUsers(r)[0]!.sourceId);
    expect(sent).not.toContain('d');
    expect(sent).not.toContain('e');
    // The others were still in flight when the error came, and settled before the stream failed.
    expect(s.load.current).toBe(0);
  });

  it('input arriving after a failure is not sent and does not cut short the batches in flight', async () => {
    const s = await propel(async (req, res) => {
      const users = sentUsers(req);
      if (users[0]!.sourceId === 'bad') return json(res, 503, {});
      await delay(150);
      json(res, 200, okAnswer(users));
    });
    const out: Outcome[] = [];
    // The late batch comes once the client has the 503 (and every reaction to it queued before a
    // macrotask has run), while batch 1 is still held by the server: on no clock, so load cannot reorder it.
    let refused = (): void => undefined;
    const answered = new Promise<void>((resolve) => (refused = resolve));
    async function* input(): AsyncGenerator<Batch> {
      yield userBatch(1, ['a']);
      yield userBatch(2, ['bad']);
      await answered;
      await new Promise((resolve) => setImmediate(resolve));
      yield userBatch(3, ['late']);
    }
    const onEvent = (e: SendEvent): void => {
      if (e.type === 'request' && e.status === 503) refused();
    };
    const p = pipeline(
      Readable.from(input()),
      createSendStream(client(s, { send: { maxRetries: 0, timeoutMs: 1000 }, onEvent }), { concurrency: 3 }),
      new Writable({
        objectMode: true,
        write(o: Outcome, _e, cb) {
          out.push(o);
          cb();
        },
      }),
    );
    await expect(p).rejects.toMatchObject({ context: { batch: 2, status: 503 } });
    expect(out.map((o) => (o.kind === 'result' ? o.batch : -1))).toEqual([1]);
    expect(bulkOnly(s).map((r) => sentUsers(r)[0]!.sourceId)).toEqual(['a', 'bad']);
  });
  it('with onFailure: reports the first error there, settles the batches in flight, passes rejects on, drops unsent batches, and ends normally', async () => {
    const { s, onEvent } = await heldUntilRefused();
    const committed: Outcome[] = [];
    const failures: Error[] = [];
    const reject: RejectEvent = {
      kind: 'reject',
      prov: { file: 'users.csv', line: 99, seq: 99 },
      stage: 'validate',
      reason: 'bad email',
      record: {},
    };
    const input: (Batch | RejectEvent)[] = [
      userBatch(1, ['a', 'a2']),
      userBatch(2, ['bad']),
      userBatch(3, ['c']),
      userBatch(4, ['d']),
      reject,
      userBatch(5, ['e']),
    ];
    // A sink whose writes complete later, like the result sink's file writes: the pipeline must
    // wait for them, which it does only when the stream ends instead of being destroyed.
    await pipeline(
      Readable.from(input),
      createSendStream(client(s, { onEvent }), { concurrency: 3, onFailure: (e) => failures.push(e) }),
      new Writable({
        objectMode: true,
        highWaterMark: 1,
        write(o: Outcome, _e, cb) {
          setTimeout(() => {
            committed.push(o);
            cb();
          }, 20);
        },
      }),
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(TransportError);
    expect(committed.map((o) => (o.kind === 'result' ? `r${o.batch}` : `x${o.prov.line}`)).sort()).toEqual(['r1', 'r1', 'r3', 'x99']);
    const sent = bulkOnly(s).map((r) => sentUsers(r)[0]!.sourceId);
    expect(sent.sort()).toEqual(['a', 'bad', 'c']);
  });

  it('once stopped: no new request starts, the batches in flight finish and pass their outcomes on, the rest is reported unsent', async () => {
    const stop = new AbortController();
    const started: number[] = [];
    const answer: Array<() => void> = [];
    const api = {
      async sendBatch(b: Batch): Promise<Outcome[]> {
        started.push(b.seq);
        await new Promise<void>((r) => answer.push(r));
        return b.records.map((r) => ({ kind: 'result', prov: r.prov, key: r.key, action: 'create', id: 1, success: true, batch: b.seq }));
      },
    };
    const unsent: number[] = [];
    const out: Outcome[] = [];
    const reject: RejectEvent = {
      kind: 'reject',
      prov: { file: 'users.csv', line: 9, seq: 9 },
      stage: 'validate',
      reason: 'bad',
      record: {},
    };
    const input = [userBatch(1, ['a']), userBatch(2, ['b']), userBatch(3, ['c']), reject, userBatch(4, ['a'])];
    const done = pipeline(
      Readable.from(input),
      createSendStream(api, { concurrency: 2, stop: stop.signal, onUnsent: (b) => unsent.push(b.seq) }),
      new Writable({
        objectMode: true,
        write(o: Outcome, _e, cb) {
          out.push(o);
          cb();
        },
      }),
    );
    while (started.length < 2) await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    for (const a of answer) a();
    await done;
    expect(started).toEqual([1, 2]);
    expect(out.map((o) => (o.kind === 'result' ? o.batch : 'reject')).sort()).toEqual([1, 2, 'reject']);
    expect(unsent.sort()).toEqual([3, 4]);
  });
});
