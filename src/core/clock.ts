/**
 * Time as the code that waits sees it: what time it is, and a wait that can be called off.
 * Code that retries or renews takes a Clock instead of calling Date.now and setTimeout, so a
 * test can run it on virtual time (test/support/virtual-clock.ts) and assert exact delays
 * without sleeping.
 */
import { setTimeout as wait } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch, like Date.now. */
  now(): number;
  /** Resolves after `ms`; rejects if `signal` is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => wait(Math.max(0, ms), undefined, signal !== undefined ? { signal } : undefined),
};
