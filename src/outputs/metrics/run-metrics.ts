import { STAGES, zeroByStage, type Stage } from '../../outcomes/index.js';
import type { RunSummary } from '../../outcomes/summary.js';

/** `propel_etl_records{outcome}`: fixed by the contract, in this order. */
export const RECORD_OUTCOMES = ['read', 'created', 'updated', 'unchanged', 'rejected', 'orphans'] as const;
export type RecordOutcome = (typeof RECORD_OUTCOMES)[number];

/** `propel_etl_rejected_records{stage}`: every stage a record can be rejected at. */

/** What one run of one pipeline against one target reports to monitoring. */
export interface RunMetrics {
  readonly pipeline: string;
  readonly target: string;
  readonly exitCode: number;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly records: Readonly<Record<RecordOutcome, number>>;
  readonly rejected: Readonly<Record<Stage, number>>;
  readonly requests: number;
  readonly retries: number;
  /** Requests answered 429. */
  readonly throttled: number;
}

/**
 * The counts a summary carries. `unchanged` and `orphans` come with delta sync; a summary
 * without them reports 0, one with them reports theirs.
 */
interface SummaryCounts {
  readonly read: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged?: number;
  readonly orphans?: number;
  readonly rejected: Readonly<Record<Stage, number>> & { readonly total: number };
}

export interface MetricsSummary extends Pick<RunSummary, 'pipeline' | 'exitCode' | 'startedAt' | 'endedAt' | 'requests' | 'retries'> {
  readonly counts: SummaryCounts;
  readonly throttled?: number;
}

/** A run that ended with a summary (every outcome but a refusal before it started). */
export function metricsOfSummary(s: MetricsSummary, target: string): RunMetrics {
  const c = s.counts;
  return {
    pipeline: s.pipeline,
    target,
    exitCode: s.exitCode,
    startedAt: Date.parse(s.startedAt),
    endedAt: Date.parse(s.endedAt),
    records: { read: c.read, created: c.created, updated: c.updated, unchanged: c.unchanged ?? 0, rejected: c.rejected.total, orphans: c.orphans ?? 0 },
    rejected: Object.fromEntries(STAGES.map((stage) => [stage, c.rejected[stage]])) as Record<Stage, number>,
    requests: s.requests,
    retries: s.retries,
    throttled: s.throttled ?? 0,
  };
}

/** A run refused before it read anything (exit 2, or a run folder that could not be used): all counts 0. */
export function metricsOfRefusal(r: { pipeline: string; target: string; exitCode: number; startedAt: number; endedAt: number }): RunMetrics {
  return {
    ...r,
    records: { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, orphans: 0 },
    rejected: zeroByStage(),
    requests: 0,
    retries: 0,
    throttled: 0,
  };
}

/** Exit 0 (all imported) and 1 (completed with rejects) are successes for monitoring. */
export function succeeded(m: Pick<RunMetrics, 'exitCode'>): boolean {
  return m.exitCode === 0 || m.exitCode === 1;
}
