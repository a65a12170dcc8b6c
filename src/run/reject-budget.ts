import type { ErrorsSpec } from '../config/pipeline-spec.js';
import { RejectBudgetError } from '../core/errors.js';
import type { RunCounts } from '../outcomes/index.js';

/**
 * A percentage is judged against records read so far, but only once this many were read:
 * otherwise the first bad row of a healthy file (1 of 3 = 33%) would end the run. At the end
 * of the input (`final`) it is judged whatever the count, so a small file is held to it too.
 */
export const PERCENT_BUDGET_MIN_READ = 1000;

/** Returns a check for the sink that throws once errors.maxRejects is passed. */
export function rejectBudgetCheck(spec: ErrorsSpec, counts: Pick<RunCounts, 'read' | 'totalRejected'>): ((final?: boolean) => void) | undefined {
  const max = spec.maxRejects;
  if (max === undefined) return undefined;
  return (final = false) => {
    const rejected = counts.totalRejected;
    if ('count' in max) {
      if (rejected > max.count) throw new RejectBudgetError(`${rejected} records rejected, more than errors.maxRejects (${max.count}); see rejects.ndjson`);
      return;
    }
    if ((final || counts.read >= PERCENT_BUDGET_MIN_READ) && rejected > max.fraction * counts.read) {
      const pct = (max.fraction * 100).toFixed(2).replace(/\.?0+$/, '');
      throw new RejectBudgetError(`${rejected} of ${counts.read} records read were rejected, more than errors.maxRejects (${pct}%); see rejects.ndjson`);
    }
  };
}

