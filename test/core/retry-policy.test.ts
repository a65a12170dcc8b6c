import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import {
  backoffDelay,
  decideRetry,
  nextDelay,
  retry,
  retryPolicy,
  shouldRetry,
  type RetryStop,
  type TryResult,
} from '../../src/core/retry-policy.js';
import { VirtualClock } from '../support/virtual-clock.js';

const pinned =
  (r: number): (() => number) =>
  () =>
    r;

describe('backoffDelay', () => {
  it('full jitter draws from [0, min(cap, base*2^attempt))', () => {
    const p = (r: number) => retryPolicy(3, { baseMs: 100, capMs: 1000, random: pinned(r) });
    expect(backoffDelay(p(0.999), 0)).toBe(99);
    expect(backoffDelay(p(0.5), 2)).toBe(200);
    expect(backoffDelay(p(0.5), 10)).toBe(500);
    expect(backoffDelay(p(0.5), 5000)).toBe(500);
    expect(backoffDelay(p(0), 3)).toBe(0);
  });

  it('without jitter is the ceiling itself: 250, 500, 1000, … at most the cap', () => {
    const p = retryPolicy(9, { baseMs: 250, capMs: 8000, jitter: 'none', random: () => 0 });
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(p, a))).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('defaults to 250 ms doubling up to 30 s, full jitter, Retry-After up to 5 minutes', () => {
    expect(retryPolicy(8)).toEqual({
      maxRetries: 8,
      baseMs: 250,
      capMs: 30_000,
      jitter: 'full',
      maxRetryAfterMs: 300_000,
      random: Math.random,
    });
  });
});

describe('retry decisions', () => {
  const policy = retryPolicy(2, { baseMs: 100, capMs: 1000, maxRetryAfterMs: 5000, random: pinned(0.5) });

  it('allows maxRetries retries', () => {
    expect([0, 1, 2].map((n) => shouldRetry(policy, n))).toEqual([true, true, false]);
    expect(shouldRetry(retryPolicy(0), 0)).toBe(false);
  });

  it('waits the backoff, never less than the Retry-After', () => {
    expect(nextDelay(policy, 1)).toBe(100);
    expect(nextDelay(policy, 1, 3000)).toBe(3000);
    expect(nextDelay(policy, 1, 20)).toBe(100);
  });

  it('stops when the retries are used up, before looking at Retry-After, or when Retry-After is over the limit', () => {
    expect(decideRetry(policy, 0)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry(policy, 1, 5000)).toEqual({ retry: true, delayMs: 5000 });
    expect(decideRetry(policy, 1, 5001)).toEqual({ retry: false, why: 'retry-after-too-long', retryAfterMs: 5001 });
    expect(decideRetry(policy, 2, 5001)).toEqual({ retry: false, why: 'exhausted' });
  });
});

describe('retry()', () => {
  const policy = retryPolicy(3, { baseMs: 100, capMs: 1000, random: pinned(0.5) });
  const fail = (reason: string, retryAfterMs?: number): TryResult<string, string> => ({
    ok: false,
    failure: reason,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });

  it('tries again after each wait on the clock, reporting each retry, until a try succeeds', async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const tries: number[] = [];
    const retries: [number, number, string][] = [];
    const plan = [fail('a'), fail('b', 2000), { ok: true, value: 'done' } as const];
    const value = await retry(
      async () => {
        tries.push(clock.now());
        return plan[tries.length - 1]!;
      },
      { policy, clock, onRetry: (attempt, delayMs, f) => retries.push([attempt, delayMs, f]), giveUp: () => new Error('no') },
    );
    expect(value).toBe('done');
    expect(retries).toEqual([
      [1, 50, 'a'],
      [2, 2000, 'b'],
    ]);
    expect(tries.map((t) => t - tries[0]!)).toEqual([0, 50, 2050]);
  });

  it("gives up with the caller's error, given the last failure, once the policy says stop", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    let n = 0;
    const stops: [RetryStop, string][] = [];
    const error = (await retry(async () => fail(`try ${++n}`), {
      policy,
      clock,
      giveUp: (stop, f) => {
        stops.push([stop, f]);
        return new Error(`gave up on ${f}`);
      },
    }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('gave up on try 4');
    expect(stops).toEqual([[{ retry: false, why: 'exhausted' }, 'try 4']]);
    expect(clock.slept).toEqual([50, 100, 200]);
  });

  it('lets an error thrown by a try through at once', async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    await expect(retry(() => Promise.reject(new Error('final')), { policy, clock, giveUp: () => new Error('no') })).rejects.toThrow(
      'final',
    );
    expect(clock.slept).toEqual([]);
  });
});

describe('clocks', () => {
  it('the virtual clock wakes sleepers in time order when advanced, and an aborted sleep rejects', async () => {
    const clock = new VirtualClock({ start: 0 });
    const woke: string[] = [];
    const late = clock.sleep(300).then(() => woke.push(`late@${clock.now()}`));
    const early = clock.sleep(100).then(() => woke.push(`early@${clock.now()}`));
    const stop = new AbortController();
    const called = clock.sleep(200, stop.signal).catch((e: unknown) => woke.push(`aborted: ${String(e)}`));
    clock.advance(99);
    await Promise.resolve();
    expect(woke).toEqual([]);
    stop.abort('no longer needed');
    clock.advance(500);
    await Promise.all([late, early, called]);
    expect(woke).toEqual(['aborted: no longer needed', 'early@599', 'late@599']);
    expect(clock.sleeping).toBe(0);
  });

  it('the system clock sleeps and can be called off', async () => {
    const before = systemClock.now();
    await systemClock.sleep(0);
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    const stop = new AbortController();
    stop.abort();
    await expect(systemClock.sleep(60_000, stop.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
