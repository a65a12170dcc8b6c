/**
 * What the emulator was sent, for tests to assert on: "no acknowledged item was sent twice",
 * "the directives arrived". Bounded: totals, the last `limit` entries, and one counter per item
 * key (the keys are the test's own data set, so that map is as large as what the test sent).
 */
import type { Directive } from './directives.js';

/**
 * How a bulk request ended: an HTTP status, or no answer at all ('abandoned': handled, but the
 * client had gone before the answer could be sent).
 */
export type LogStatus = number | 'dropped' | 'hung' | 'abandoned';

export interface LogEntry {
  /** Epoch milliseconds when the request body had been read. */
  readonly time: number;
  readonly path: string;
  readonly status: LogStatus;
  /** The lookup keys of the items in the body (see core/resource lookupKey), when the body parsed. */
  readonly keys: readonly string[];
  readonly directives: readonly Directive[];
}

export interface LogSnapshot {
  readonly total: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly entries: readonly LogEntry[];
  /** Per item key: in how many requests answered 200 it was received. */
  readonly acknowledged: Readonly<Record<string, number>>;
}

export class RequestLog {
  readonly #limit: number;
  #entries: LogEntry[] = [];
  #total = 0;
  #byStatus = new Map<string, number>();
  #acknowledged = new Map<string, number>();

  constructor(limit = 1000) {
    this.#limit = limit;
  }

  record(entry: LogEntry): void {
    this.#total++;
    const status = String(entry.status);
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
    if (entry.status === 200) {
      for (const key of entry.keys) this.#acknowledged.set(key, (this.#acknowledged.get(key) ?? 0) + 1);
    }
    this.#entries.push(entry);
    // Trim in halves rather than shifting one entry per request.
    if (this.#entries.length > this.#limit * 2) this.#entries = this.#entries.slice(-this.#limit);
  }

  /** Bulk requests received so far. */
  get total(): number {
    return this.#total;
  }

  countByStatus(status: LogStatus): number {
    return this.#byStatus.get(String(status)) ?? 0;
  }

  /** The last `limit` entries, oldest first. */
  entries(): LogEntry[] {
    return this.#entries.slice(-this.#limit);
  }

  /** In how many requests answered 200 this key was received. */
  timesAcknowledged(key: string): number {
    return this.#acknowledged.get(key) ?? 0;
  }

  /** Keys received in more than one request answered 200. */
  duplicates(): string[] {
    return [...this.#acknowledged].filter(([, n]) => n > 1).map(([key]) => key);
  }

  snapshot(): LogSnapshot {
    return {
      total: this.#total,
      byStatus: Object.fromEntries(this.#byStatus),
      entries: this.entries(),
      acknowledged: Object.fromEntries(this.#acknowledged),
    };
  }

  clear(): void {
    this.#entries = [];
    this.#total = 0;
    this.#byStatus.clear();
    this.#acknowledged.clear();
  }
}
