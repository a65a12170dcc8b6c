/**
 * A Clock on virtual time, for the code under test that waits (retries, token renewal, resumes).
 * Time moves only when the test moves it (`advance`, `set`), or, with `autoAdvance`, when the
 * code sleeps: the earliest sleeper is then woken at once and the clock jumps to its wake time,
 * so a retry after a 30 s Retry-After takes no real time and is still seen to wait 30 s.
 * Every sleep asked for is kept in `slept`, in order, for the test to assert.
 */
import type { Clock } from '../../src/core/clock.js';

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly wake: () => void;
}

export interface VirtualClockOptions {
  /** Where time starts; default 2025-01-01T00:00:00Z (a real date, so HTTP dates read sensibly). */
  readonly start?: number;
  /** Wake sleepers without the test advancing the clock. Default false. */
  readonly autoAdvance?: boolean;
}

export class VirtualClock implements Clock {
  /** Every sleep asked for, in milliseconds, in the order asked. */
  readonly slept: number[] = [];
  #now: number;
  #sleepers: Sleeper[] = [];
  #seq = 0;
  readonly #auto: boolean;
  #stepping = false;

  constructor(options: VirtualClockOptions = {}) {
    this.#now = options.start ?? Date.UTC(2025, 0, 1);
    this.#auto = options.autoAdvance === true;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept.push(ms);
    // As node's timers/promises setTimeout does: rejected with the signal's reason (an AbortError unless the aborter gave one).
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
      this.#sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (sleeper.at <= this.#now) this.#wakeDue();
      else if (this.#auto) this.#step();
    });
  }

  /** Sleepers not yet woken. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  /** Moves time on by `ms` and wakes, in order, whoever is due by then. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves time to `t` (never back) and wakes, in order, whoever is due by then. */
  set(t: number): void {
    this.#now = Math.max(this.#now, t);
    this.#wakeDue();
  }

  #wakeDue(): void {
    while (this.#sleepers[0] !== undefined && this.#sleepers[0].at <= this.#now) this.#sleepers.shift()!.wake();
  }

  /**
   * Auto-advance: after the current turn of the event loop (so sleepers that start together are
   * all registered first), jump to the earliest wake time; again while anyone sleeps.
   */
  #step(): void {
    if (this.#stepping) return;
    this.#stepping = true;
    setImmediate(() => {
      this.#stepping = false;
      const next = this.#sleepers[0];
      if (next === undefined) return;
      this.set(next.at);
      if (this.#sleepers.length > 0) this.#step();
    });
  }
}
