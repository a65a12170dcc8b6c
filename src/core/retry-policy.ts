/**
 * When to try again, and how long to wait first: one policy for every retry loop of a run (the
 * bulk endpoint, the token endpoint, S3 bodies). A caller keeps its own notion of what is worth
 * another try (an HTTP status, an error code) and its own reporting; the policy decides whether
 * one more try is allowed and after how long. The decisions are pure; `retry()` runs the
 * try-wait-try loop on a Clock for the callers that are such a loop.
 */
import { systemClock, type Clock } from './clock.js';

export interface RetryPolicy {
  /** Retries after the first try; 0 never retries. */
  readonly maxRetries: number;
  /** Backoff ceiling before the first retry, milliseconds; it doubles per retry. */
  readonly baseMs: number;
  /** Largest backoff ceiling, milliseconds. */
  readonly capMs: number;
  /**
   * 'full': the delay is drawn uniformly from [0, ceiling), so many requests that failed together
   * do not hit a recovering server in lockstep. 'none': the ceiling itself, for a lone reader.
   */
  readonly jitter: 'full' | 'none';
  /** A server's Retry-After above this is not waited out: the caller gives up instead of hanging. */
  readonly maxRetryAfterMs: number;
  /** A number in [0, 1), like Math.random (injected so tests can pin it). */
  readonly random: () => number;
}

/** What a caller may change; the retry count it always says. */
export type RetryTuning = Partial<Omit<RetryPolicy, 'maxRetries'>>;

const DEFAULTS: Omit<RetryPolicy, 'maxRetries'> = {
  baseMs: 250,
  capMs: 30_000,
  jitter: 'full',
  maxRetryAfterMs: 300_000,
  random: Math.random,
};

export function retryPolicy(maxRetries: number, tuning: RetryTuning = {}): RetryPolicy {
  return { ...DEFAULTS, ...tuning, maxRetries };
}

/** The backoff before retry `attempt` (0-based): exponential, capped, jittered as the policy says. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  // Clamp the exponent: 2^attempt overflows to Infinity long before attempt counts get silly.
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return policy.jitter === 'none' ? ceiling : Math.floor(policy.random() * ceiling);
}

/** Whether a try that failed after `retries` retries may be tried again. */
export function shouldRetry(policy: RetryPolicy, retries: number): boolean {
  return retries < policy.maxRetries;
}

/** The wait before retry `attempt` (0-based): the backoff, never sooner than the server asked. */
export function nextDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  return Math.max(retryAfterMs ?? 0, backoffDelay(policy, attempt));
}

export type RetryStop =
  | { readonly retry: false; readonly why: 'exhausted' }
  | { readonly retry: false; readonly why: 'retry-after-too-long'; readonly retryAfterMs: number };

export type RetryDecision = { readonly retry: true; readonly delayMs: number } | RetryStop;

/**
 * After a failed try that followed `retries` retries: wait `delayMs` and try again, or stop
 * because the retries are used up or the server asked for a wait longer than allowed.
 */
export function decideRetry(policy: RetryPolicy, retries: number, retryAfterMs?: number): RetryDecision {
  if (!shouldRetry(policy, retries)) return { retry: false, why: 'exhausted' };
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs)
    return { retry: false, why: 'retry-after-too-long', retryAfterMs };
  return { retry: true, delayMs: nextDelay(policy, retries, retryAfterMs) };
}

/**
 * One try: a value, or a failure worth another try (with the server's Retry-After, if it gave
 * one). A failure not worth another try is thrown by the try itself.
 */
export type TryResult<T, F> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: F; readonly retryAfterMs?: number };

export interface RetryRun<F> {
  readonly policy: RetryPolicy;
  readonly clock?: Clock;
  /** Before each wait; `attempt` is the 1-based number of the retry about to be made. */
  readonly onRetry?: (attempt: number, delayMs: number, failure: F) => void;
  /** The error to throw when the policy says stop, given the last failure. */
  readonly giveUp: (stop: RetryStop, failure: F) => Error;
}

/** Tries until a try succeeds, throws, or the policy says stop. */
export async function retry<T, F>(tryOnce: () => Promise<TryResult<T, F>>, run: RetryRun<F>): Promise<T> {
  const clock = run.clock ?? systemClock;
  for (let retries = 0; ; retries++) {
    const result = await tryOnce();
    if (result.ok) return result.value;
    const next = decideRetry(run.policy, retries, result.retryAfterMs);
    if (!next.retry) throw run.giveUp(next, result.failure);
    run.onRetry?.(retries + 1, next.delayMs, result.failure);
    await clock.sleep(next.delayMs);
  }
}
