import { describe, expect, it } from 'vitest';
import { rejectBudgetCheck, PERCENT_BUDGET_MIN_READ } from '../../../src/stages/2-gate/reject-budget.js';
import { emptyCounts } from '../../../src/outcomes/index.js';

describe('reject budget', () => {
  it('a count aborts once passed, not when reached', () => {
    const c = emptyCounts();
    const check = rejectBudgetCheck({ maxRejects: { count: 2 } }, c)!;
    c.rejected.map = 2;
    expect(() => check()).not.toThrow();
    c.rejected.api = 1;
    expect(() => check()).toThrow(expect.objectContaining({ code: 'ETL_REJECT_BUDGET', exitCode: 3 }));
  });

  it('a percentage waits for enough records read, then aborts once passed', () => {
    const c = emptyCounts();
    const check = rejectBudgetCheck({ maxRejects: { fraction: 0.01 } }, c)!;
    c.read = 10;
    c.rejected.validate = 5;
    expect(() => check()).not.toThrow();
    c.read = PERCENT_BUDGET_MIN_READ;
    c.rejected.validate = 10;
    expect(() => check()).not.toThrow();
    c.rejected.validate = 11;
    expect(() => check()).toThrow(/11 of 1,000 records read were rejected, more than errors.maxRejects \(1%\)/);
  });

  it('no budget, no check', () => {
    expect(rejectBudgetCheck({}, emptyCounts())).toBeUndefined();
  });
});
