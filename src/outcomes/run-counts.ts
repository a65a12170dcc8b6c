import type { Outcome } from '../core/record.js';
import { kindOf, OUTCOME_KINDS, RESULT_KINDS, type OutcomeName, type ResultKind } from './kinds.js';
import { STAGES, zeroByStage, type ByStage } from '../core/stages.js';

/**
 * The counts a settled outcome adds; the journal stores them as one delta per sink write so a
 * resumed run continues the totals. Its JSON shape is the journal's format: keep it.
 */
export type SettledCounts = { rejected: ByStage; answered: number } & Record<ResultKind, number>;

export function emptySettled(): SettledCounts {
  const c = { rejected: zeroByStage(), answered: 0 } as SettledCounts;
  for (const k of RESULT_KINDS) c[k] = 0;
  return c;
}

export function addSettled(into: SettledCounts, d: SettledCounts): void {
  into.answered += d.answered;
  for (const k of RESULT_KINDS) into[k] += d[k];
  for (const s of STAGES) into.rejected[s] += d.rejected[s];
}

/** Adds one outcome to a delta: a result line by its kind, a reject by its stage. */
export function countOutcome(into: SettledCounts, o: Outcome): void {
  if (o.kind === 'result') {
    into.answered++;
    const k = kindOf(o);
    if (k !== undefined) into[k]++;
  } else {
    into.rejected[o.stage]++;
  }
}

/** A counter per outcome kind (`kinds.ts`): created, updated, failed, unchanged, orphans. */
export type KindCounters = Record<OutcomeName, number>;

// The kinds' counters are declared by this interface and set up by the constructor from the list,
// so a kind added in kinds.ts has its counter here without a line of this file.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface RunCounts extends KindCounters {}

/**
 * What a run has done so far, in one object with one owner per counter: the admit gate counts
 * records read and skipped, the sender those read but never sent, the sink settled outcomes
 * (through `settled`), and a resumed run starts from the journal's totals (`resumeFrom`).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RunCounts implements SettledCounts {
  /** Records read from the source (including those rejected at the read stage). */
  read = 0;
  /** Records skipped on resume because an earlier attempt settled them. */
  skipped = 0;
  /** Records read in this attempt but never sent: the run stopped (signal or fatal error) first. */
  unsent = 0;
  rejected: ByStage = zeroByStage();
  /** Result lines: items the API answered (or, in a dry run, items written to batch files). */
  answered = 0;

  constructor() {
    for (const k of OUTCOME_KINDS) this[k.name] = 0;
  }

  /** One record past the gate; `skipped` when an earlier attempt settled it. */
  admitted(skipped: boolean): void {
    this.read++;
    if (skipped) this.skipped++;
  }

  /** The delta filter held these back. */
  heldBack(records: number): void {
    this.unchanged += records;
  }

  /** The delta filter passed these on: keys the state does not hold, and keys whose item changed. */
  changesFound(fresh: number, changed: number): void {
    this.new += fresh;
    this.changed += changed;
  }

  orphansFound(keys: number): void {
    this.orphans = keys;
  }

  notSent(records: number): void {
    this.unsent += records;
  }

  /** The sink's delta, once its lines are on disk. */
  settled(delta: SettledCounts): void {
    addSettled(this, delta);
  }

  /** A resumed attempt continues the journal's totals. */
  resumeFrom(earlier: SettledCounts): void {
    this.settled(earlier);
  }

  get totalRejected(): number {
    let n = 0;
    for (const s of STAGES) n += this.rejected[s];
    return n;
  }

  /**
   * Records that reached the API: every answered item, plus items a 400 refused (an api reject
   * without a result line). A success:false item has both a result and a reject, so it is taken out once.
   */
  get sent(): number {
    return this.answered + this.rejected.api - this.failed;
  }

  /** Created or updated at the API (the kinds marked imported). */
  get imported(): number {
    let n = 0;
    for (const k of OUTCOME_KINDS) if (k.imported) n += this[k.name];
    return n;
  }
}

export function emptyCounts(): RunCounts {
  return new RunCounts();
}
