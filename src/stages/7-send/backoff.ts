/**
 * Exponential backoff with full jitter: the delay before retry `attempt` (0-based) is drawn
 * uniformly from [0, min(cap, base * 2^attempt)). Full jitter spreads the retries of many
 * concurrent requests that failed together, so they do not hit a recovering server in lockstep.
 */
export interface BackoffOptions {
  /** First ceiling, milliseconds. */
  readonly baseMs: number;
  /** Largest ceiling, milliseconds. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 30_000 };

/** `random` returns a number in [0, 1), like Math.random (injected so tests can pin it). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  // Clamp the exponent: 2^attempt overflows to Infinity long before attempt counts get silly.
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
