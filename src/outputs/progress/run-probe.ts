import type { Batch, Outcome } from '../../core/record.js';
import { PROGRESS_KINDS, type ProgressKind, type RunCounts } from '../../outcomes/index.js';

/** How far a run has got, at one instant. Plain numbers: cheap to take several times a second. */
export type ProgressSnapshot = ProgressCounts & Readonly<Partial<Record<ProgressKind, number>>>;

/** The fixed part; the outcome kinds marked for progress (with `delta:` only where the kind is a delta kind) come beside it. */
interface ProgressCounts {
  readonly elapsedMs: number;
  readonly read: number;
  /** Created or updated at the API (in a rehearsal: written to a batch file). */
  readonly imported: number;
  readonly rejected: number;
  readonly batchesInFlight: number;
  /** Input bytes taken so far and the inputs' total size (0 when unknown, e.g. stdin). */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /**
   * A delta night compared first, once the whole input was read: its changes (new + changed)
   * being sent, how many of them reached the API so far, and for how long they have been sent.
   */
  readonly sending?: { readonly total: number; readonly done: number; readonly elapsedMs: number };
}

/** What the probe needs of the source stream (SourceStream has both). */
export interface ByteCounter {
  readonly bytesRead: number;
  readonly totalBytes: number;
}

interface Sender {
  sendBatch(batch: Batch): Promise<Outcome[]>;
}

/**
 * Reads a run's live state for progress lines and the report without adding a stream stage:
 * the counts object is the one the admit gate and the sink already update, the byte counter is
 * the source's own, and batches in flight are counted around the sender's call.
 */
export class RunProbe {
  private readonly startedAt = Date.now();
  private source: ByteCounter | undefined;
  private inFlight = 0;
  private sendPhase: { total: number; sentBefore: number; startedAt: number } | undefined;

  constructor(
    private readonly counts: RunCounts,
    private readonly mode: 'run' | 'dry-run' | 'validate' = 'run',
    /** The pipeline has `delta:`: snapshots carry the delta kinds marked for progress. */
    private readonly delta = false,
  ) {}

  watchSource(source: ByteCounter): void {
    this.source = source;
  }

  /** The same sender, counting batches from the send until their outcomes are decided. */
  wrapSender<S extends Sender>(client: S): Sender {
    return {
      sendBatch: async (batch) => {
        this.inFlight++;
        try {
          return await client.sendBatch(batch);
        } finally {
          this.inFlight--;
        }
      },
    };
  }

  /** A night compared first starts sending its `total` changes: progress and ETA follow them from here. */
  beginSending(total: number): void {
    this.sendPhase = { total, sentBefore: this.counts.sent, startedAt: Date.now() };
  }

  snapshot(): ProgressSnapshot {
    const c = this.counts;
    const kinds: Partial<Record<ProgressKind, number>> = {};
    for (const k of PROGRESS_KINDS) if (this.delta || k.delta !== true) kinds[k.name] = c[k.name];
    return {
      elapsedMs: Date.now() - this.startedAt,
      // Records settled by an earlier attempt are re-read but not this attempt's work.
      read: c.read - c.skipped,
      imported: this.mode === 'run' ? c.imported : c.answered,
      rejected: c.totalRejected,
      ...kinds,
      batchesInFlight: this.inFlight,
      bytesRead: this.source?.bytesRead ?? 0,
      totalBytes: this.source?.totalBytes ?? 0,
      ...(this.sendPhase !== undefined
        ? {
            sending: {
              total: this.sendPhase.total,
              done: Math.min(this.sendPhase.total, c.sent - this.sendPhase.sentBefore),
              elapsedMs: Date.now() - this.sendPhase.startedAt,
            },
          }
        : {}),
    };
  }
}
