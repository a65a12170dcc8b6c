/**
 * A first look before the first request: the first records of a run are read, mapped and
 * validated, and held back from the batcher until the reject budget was judged on them alone.
 * A sample already past `errors.maxRejects` (a date format that does not fit the export, a
 * column mapped wrong) ends the run with exit 3 and nothing sent, instead of sending the wrong
 * data until the budget bites downstream. Holding is bounded (the sample and one chunk), and the
 * input is read once: after the verdict the held records simply flow on.
 */
import type { ErrorsSpec } from '../../config/pipeline-spec.js';
import { RejectBudgetError } from '../../core/errors.js';
import type { ItemEvent, RejectEvent } from '../../core/record.js';
import { reasonShape } from '../../outcomes/reject-groups.js';
import type { RunCounts } from '../../outcomes/index.js';
import type { AdmitHold } from './admit.js';
import { budgetPassed, describeBudget } from './reject-budget.js';

/** Records in the sample (the whole input when it has fewer). */
const FIRST_LOOK_RECORDS = 1000;
/** Kinds of reject the abort message names. */
const TOP_REASONS = 3;

export interface FirstLookOptions {
  readonly errors: ErrorsSpec;
  /** The run's counts: records read so far (admit counts them) and what earlier attempts rejected. */
  readonly counts: Pick<RunCounts, 'read' | 'totalRejected' | 'notSent'>;
  /** Called with the budget error when the sample alone passes the budget; the held rejects still flow to the sink. */
  readonly onFail: (e: RejectBudgetError) => void;
  readonly size?: number;
}

/** The hold for admit, or undefined when there is no budget to judge. */
export function firstLook(opts: FirstLookOptions): AdmitHold<ItemEvent> | undefined {
  const max = opts.errors.maxRejects;
  if (max === undefined) return undefined;
  const size = opts.size ?? FIRST_LOOK_RECORDS;
  let held: ItemEvent[] | undefined = [];

  /**
   * Judges the held sample; what may flow on, and whether reading stops. The sample is judged as
   * a whole, as the end of an input is (a percentage whatever the count read).
   */
  const verdict = (): { events: ItemEvent[]; stop: boolean } => {
    const sample = held ?? [];
    held = undefined;
    const rejects = sample.filter((e): e is RejectEvent => e.kind === 'reject');
    // As the sink will count them once settled: earlier attempts' rejects plus the sample's.
    const rejected = opts.counts.totalRejected + rejects.length;
    if (!budgetPassed(max, rejected, opts.counts.read, true)) return { events: sample, stop: false };
    opts.onFail(
      new RejectBudgetError(
        `the first look at ${sample.length.toLocaleString('en-US')} records, before any request: ${describeBudget(max, rejected, opts.counts.read)}; nothing was sent. ` +
          `Most frequent: ${topReasons(rejects)}. See rejects.ndjson; once the pipeline or the export is fixed, start again with --fresh`,
      ),
    );
    // The sample's rejects are settled like any other (rejects.ndjson, the journal); its items are
    // read but not sent, unsettled for --resume, as after any stop.
    opts.counts.notSent(sample.length - rejects.length);
    return { events: rejects, stop: true };
  };

  return {
    pass(events) {
      if (held === undefined) return { events, stop: false };
      held.push(...events);
      return held.length >= size ? verdict() : { events: [], stop: false };
    },
    end(inputEnded) {
      if (held === undefined) return [];
      // Stopped by a signal before the sample was complete: nothing to judge, nothing more is read.
      if (!inputEnded) {
        const rest = held;
        held = undefined;
        return rest;
      }
      return verdict().events;
    },
  };
}

function topReasons(rejects: readonly RejectEvent[]): string {
  const kinds = new Map<string, number>();
  for (const r of rejects) {
    const kind = `${r.stage} ${reasonShape(r.reason)}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_REASONS)
    .map(([kind, n]) => `${n.toLocaleString('en-US')} × ${kind}`)
    .join('; ');
}
