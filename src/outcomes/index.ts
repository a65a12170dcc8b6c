/**
 * Outcomes: what became of each record, in one vocabulary for counts, summary.json, the terminal
 * summary, progress, report.html and logs.
 *
 * "Settled" means one thing in this project: a record is settled once its outcome line (result
 * and/or reject) is synced to disk and its `seq` is in the journal. Only settled records are
 * skipped by `--resume`; everything else read (in flight, not sent, waiting for a deferred pass)
 * is sent again. A batch's request being answered is "answered", not settled.
 */
export { STAGES, isStage, zeroByStage, type ByStage, type Stage } from '../core/stages.js';
export {
  DELTA_KINDS,
  METRIC_KINDS,
  OUTCOME_KINDS,
  PROGRESS_KINDS,
  RESULT_KINDS,
  kindOf,
  type DeltaKind,
  type MetricKind,
  type OutcomeKind,
  type OutcomeName,
  type ProgressKind,
  type ResultKind,
} from './kinds.js';
export { RunCounts, addSettled, countOutcome, emptyCounts, emptySettled, type KindCounters, type SettledCounts } from './run-counts.js';
