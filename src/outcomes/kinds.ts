import type { ResultEvent } from '../core/record.js';

/**
 * What became of a record beyond its stage rejects, one entry per kind, in display order. This is
 * the one place a kind is added (e.g. the delta filter's `unchanged`): its counter in RunCounts,
 * its field in summary.json's counts and in the journal's deltas (result kinds), its row in the
 * terminal summary, its tile in report.html, its `outcome` label of `propel_etl_records`, and its
 * place in the progress line and the JSON logs' counts all follow from its entry.
 */
interface OutcomeKindEntry {
  /** The counts key (summary.json; journal deltas for the result kinds). */
  readonly name: string;
  /** How people read it: the terminal summary row, the report tile, the progress line. */
  readonly label: string;
  /** Which answered items it counts (result kinds): an action the API names, or a refusal. Absent for a delta kind. */
  readonly answer?: 'create' | 'update' | 'refused';
  /** Shown as a row of the terminal summary (run mode). */
  readonly inTerminal: boolean;
  /** The terminal leaves the row out while it is 0. */
  readonly hideZero?: true;
  /** Counts as imported in progress lines. */
  readonly imported: boolean;
  /** A value of the `outcome` label of `propel_etl_records`. */
  readonly inMetrics: boolean;
  /** Shown in the live progress line and the JSON logs' counts, after `read`. */
  readonly inProgress?: true;
  /** Only pipelines with `delta:` count it: summary.json, the terminal, the report and the logs show it then. */
  readonly delta?: true;
  /** Said after the number in the terminal summary. */
  readonly note?: string;
  /** Records read and mapped that were never batched (the delta filter held them back): a dry run's `batched` leaves them out. */
  readonly heldBack?: true;
}

const KINDS = [
  { name: 'created', label: 'created', answer: 'create', inTerminal: true, imported: true, inMetrics: true },
  { name: 'updated', label: 'updated', answer: 'update', inTerminal: true, imported: true, inMetrics: true },
  { name: 'failed', label: 'failed at the API', answer: 'refused', inTerminal: false, imported: false, inMetrics: false },
  // What the delta filter (`delta:`) adds: items not sent because Propel acknowledged them as they are, and keys acknowledged in
  // earlier runs that this input no longer holds (found at the end of a completed run). Neither is settled by the sink, so neither
  // is in the journal: `unchanged` is counted again by each attempt, as `read` is.
  // What the delta filter passes on, told apart: keys the state does not hold, and keys whose item changed (or is due a refresh).
  // Known before the first request when the night is compared first (a state with keys, no --full).
  {
    name: 'new',
    label: 'new',
    inTerminal: true,
    imported: false,
    inMetrics: true,
    delta: true,
    note: '(keys the state does not hold: sent)',
  },
  {
    name: 'changed',
    label: 'changed',
    inTerminal: true,
    imported: false,
    inMetrics: true,
    delta: true,
    note: '(sent)',
  },
  {
    name: 'unchanged',
    label: 'unchanged',
    inTerminal: true,
    imported: false,
    inMetrics: true,
    inProgress: true,
    delta: true,
    heldBack: true,
    note: '(not sent: Propel has them as they are)',
  },
  {
    name: 'orphans',
    label: 'orphans',
    inTerminal: true,
    hideZero: true,
    imported: false,
    inMetrics: true,
    delta: true,
    note: '(keys Propel has that this export no longer holds: orphans.ndjson; nothing sent)',
  },
] as const satisfies readonly OutcomeKindEntry[];

type Entry = (typeof KINDS)[number];
export type OutcomeKind = OutcomeKindEntry & { readonly name: Entry['name'] };
export type OutcomeName = Entry['name'];
/** Kinds of an answered item: settled by the sink, carried by the journal. */
export type ResultKind = Exclude<Entry, { delta: true }>['name'];
/** Kinds only pipelines with `delta:` count. */
export type DeltaKind = Extract<Entry, { delta: true }>['name'];
/** Kinds the progress line and the JSON logs carry. */
export type ProgressKind = Extract<Entry, { inProgress: true }>['name'];
/** Kinds that are values of the `outcome` label of `propel_etl_records`. */
export type MetricKind = Extract<Entry, { inMetrics: true }>['name'];

/** Every kind, in display order. */
export const OUTCOME_KINDS: readonly OutcomeKind[] = KINDS;

const isDelta = (k: OutcomeKindEntry): boolean => k.delta === true;
export const RESULT_KINDS: readonly ResultKind[] = OUTCOME_KINDS.filter((k) => !isDelta(k)).map((k) => k.name as ResultKind);
export const DELTA_KINDS: readonly DeltaKind[] = OUTCOME_KINDS.filter(isDelta).map((k) => k.name as DeltaKind);
export const PROGRESS_KINDS: readonly (OutcomeKind & { readonly name: ProgressKind })[] = KINDS.filter(
  (k): k is Extract<Entry, { inProgress: true }> => 'inProgress' in k,
);
export const METRIC_KINDS: readonly MetricKind[] = OUTCOME_KINDS.filter((k) => k.inMetrics).map((k) => k.name as MetricKind);

/** Answered items by their action, and the refused ones: worked out once from the entries, looked up per item. */
const BY_ACTION = new Map<string, ResultKind>();
let REFUSED: ResultKind | undefined;
for (const k of OUTCOME_KINDS) {
  if (k.answer === undefined) continue;
  if (k.answer === 'refused') REFUSED = k.name as ResultKind;
  else BY_ACTION.set(k.answer, k.name as ResultKind);
}

/** The kind of an answered item; undefined for an action the API names that no kind counts (still answered). */
export function kindOf(r: ResultEvent): ResultKind | undefined {
  return r.success ? BY_ACTION.get(r.action) : REFUSED;
}
