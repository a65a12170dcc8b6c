import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency } from '../../../src/stages/7-send/adaptive-concurrency.js';

interface SimResult {
  readonly done: number;
  readonly requests: number;
  readonly throttled: number;
  readonly limits: number[];
}

/**
 * A server that takes `capacity` requests at once, answers each after `latencyMs`, and answers
 * 429 at once beyond that; a sender that always has another batch, acquires a request slot per
 * attempt and sleeps out Retry-After (1 s, without a slot) after a 429, as BulkClient does.
 * Simulated time, so minutes of traffic take milliseconds of test.
 */
async function simulate(opts: { capacity: (t: number) => number; latencyMs: number; seconds: number; max?: number }): Promise<SimResult> {
  let t = 0;
  const ctl = new AdaptiveConcurrency({ max: opts.max ?? 64, now: () => t });
  type Ev = { at: number; kind: 'answer'; status: number; started: number } | { at: number; kind: 'wake' };
  const events: Ev[] = [];
  let serverBusy = 0;
  let requests = 0;
  let throttled = 0;
  let done = 0;
  let queued = 0;
  const limits: number[] = [];
  const send = (): void => {
    requests++;
    if (serverBusy >= opts.capacity(t)) {
      throttled++;
      events.push({ at: t + 1, kind: 'answer', status: 429, started: t });
    } else {
      serverBusy++;
      events.push({ at: t + opts.latencyMs, kind: 'answer', status: 200, started: t });
    }
  };
  const attempt = (): void => {
    queued++;
    void ctl.acquire().then(() => {
      queued--;
      send();
    });
  };
  // Microtasks run the granted acquires before the clock moves on.
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 4; i++) await Promise.resolve();
  };
  const topUp = async (): Promise<void> => {
    await settle();
    // A new batch whenever nothing is waiting for a slot: the sender is never short of work.
    while (queued === 0 && ctl.active < ctl.current()) {
      attempt();
      await settle();
    }
    if (queued === 0) attempt();
    await settle();
  };
  await topUp();
  const end = opts.seconds * 1000;
  while (t < end) {
    events.sort((x, y) => x.at - y.at);
    const ev = events.shift();
    if (ev === undefined) break;
    t = ev.at;
    if (ev.kind === 'wake') {
      attempt();
    } else {
      if (ev.status === 200) {
        serverBusy--;
        done++;
      } else {
        events.push({ at: t + 1000, kind: 'wake' });
      }
      ctl.answer(ev.status, t - ev.started);
      limits.push(ctl.current());
    }
    await topUp();
  }
  return { done, requests, throttled, limits };
}

describe('AdaptiveConcurrency', () => {
  it('finds a fixed capacity: at least 90% of its throughput with under 1% of requests answered 429', async () => {
    for (const capacity of [3, 8, 20]) {
      const latencyMs = 100;
      const seconds = 120;
      const r = await simulate({ capacity: () => capacity, latencyMs, seconds });
      const ideal = (capacity * seconds * 1000) / latencyMs;
      expect(r.done / ideal, `capacity ${capacity}`).toBeGreaterThanOrEqual(0.9);
      expect(r.throttled / r.requests, `capacity ${capacity}`).toBeLessThan(0.01);
      // Slow start may overshoot in its first round trips; after that the limit stays at the capacity or one probe above.
      expect(Math.max(...r.limits.slice(r.limits.length / 10))).toBeLessThanOrEqual(capacity + 1);
    }
  });

  it('backs off when the capacity drops and climbs again when it returns', async () => {
    const r = await simulate({ capacity: (t) => (t >= 30_000 && t < 60_000 ? 4 : 12), latencyMs: 100, seconds: 90 });
    // Limits seen in the middle of the low phase, and at the end of the recovery.
    const n = r.limits.length;
    const settledLow = (await simulate({ capacity: (t) => (t >= 30_000 ? 4 : 12), latencyMs: 100, seconds: 55 })).limits.slice(-50);
    expect(Math.max(...settledLow)).toBeLessThanOrEqual(5);
    expect(r.limits[n - 1]).toBeGreaterThanOrEqual(10);
  });

  it('never goes above max nor below 1', () => {
    const ctl = new AdaptiveConcurrency({ max: 3, initial: 10 });
    expect(ctl.current()).toBe(3);
    for (let i = 0; i < 50; i++) ctl.answer(200, 10);
    expect(ctl.current()).toBe(3);
    let t = 0;
    const low = new AdaptiveConcurrency({ max: 8, now: () => t });
    for (let i = 0; i < 20; i++) {
      t += 100;
      low.answer(503, 5);
    }
    expect(low.current()).toBe(1);
  });

  it('decreases once per round trip: answers to requests already in flight do not cut again', () => {
    let t = 1000;
    const ctl = new AdaptiveConcurrency({ max: 64, initial: 16, now: () => t });
    ctl.answer(429, 5);
    expect(ctl.current()).toBe(12);
    t += 10;
    // Started before the decrease: the same congestion, already acted on.
    ctl.answer(429, 50);
    expect(ctl.current()).toBe(12);
    t += 100;
    ctl.answer(429, 5);
    expect(ctl.current()).toBe(9);
  });

  it('takes a latency far above the best seen as congestion, and jitter as none', () => {
    let t = 0;
    const ctl = new AdaptiveConcurrency({ max: 64, initial: 10, now: () => t });
    for (let i = 0; i < 5; i++) {
      t += 100;
      ctl.answer(200, 100);
    }
    const before = ctl.current();
    t += 100;
    expect(ctl.answer(200, 140)).toBe('ok');
    t += 500;
    expect(ctl.answer(200, 450)).toBe('congested');
    expect(ctl.current()).toBeLessThan(before);
  });

  it('gates requests: a slot is freed by each answer, and waiters go in arrival order', async () => {
    const ctl = new AdaptiveConcurrency({ max: 8, initial: 2 });
    const order: number[] = [];
    const all = [1, 2, 3, 4].map((i) => ctl.acquire().then(() => order.push(i)));
    await Promise.resolve();
    expect(order).toEqual([1, 2]);
    expect(ctl.active).toBe(2);
    // Slow start: each answer frees a slot and adds one, so two more may go.
    ctl.answer(200, 5);
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(ctl.active).toBe(3);
  });

  it('follows send events: only finished requests count', () => {
    const ctl = new AdaptiveConcurrency({ max: 8, initial: 2 });
    ctl.observe({ type: 'token' });
    ctl.observe({ type: 'retry', batch: 1, attempt: 1, delayMs: 10, reason: 'HTTP 429' });
    expect(ctl.stats.answers).toBe(0);
    ctl.observe({ type: 'request', batch: 1, status: 200, ms: 5, items: 10 });
    expect(ctl.stats.answers).toBe(1);
    expect(ctl.current()).toBe(3);
  });
});
