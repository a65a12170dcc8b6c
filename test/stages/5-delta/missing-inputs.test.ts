import { describe, expect, it } from 'vitest';
import { missingInputs } from '../../../src/stages/5-delta/missing-inputs.js';

describe('missingInputs', () => {
  const last = ['exports/2026-12-01/part-0.csv', 'exports/2026-12-01/part-1.csv', 'exports/2026-12-01/part-2.csv'];

  it('says nothing before a first completed run, or with as many inputs or more', () => {
    expect(missingInputs(undefined, ['a.csv'])).toBeUndefined();
    expect(
      missingInputs(last, ['exports/2026-12-02/part-0.csv', 'exports/2026-12-02/part-1.csv', 'exports/2026-12-02/part-2.csv']),
    ).toBeUndefined();
  });

  it('names the missing parts by base name, as dated folders change the rest of the path', () => {
    expect(missingInputs(last, ['exports/2026-12-02/part-0.csv', 'exports/2026-12-02/part-2.csv'])).toBe(
      "this export has 2 inputs, the last completed run read 3; missing: part-1.csv (a partial export? the missing part's keys count as orphans)",
    );
  });

  it('tells only the count when every name changed', () => {
    expect(missingInputs(last, ['users.csv'])).toBe(
      "this export has 1 input, the last completed run read 3 (a partial export? the missing part's keys count as orphans)",
    );
  });
});
