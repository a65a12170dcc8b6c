import type { Stage } from '../core/record.js';

/** What a run has done so far; the journal stores deltas of it so a resumed run continues the counts. */
export interface RunCounts {
  /** Records read from the source (including those rejected at the read stage). */
  read: number;
  /** Records skipped on resume because an earlier attempt settled them. */
  skipped: number;
  rejected: Record<Stage, number>;
  /** Result lines: items the API answered (or, in a dry run, items written to batch files). */
  answered: number;
  created: number;
  updated: number;
  /** Items the API answered with success:false. */
  failed: number;
}

export function emptyCounts(): RunCounts {
  return { read: 0, skipped: 0, rejected: { read: 0, map: 0, validate: 0, api: 0 }, answered: 0, created: 0, updated: 0, failed: 0 };
}

/**
 * Records that reached the API: every answered item, plus items a 400 refused (an api reject
 * without a result line). A success:false item has both a result and a reject, so it is taken out once.
 */
export function sentCount(c: SettledCounts): number {
  return c.answered + c.rejected.api - c.failed;
}

export function totalRejected(c: RunCounts): number {
  return c.rejected.read + c.rejected.map + c.rejected.validate + c.rejected.api;
}

/** Counts carried in journal deltas: everything the sink decides (not read/skipped, which are re-counted on each pass). */
export type SettledCounts = Pick<RunCounts, 'rejected' | 'answered' | 'created' | 'updated' | 'failed'>;

export function addSettled(into: SettledCounts, d: SettledCounts): void {
  into.answered += d.answered;
  into.created += d.created;
  into.updated += d.updated;
  into.failed += d.failed;
  for (const s of ['read', 'map', 'validate', 'api'] as const) into.rejected[s] += d.rejected[s];
}

export function emptySettled(): SettledCounts {
  return { rejected: { read: 0, map: 0, validate: 0, api: 0 }, answered: 0, created: 0, updated: 0, failed: 0 };
}
