import { METRIC_KINDS, STAGES, zeroByStage, type MetricKind, type Stage } from '../../outcomes/index.js';
import type { RunSummary } from '../../outcomes/summary.js';

/** `propel_etl_records{outcome}`: records read, each outcome kind marked for metrics, records rejected. */
export const RECORD_OUTCOMES: readonly RecordOutcome[] = ['read', ...METRIC_KINDS, 'rejected'];
export type RecordOutcome = 'read' | MetricKind | 'rejected';

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
 * The counts a summary carries. The delta kinds come with delta sync only; a summary without them
 * reports 0, one with them reports theirs.
 */
type SummaryCounts = { readonly read: number; readonly rejected: Readonly<Record<Stage, number>> & { readonly total: number } } & Readonly<
  Partial<Record<MetricKind, number>>
>;

function recordsOf(c: SummaryCounts): Record<RecordOutcome, number> {
  const out = { read: c.read, rejected: c.rejected.total } as Record<RecordOutcome, number>;
  for (const k of METRIC_KINDS) out[k] = c[k] ?? 0;
  return out;
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
    records: recordsOf(c),
    rejected: Object.fromEntries(STAGES.map((stage) => [stage, c.rejected[stage]])) as Record<Stage, number>,
    requests: s.requests,
    retries: s.retries,
    throttled: s.throttled ?? 0,
  };
}

/** A run refused before it read anything (exit 2, or a run folder that could not be used): all counts 0. */
export function metricsOfRefusal(r: {
  pipeline: string;
  target: string;
  exitCode: number;
  startedAt: number;
  endedAt: number;
}): RunMetrics {
  return {
    ...r,
    records: recordsOf({ read: 0, rejected: { ...zeroByStage(), total: 0 } }),
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
