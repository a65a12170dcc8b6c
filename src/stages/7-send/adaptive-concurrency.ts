/**
 * `send.concurrency: auto`: how many requests to keep in flight, learnt from the answers (AIMD).
 *
 * - Start low and grow by one per answered request (doubling per round trip) until the first
 *   congestion signal: a 429, a 5xx, no answer, or recent latency well above the baseline (the
 *   server queueing).
 * - On a signal: multiplicative decrease, once per round trip (answers to requests that were
 *   already on the wire when we decreased say nothing new), and remember the level that failed.
 * - Below that level, additive increase: one more slot per window of answers.
 * - At the last level known to be safe, hold; probe the failed level again only after a quiet
 *   spell that doubles with every probe that fails there, so a hard capacity costs a 429 only
 *   now and then instead of every few round trips (Propel counts 429s against a client).
 *
 * It gates HTTP requests, not batches: the client calls `acquire()` before every attempt (as it
 * does a rate limiter) and each finished attempt, reported as a SendEvent `request`, frees the
 * slot. So a batch sleeping out a Retry-After holds no slot, and the send stream's concurrency
 * (send.concurrency's ceiling in auto mode) only bounds how many batches are held in memory.
 * Waiters are served in arrival order and are never more than the send stream's batches.
 */
import type { SendEvent } from './send-event.js';

export interface AdaptiveConcurrencyOptions {
  /** Ceiling (send.concurrency's upper bound in auto mode); at least 1. */
  readonly max: number;
  /** Where to start. Default min(4, max). */
  readonly initial?: number;
  /** Multiplicative decrease factor. Default 0.75. */
  readonly decrease?: number;
  /** A latency this many times the best seen is a congestion signal. Default 2. */
  readonly latencyFactor?: number;
  /** ...and at least this many ms above it, so a fast server's jitter is not one. Default 50. */
  readonly latencySlackMs?: number;
  /** Answers at the safe level before the first probe of the failed level. Default 100, so probes cost under 1% of requests from the start. */
  readonly probeAfter?: number;
  /** Cap on the doubling quiet spell, in answers. Default 4096. */
  readonly maxProbeAfter?: number;
  readonly now?: () => number;
}

export type Signal = 'ok' | 'congested';

export class AdaptiveConcurrency {
  readonly max: number;
  private readonly decrease: number;
  private readonly latencyFactor: number;
  private readonly latencySlackMs: number;
  private readonly firstProbeAfter: number;
  private readonly maxProbeAfter: number;
  private readonly now: () => number;
  /** Fractional, so additive increase can add 1/limit per answer. */
  private limit: number;
  /** Lowest level that failed; Infinity until the first signal (slow start). */
  private failedAt = Number.POSITIVE_INFINITY;
  private probeAfter: number;
  /** Answers since the limit reached the safe level below `failedAt`. */
  private quiet = 0;
  /** Answers to requests started before this instant do not trigger another decrease. */
  private decreasedAt = Number.NEGATIVE_INFINITY;
  /**
   * The latency an uncongested request takes: follows a faster answer at once and a slower one
   * only slowly, so a client that is itself slow (a busy event loop inflates every measured
   * latency alike) shifts the baseline instead of reading as server congestion.
   */
  private baseMs = Number.POSITIVE_INFINITY;
  /** Recent latency, smoothed so one slow answer is not a signal on its own. */
  private recentMs = 0;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  /** Counts for the summary and the bench. */
  readonly stats = { answers: 0, congested: 0, decreases: 0, peak: 0 };

  constructor(options: AdaptiveConcurrencyOptions) {
    if (!(Number.isInteger(options.max) && options.max >= 1)) throw new RangeError(`max must be a positive integer, got ${options.max}`);
    this.max = options.max;
    this.limit = Math.min(Math.max(1, options.initial ?? 4), this.max);
    this.decrease = options.decrease ?? 0.75;
    this.latencyFactor = options.latencyFactor ?? 2;
    this.latencySlackMs = options.latencySlackMs ?? 50;
    this.firstProbeAfter = options.probeAfter ?? 100;
    this.probeAfter = this.firstProbeAfter;
    this.maxProbeAfter = options.maxProbeAfter ?? 4096;
    this.now = options.now ?? Date.now;
    this.stats.peak = this.current();
  }

