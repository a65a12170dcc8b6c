import type { ResultEvent } from '../core/record.js';

/**
 * What the API made of an answered item, one entry per kind, in display order. This is the one
 * place a kind is added (e.g. a delta filter's `unchanged`): its counter in RunCounts, its field
 * in summary.json's counts, its row in the terminal summary and its tile in report.html all
 * follow from the entry. The journal's counts deltas carry every kind listed here.
 */
export interface OutcomeKind {
  /** The counts key (summary.json; journal deltas for the result kinds). */
  readonly name: ResultKind | DeltaKind;
  /** How people read it: the terminal summary row and the report tile. */
  readonly label: string;
  /** Shown as a row of the terminal summary (run mode). */
  readonly inTerminal: boolean;
  /** Counts as imported in progress lines. */
  readonly imported: boolean;
  /** Only pipelines with `delta:` count it: summary.json, the terminal, the report and the logs show it then. */
  readonly delta?: true;
  /** Said after the number in the terminal summary. */
  readonly note?: string;
}

export const RESULT_KINDS = ['created', 'updated', 'failed'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

/**
 * What the delta filter (`delta:`) adds: items not sent because Propel acknowledged them as they
 * are (`unchanged`), and keys acknowledged in earlier runs that this input no longer holds
 * (`orphans`, found at the end of a completed run). Neither is settled by the sink, so neither is
 * in the journal: `unchanged` is counted again by each attempt, as `read` is.
 */
export const DELTA_KINDS = ['unchanged', 'orphans'] as const;
export type DeltaKind = (typeof DELTA_KINDS)[number];

export const OUTCOME_KINDS: readonly OutcomeKind[] = [
  { name: 'created', label: 'created', inTerminal: true, imported: true },
  { name: 'updated', label: 'updated', inTerminal: true, imported: true },
  { name: 'failed', label: 'failed at the API', inTerminal: false, imported: false },
  { name: 'unchanged', label: 'unchanged', inTerminal: true, imported: false, delta: true, note: '(not sent: Propel has them as they are)' },
  { name: 'orphans', label: 'orphans', inTerminal: true, imported: false, delta: true, note: "(keys Propel has that this export no longer holds: orphans.ndjson; nothing sent)" },
];

/** The kind of an answered item; undefined for an action the API names that no kind counts (still answered). */
export function kindOf(r: ResultEvent): ResultKind | undefined {
  if (!r.success) return 'failed';
  if (r.action === 'create') return 'created';
  if (r.action === 'update') return 'updated';
  return undefined;
}
