import type { SendEvent } from '../../stages/7-send/send-event.js';
import type { ProgressSnapshot } from '../progress/run-probe.js';
import { reasonShape } from '../../outcomes/reject-groups.js';

/** One point of the throughput chart: cumulative counts at `t`, and the requests since the previous point. */
export interface Sample {
  readonly t: number;
  readonly read: number;
  readonly imported: number;
  readonly rejected: number;
  readonly requests: number;
  readonly retries: number;
  /** Mean and slowest request latency in this window; 0 when no request finished in it. */
  readonly meanMs: number;
  readonly maxMs: number;
}

export interface LatencyStats {
  readonly requests: number;
  /** Upper bounds in ms of the histogram's buckets; the last bucket is everything above. */
  readonly bucketsMs: readonly number[];
  readonly counts: readonly number[];
  readonly meanMs: number;
  readonly maxMs: number;
  /** Requests by HTTP status (0: no answer). */
  readonly byStatus: Readonly<Record<string, number>>;
}

export interface RecordedRun {
  readonly samples: readonly Sample[];
  readonly latency: LatencyStats;
  readonly retries: { readonly total: number; readonly byReason: readonly { readonly reason: string; readonly count: number }[] };
}

export const MAX_SAMPLES = 240;
const BUCKETS_MS = [25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];
const MAX_REASONS = 50;

/**
 * Records what report.html charts, in fixed memory: at most MAX_SAMPLES points (when full,
 * every other point goes and the interval doubles: the counts are cumulative, so rates between
 * the kept points stay exact), a fixed latency histogram and a bounded table of retry reasons.
 */
export class RunRecorder {
  private readonly samples: Sample[] = [];
  private intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private window = { requests: 0, retries: 0, sumMs: 0, maxMs: 0 };
  private readonly buckets = new Array<number>(BUCKETS_MS.length + 1).fill(0);
  private requests = 0;
  private sumMs = 0;
  private maxMs = 0;
  private readonly byStatus = new Map<string, number>();
  private retries = 0;
  private readonly retryReasons = new Map<string, number>();

  constructor(
    private readonly probe: () => ProgressSnapshot,
    intervalMs = 250,
  ) {
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.sample();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.sample();
  }

  onSend(e: SendEvent): void {
    if (e.type === 'request') {
      this.requests++;
      this.sumMs += e.ms;
      this.maxMs = Math.max(this.maxMs, e.ms);
      this.window.requests++;
      this.window.sumMs += e.ms;
      this.window.maxMs = Math.max(this.window.maxMs, e.ms);
      let i = BUCKETS_MS.findIndex((b) => e.ms <= b);
      if (i < 0) i = BUCKETS_MS.length;
      this.buckets[i]!++;
      const s = String(e.status);
      this.byStatus.set(s, (this.byStatus.get(s) ?? 0) + 1);
    } else if (e.type === 'retry') {
      this.retries++;
      this.window.retries++;
      const shape = reasonShape(e.reason);
      if (this.retryReasons.has(shape) || this.retryReasons.size < MAX_REASONS)
        this.retryReasons.set(shape, (this.retryReasons.get(shape) ?? 0) + 1);
      else this.retryReasons.set('(other reasons)', (this.retryReasons.get('(other reasons)') ?? 0) + 1);
    }
  }

  recorded(): RecordedRun {
    return {
      samples: [...this.samples],
      latency: {
        requests: this.requests,
        bucketsMs: BUCKETS_MS,
        counts: [...this.buckets],
        meanMs: this.requests > 0 ? Math.round(this.sumMs / this.requests) : 0,
        maxMs: Math.round(this.maxMs),
        byStatus: Object.fromEntries(this.byStatus),
      },
      retries: {
        total: this.retries,
        byReason: [...this.retryReasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
      },
    };
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.sample();
      this.schedule();
    }, this.intervalMs);
    // The run ends when its work ends, never because a chart wants another point.
    this.timer.unref();
  }

  private sample(): void {
    const p = this.probe();
    const w = this.window;
    this.samples.push({
      t: p.elapsedMs / 1000,
      read: p.read,
      imported: p.imported,
      rejected: p.rejected,
      requests: w.requests,
      retries: w.retries,
      meanMs: w.requests > 0 ? Math.round(w.sumMs / w.requests) : 0,
      maxMs: Math.round(w.maxMs),
    });
    this.window = { requests: 0, retries: 0, sumMs: 0, maxMs: 0 };
    if (this.samples.length > MAX_SAMPLES) this.decimate();
  }

  /** Halves the points, merging each dropped point's window into the next kept one. */
  private decimate(): void {
    const kept: Sample[] = [this.samples[0]!];
    for (let i = 1; i < this.samples.length; i += 2) {
      const a = this.samples[i]!;
      const b = this.samples[i + 1];
      if (b === undefined) {
        kept.push(a);
        break;
      }
      const n = a.requests + b.requests;
      kept.push({
        ...b,
        requests: n,
        retries: a.retries + b.retries,
        meanMs: n > 0 ? Math.round((a.meanMs * a.requests + b.meanMs * b.requests) / n) : 0,
        maxMs: Math.max(a.maxMs, b.maxMs),
      });
    }
    this.samples.length = 0;
    this.samples.push(...kept);
    this.intervalMs *= 2;
  }
}