  /** Requests allowed in flight now. */
  current(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  /** Requests started and not yet answered. */
  get active(): number {
    return this.inFlight;
  }

  /** Resolves when one more request may start; the caller then owes one `answer()` (or `request` event). */
  acquire(): Promise<void> {
    if (this.waiters.length === 0 && this.inFlight < this.current()) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Feeds a sender event; only finished requests matter. */
  observe(event: SendEvent): void {
    if (event.type === 'request') this.answer(event.status, event.ms);
  }

  /** One finished request: its HTTP status (0: no answer) and how long it took. Frees its slot. */
  answer(status: number, ms: number): Signal {
    if (this.inFlight > 0) this.inFlight--;
    const signal = this.learn(status, ms);
    while (this.waiters.length > 0 && this.inFlight < this.current()) {
      this.inFlight++;
      this.waiters.shift()?.();
    }
    return signal;
  }

  private learn(status: number, ms: number): Signal {
    this.stats.answers++;
    const startedAt = this.now() - ms;
    // Any prompt answer but 429 says the server had room (a 400 is about the data, not the load).
    const ok = status >= 200 && status < 500 && status !== 429;
    let slow = false;
    if (ok) {
      if (!Number.isFinite(this.baseMs)) {
        this.baseMs = ms;
        this.recentMs = ms;
      }
      this.recentMs += (ms - this.recentMs) * 0.3;
      slow = this.recentMs > Math.max(this.baseMs * this.latencyFactor, this.baseMs + this.latencySlackMs);
      this.baseMs = ms < this.baseMs ? ms : this.baseMs + (ms - this.baseMs) * 0.02;
    }
    if (!ok || slow) {
      this.stats.congested++;
      if (startedAt < this.decreasedAt) return 'congested';
      this.onCongestion();
      return 'congested';
    }
    this.onSuccess();
    return 'ok';
  }

  private onCongestion(): void {
    const level = this.current();
    if (level + 1 >= this.failedAt && level < this.failedAt) {
      // Holding at the safe level and still congested: the capacity shrank, so forget the old probe schedule.
      this.probeAfter = this.firstProbeAfter;
    } else if (level >= this.failedAt) {
      // A probe of the failed level failed again: wait twice as long before the next one.
      this.probeAfter = Math.min(this.probeAfter * 2, this.maxProbeAfter);
    }
    this.failedAt = Math.min(this.failedAt, level);
    this.limit = Math.max(1, Math.floor(level * this.decrease));
    this.quiet = 0;
    this.decreasedAt = this.now();
    this.stats.decreases++;
  }

  private onSuccess(): void {
    const before = this.current();
    if (!Number.isFinite(this.failedAt)) {
      // Slow start: +1 per answer doubles the window every round trip.
      this.limit = Math.min(this.max, this.limit + 1);
    } else if (before + 1 < this.failedAt) {
      // Congestion avoidance: +1 per window of answers.
      this.limit = Math.min(this.max, this.failedAt - 1, this.limit + 1 / before);
    } else if (before < this.failedAt) {
      // At the safe level: probe the failed one after a quiet spell.
      if (++this.quiet >= this.probeAfter) {
        this.quiet = 0;
        this.limit = Math.min(this.max, this.failedAt);
      }
    } else if (++this.quiet >= before) {
      // A probe survived a whole window of answers: that level is safe now. Climb one level at a
      // time (not slow start again), so a capacity that grew by one does not cost a burst of 429s.
      this.failedAt = before + 1;
      this.probeAfter = this.firstProbeAfter;
      this.quiet = 0;
    }
    const after = this.current();
    if (after > this.stats.peak) this.stats.peak = after;
  }
}

/**
 * The `limiter` option of BulkClient for a run: the adaptive gate first (a slot for this
 * attempt), then the rate limit (its slot in time); either may be absent.
 */
export function gateThenLimit(
  gate: Pick<AdaptiveConcurrency, 'acquire'> | undefined,
  rate: { acquire(): Promise<void> } | undefined,
): { limiter?: { acquire(): Promise<void> } } {
  if (gate === undefined) return rate === undefined ? {} : { limiter: rate };
  if (rate === undefined) return { limiter: gate };
  return {
    limiter: {
      async acquire(): Promise<void> {
        await gate.acquire();
        await rate.acquire();
      },
    },
  };
}
