import type { ErrorsSpec } from '../../config/pipeline-spec.js';
import { RejectBudgetError } from '../../core/errors.js';
import type { RunCounts } from '../../outcomes/index.js';

/**
 * A percentage is judged against records read so far, but only once this many were read:
 * otherwise the first bad row of a healthy file (1 of 3 = 33%) would end the run. At the end
 * of the input (`final`) it is judged whatever the count, so a small file is held to it too.
 */
export const PERCENT_BUDGET_MIN_READ = 1000;

type MaxRejects = NonNullable<ErrorsSpec['maxRejects']>;

/** Whether `rejected` of `read` records passes the budget (a count, or a fraction once enough were read). */
export function budgetPassed(max: MaxRejects, rejected: number, read: number, final: boolean): boolean {
  if ('count' in max) return rejected > max.count;
  return (final || read >= PERCENT_BUDGET_MIN_READ) && rejected > max.fraction * read;
}

/** `2,414 of 4,159 records read were rejected, more than errors.maxRejects (1%)`: the counts the summary gives too. */
export function describeBudget(max: MaxRejects, rejected: number, read: number): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  if ('count' in max) return `${n(rejected)} records rejected, more than errors.maxRejects (${max.count})`;
  const pct = (max.fraction * 100).toFixed(2).replace(/\.?0+$/, '');
  return `${n(rejected)} of ${n(read)} records read were rejected, more than errors.maxRejects (${pct}%)`;
}

/**
 * Passed while records flow: the run stops reading and drains, and the records in flight go on
 * settling, some of them rejects. Its message is stated again at the end (`restateBudgetError`)
 * so that it gives the same counts as the summary.
 */
export class FlowingBudgetError extends RejectBudgetError {}

/** Returns a check for the sink that throws once errors.maxRejects is passed. */
export function rejectBudgetCheck(
  spec: ErrorsSpec,
  counts: Pick<RunCounts, 'read' | 'totalRejected'>,
): ((final?: boolean) => void) | undefined {
  const max = spec.maxRejects;
  if (max === undefined) return undefined;
  return (final = false) => {
    const rejected = counts.totalRejected;
    if (budgetPassed(max, rejected, counts.read, final))
      throw new FlowingBudgetError(`${describeBudget(max, rejected, counts.read)}; see rejects.ndjson`);
  };
}

/**
 * At the end of a run stopped by the budget: the error with the final counts, the ones the
 * summary holds. When the check fired, records read ahead were still on their way to the sink
 * (and the sink had counted fewer rejects than later settled), so the counts at that moment
 * disagreed with the summary.
 */
export function restateBudgetError<E>(
  error: E,
  spec: ErrorsSpec,
  counts: Pick<RunCounts, 'read' | 'totalRejected'>,
): E | RejectBudgetError {
  const max = spec.maxRejects;
  if (!(error instanceof FlowingBudgetError) || max === undefined) return error;
  return new RejectBudgetError(
    `${describeBudget(max, counts.totalRejected, counts.read)} by the end of the run (the run stopped reading once the budget was passed); see rejects.ndjson`,
  );
}
