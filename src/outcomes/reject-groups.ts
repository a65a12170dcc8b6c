import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { isStage, type Stage } from './index.js';

/** One kind of reject: a stage and a reason with its values taken out, counted, with the first example. */
export interface RejectGroup {
  readonly stage: Stage;
  /** The reason with quoted values, indexes and bracketed ids replaced, so `"31-02-1980"` and `"30-02-1977"` group together. */
  readonly shape: string;
  count: number;
  /** Where the first one was, and its reason as written. */
  readonly example: { readonly file: string; readonly entry?: string; readonly line: number; readonly reason: string };
}

export interface RejectGroupsResult {
  /** Largest first. */
  readonly groups: readonly RejectGroup[];
  /** Rejects whose kind did not fit the bound on distinct kinds. */
  readonly other: number;
  /** Lines counted; less than the rejects when the reading bound was hit. */
  readonly counted: number;
  readonly truncated: boolean;
}

/** A kind of reject as summary.json and the end log line give it: no record values, only the shape. */
export interface RejectKind {
  readonly stage: Stage;
  readonly reason: string;
  readonly count: number;
}

/** Kinds of reject in summary.json (report.html lists more, with examples). */
export const SUMMARY_KINDS = 10;

export function topRejectKinds(r: RejectGroupsResult, n = SUMMARY_KINDS): RejectKind[] {
  return r.groups.slice(0, n).map((g) => ({ stage: g.stage, reason: g.shape, count: g.count }));
}

/** Distinct kinds kept; a run with more has a broken mapping, and the top few tell that story. */
export const MAX_GROUPS = 200;
/** Lines read from rejects.ndjson at most: bounds the end-of-run work for a run that rejected everything. */
export const MAX_LINES = 1_000_000;

/**
 * The shape of a reason: what stays the same between two records that failed the same way.
 * Quoted values, list indexes and bracketed ids are the record's own data; field names, the rule
 * and its numbers (a maximum length, an HTTP status) are not, so they stay.
 */
export function reasonShape(reason: string): string {
  return (
    reason
      // A quoted name after `field`, `column` or `key` is the schema's, not the record's: kept.
      .replace(/(\b(?:field|column|key|property)\s+)?"(?:[^"\\]|\\.)*"/g, (m, named: string | undefined) =>
        named !== undefined ? m : '"…"',
      )
      .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
      // A bracketed value standing as a word (`with sourceId [ann@x.nl] and source [CRM]`, as the
      // API words it) is the record's; a bracket inside a rule (`^[A-Z]{2}$`) is not.
      .replace(/(?<=\s)\[[^\][]*\](?=[\s.,;:)]|$)/g, (m) => (/^\[\d+\]$/.test(m) ? '[n]' : '[…]'))
      .replace(/\[\d+\]/g, '[n]')
      .replace(/\/\d+(?=[/:\s]|$)/g, '/n')
      .slice(0, 300)
  );
}

/** Counts rejects by kind in a bounded map: memory stays the same for a thousand rejects or ten million. */
export class RejectGrouper {
  private readonly groups = new Map<string, RejectGroup>();
  private other = 0;
  private counted = 0;

  constructor(private readonly maxGroups = MAX_GROUPS) {}

  add(stage: Stage, reason: string, where: { file: string; entry?: string; line: number }): void {
    this.counted++;
    const shape = reasonShape(reason);
    const key = `${stage}\u0000${shape}`;
    const g = this.groups.get(key);
    if (g !== undefined) {
      g.count++;
      return;
    }
    if (this.groups.size >= this.maxGroups) {
      this.other++;
      return;
    }
    this.groups.set(key, {
      stage,
      shape,
      count: 1,
      example: { file: where.file, ...(where.entry !== undefined ? { entry: where.entry } : {}), line: where.line, reason },
    });
  }

  result(truncated = false): RejectGroupsResult {
    const groups = [...this.groups.values()].sort((a, b) => b.count - a.count || a.example.line - b.example.line);
    return { groups, other: this.other, counted: this.counted, truncated };
  }
}

/**
 * Groups the rejects of a run folder's rejects.ndjson. Read at the end rather than hooked into
 * the sink: no extra work on the hot path, and a resumed run's file holds every attempt's
 * rejects, so the groups cover the whole run. A line that does not parse is skipped (a crash
 * can leave a torn last line).
 */
export async function readRejectGroups(path: string, opts: { maxLines?: number; maxGroups?: number } = {}): Promise<RejectGroupsResult> {
  const maxLines = opts.maxLines ?? MAX_LINES;
  const grouper = new RejectGrouper(opts.maxGroups);
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let seen = 0;
  let truncated = false;
  try {
    for await (const line of lines) {
      if (line === '') continue;
      if (seen++ >= maxLines) {
        truncated = true;
        break;
      }
      let r: { file?: unknown; entry?: unknown; line?: unknown; stage?: unknown; reason?: unknown };
      try {
        r = JSON.parse(line) as typeof r;
      } catch {
        continue;
      }
      if (typeof r.stage !== 'string' || !isStage(r.stage) || typeof r.reason !== 'string') continue;
      grouper.add(r.stage, r.reason, {
        file: String(r.file ?? ''),
        ...(typeof r.entry === 'string' ? { entry: r.entry } : {}),
        line: typeof r.line === 'number' ? r.line : 0,
      });
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  } finally {
    lines.close();
    input.destroy();
  }
  return grouper.result(truncated);
}
