import type { ResultEvent } from '../core/record.js';

/**
 * What the API made of an answered item, one entry per kind, in display order. This is the one
 * place a kind is added (e.g. a delta filter's `unchanged`): its counter in RunCounts, its field
 * in summary.json's counts, its row in the terminal summary and its tile in report.html all
 * follow from the entry. The journal's counts deltas carry every kind listed here.
 */
export interface OutcomeKind {
  /** The counts key (summary.json, journal deltas). */
  readonly name: ResultKind;
  /** How people read it: the terminal summary row and the report tile. */
  readonly label: string;
  /** Shown as a row of the terminal summary (run mode). */
  readonly inTerminal: boolean;
  /** Counts as imported in progress lines. */
  readonly imported: boolean;
}

export const RESULT_KINDS = ['created', 'updated', 'failed'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

export const OUTCOME_KINDS: readonly OutcomeKind[] = [
  { name: 'created', label: 'created', inTerminal: true, imported: true },
  { name: 'updated', label: 'updated', inTerminal: true, imported: true },
  { name: 'failed', label: 'failed at the API', inTerminal: false, imported: false },
];

/** The kind of an answered item; undefined for an action the API names that no kind counts (still answered). */
export function kindOf(r: ResultEvent): ResultKind | undefined {
  if (!r.success) return 'failed';
  if (r.action === 'create') return 'created';
  if (r.action === 'update') return 'updated';
  return undefined;
}
