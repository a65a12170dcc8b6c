import type { EtlError } from '../core/errors.js';
import type { RejectKind } from './reject-groups.js';
import type { ByStage, DeltaKind, OutcomeName, ResultKind, RunCounts } from './index.js';
import { DELTA_KINDS, RESULT_KINDS } from './index.js';

export type RunStatus = 'completed' | 'aborted' | 'interrupted';
export type RunMode = 'run' | 'dry-run' | 'validate';

export interface RunSummary {
  readonly runId: string;
  readonly pipeline: string;
  readonly resource: string;
  readonly mode: RunMode;
  readonly target: string | null;
  readonly status: RunStatus;
  readonly exitCode: number;
  readonly attempt: number;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly counts: {
    readonly read: number;
    readonly skippedOnResume: number;
    readonly mapped: number;
    readonly rejected: ByStage & { readonly total: number };
    readonly sent: number;
  } & Readonly<Record<ResultKind, number>> &
    Readonly<Partial<Record<DeltaKind, number>>> & {
      /** Read in this attempt but never sent: the run stopped first; `--resume` sends them. */
      readonly unsent: number;
    };
  readonly batches: number;
  readonly requests: number;
  readonly retries: number;
  /** Requests the target answered 429 (too many requests). */
  readonly throttled: number;
  /** `deltaFilterCpuMs`: with `delta:`, the time spent in the delta filter (its thread's CPU time on Node 23.9 and later, elapsed time before). */
  readonly durations: { readonly totalMs: number; readonly deltaFilterCpuMs?: number };
  /** Records read per second of this attempt. */
  readonly rate: { readonly recordsPerSec: number };
  /**
   * The most frequent kinds of reject over the whole run (every attempt), largest first: the
   * reason with the record's values taken out, so this file quotes no record data.
   */
  readonly topRejects: readonly RejectKind[];
  /** What the run could not check up front and found doubtful (a mapped path no record had); empty when all is well. */
  readonly warnings: readonly string[];
  /** Archive entries not read as records (a readme, a manifest, entries `zip.entries` did not choose). */
  readonly skippedEntries: readonly { readonly file: string; readonly entry: string }[];
  readonly error?: { readonly code: string; readonly message: string };
  /** The pipeline has `delta:`: up to ten keys of each kind (as the export names them), and a night past its thresholds. */
  readonly delta?: DeltaReport;
}

export interface DeltaReport {
  readonly keys: { readonly new: readonly string[]; readonly changed: readonly string[]; readonly orphans: readonly string[] };
  /** The thresholds' verdict when the night passes one (a dry run or `plan` says it; a real run stops on it). */
  readonly pastThresholds?: string;
  /** Records the state knew by their own bytes (a CSV record, an NDJSON line), before anything of them was built. */
  readonly byBytes: number;
}

/** What the run knows at its end; the summary is derived from it. */
export interface SummaryInput
  extends Pick<
    RunSummary,
    | 'runId'
    | 'pipeline'
    | 'resource'
    | 'mode'
    | 'target'
    | 'status'
    | 'exitCode'
    | 'attempt'
    | 'batches'
    | 'requests'
    | 'retries'
    | 'topRejects'
  > {
  /** None when not given. */
  readonly warnings?: readonly string[];
  readonly skippedEntries?: readonly { readonly file: string; readonly entry: string }[];
  /** Requests answered 429 (0 when not told). */
  readonly throttled?: number;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly counts: RunCounts;
  /** The pipeline has `delta:`: the counts include its kinds (unchanged, orphans), the durations the filter's CPU time. */
  readonly delta?: { readonly filterCpuMs: number; readonly report?: DeltaReport };
  readonly error?: EtlError;
}

export function buildSummary(s: SummaryInput): RunSummary {
  const c = s.counts;
  const ms = Math.max(0, s.endedAt.getTime() - s.startedAt.getTime());
  const {
    runId,
    pipeline,
    resource,
    mode,
    target,
    status,
    exitCode,
    attempt,
    batches,
    requests,
    retries,
    topRejects,
    warnings,
    skippedEntries,
  } = s;
  const throttled = s.throttled ?? 0;
  return {
    runId,
    pipeline,
    resource,
    mode,
    target,
    status,
    exitCode,
    attempt,
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt.toISOString(),
    counts: {
      read: c.read,
      skippedOnResume: c.skipped,
      // Everything read that survived reading and mapping, across all attempts of this run.
      mapped: Math.max(0, c.read - c.rejected.read - c.rejected.map),
      rejected: { ...c.rejected, total: c.totalRejected },
      sent: s.mode === 'run' ? c.sent : 0,
      ...countsOf(c, RESULT_KINDS),
      ...(s.delta !== undefined ? countsOf(c, DELTA_KINDS) : {}),
      unsent: c.unsent,
    },
    batches,
    requests,
    retries,
    throttled,
    durations: { totalMs: ms, ...(s.delta !== undefined ? { deltaFilterCpuMs: Math.round(s.delta.filterCpuMs) } : {}) },
    rate: { recordsPerSec: ms > 0 ? Math.round(((c.read - c.skipped) * 1000) / ms) : 0 },
    topRejects,
    warnings: warnings ?? [],
    skippedEntries: (skippedEntries ?? []).map(({ file, entry }) => ({ file, entry })),
    ...(s.error !== undefined ? { error: { code: s.error.code, message: s.error.describe() } } : {}),
    ...(s.delta?.report !== undefined ? { delta: s.delta.report } : {}),
  };
}

function countsOf<K extends OutcomeName>(c: RunCounts, kinds: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of kinds) out[k] = c[k];
  return out;
}
