/**
 * A request-rate limit shared by every request of a run (first sends, retries, bisection halves),
 * so `send.rate` holds whatever the retry logic does. Implemented as GCRA (a token bucket that
 * keeps one timestamp instead of a token count): callers reserve the next free slot in arrival
 * order and sleep until it, so there is no waiter list to grow.
 */
export interface RateLimiterOptions {
  /** Requests per second; must be > 0. */
  readonly rate: number;
  /** Requests allowed back to back after an idle spell. Default 1: evenly spaced requests. */
  readonly burst?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Theoretical arrival time of the next request if requests came exactly at the rate. */
  private tat = Number.NEGATIVE_INFINITY;

  constructor(options: RateLimiterOptions) {
    if (!(options.rate > 0) || !Number.isFinite(options.rate)) throw new RangeError(`rate must be a positive number, got ${options.rate}`);
    this.intervalMs = 1000 / options.rate;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** How long the next caller would wait, and books its slot. Pure apart from the clock. */
  reserve(): number {
    const t = this.now();
    const tat = Math.max(this.tat, t);
    const start = Math.max(t, tat - (this.burst - 1) * this.intervalMs);
    this.tat = tat + this.intervalMs;
    return start - t;
  }

  /** Resolves when the caller may send one request. */
  async acquire(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.sleep(wait);
  }
}
