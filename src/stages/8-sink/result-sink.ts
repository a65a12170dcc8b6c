import { Writable } from 'node:stream';
import type { Outcome, RejectEvent, ResultEvent } from '../../core/record.js';
import type { Journal } from '../../resume/journal.js';
import type { AppendFile } from '../../core/private-file.js';
import { countOutcome, emptySettled, type RunCounts } from '../../outcomes/index.js';
import { LineBytes } from './line-bytes.js';

export interface ResultSinkOptions {
  readonly results: AppendFile;
  readonly rejects: AppendFile;
  /** Absent in `validate`, which settles nothing for a later resume. */
  readonly journal?: Pick<Journal, 'settle'>;
  /** Running totals, shared with the rest of the run (summary, progress, budget). */
  readonly counts: Pick<RunCounts, 'settled'>;
  /**
   * Told each group of outcomes once their lines are on disk and before the journal names them
   * (the delta state: a hash is recorded only for an answer whose result line survives a crash).
   */
  readonly state?: { settle(outcomes: readonly Outcome[]): void };
  /** Called after each write with the totals; throws (an EtlError) to abort the run, e.g. past the reject budget. */
  readonly check?: () => void;
}

/**
 * The line's start up to the line number, for the last provenance seen: escaped and encoded once
 * per file, not per line. One per sink, so that sinks of runs side by side do not undo each other's.
 */
export class ProvenanceHead {
  private file: string | undefined;
  private entry: string | undefined;
  private head: Buffer | undefined;

  of(prov: ResultEvent['prov']): Buffer {
    if (prov.file !== this.file || prov.entry !== this.entry || this.head === undefined) {
      this.file = prov.file;
      this.entry = prov.entry;
      this.head = Buffer.from(
        `{"file":${JSON.stringify(prov.file)}${prov.entry !== undefined ? `,"entry":${JSON.stringify(prov.entry)}` : ''},"line":`,
      );
    }
    return this.head;
  }
}

/**
 * One results.ndjson line and its newline, written as bytes: the same bytes as JSON.stringify of
 * `{file, entry?, line, key, action, id, success, error?, batch}` without making that object or a
 * string for the line.
 */
export function writeResultLine(out: LineBytes, r: ResultEvent, head: ProvenanceHead): void {
  out.bytes(head.of(r.prov));
  out.number(r.prov.line);
  out.ascii(',"key":');
  out.string(r.key);
  out.ascii(',"action":');
  out.string(r.action);
  out.ascii(',"id":');
  if (typeof r.id === 'number') out.number(r.id);
  else if (typeof r.id === 'string') out.string(r.id);
  else out.ascii('null');
  out.ascii(r.success ? ',"success":true' : ',"success":false');
  if (r.error !== undefined) {
    out.ascii(',"error":');
    out.string(r.error);
  }
  out.ascii(',"batch":');
  out.number(r.batch);
  out.ascii('}\n');
}

export function rejectLine(r: RejectEvent): string {
  const line = (record: unknown): string =>
    JSON.stringify({
      file: r.prov.file,
      ...(r.prov.entry !== undefined ? { entry: r.prov.entry } : {}),
      line: r.prov.line,
      stage: r.stage,
      reason: r.reason,
      reasons: r.reasons ?? [r.reason],
      record,
    });
  try {
    return line(r.record);
  } catch (e) {
    // A reject is never lost for its record: one JSON cannot show (a BigInt, a cycle) is named instead.
    return line(`(the record cannot be written as JSON: ${e instanceof Error ? e.message : String(e)})`);
  }
}

function lines(list: string[]): string {
  if (list.length === 0) return '';
  list.push('');
  return list.join('\n');
}

/**
 * The end of the pipeline. Node hands it every outcome buffered since the last write
 * (`writev`), which it turns into one write per file: results and rejects first, synced to
 * disk, then the journal, so a record is never marked settled before its line exists, not even
 * after a power loss. The syncs group themselves: outcomes that arrive while one write waits for
 * the disk go out together in the next, so a slow disk means fewer, larger writes. The stream's
 * highWaterMark bounds what waits here; a disk slower than that slows the whole pipeline down.
 */
export function createResultSink(opts: ResultSinkOptions): Writable {
  const results = new LineBytes();
  const head = new ProvenanceHead();
  return new Writable({
    objectMode: true,
    // Eight batches of 500: room to keep sending while a sync runs (at 1,024, the syncs cost the
    // bench ~8% of its wall time; at 4,096 nothing measurable). Outcomes are small: ~1 MB at most.
    highWaterMark: 4096,
    writev(chunks, cb) {
      settle(chunks.map((c) => c.chunk as Outcome)).then(() => cb(), cb);
    },
  });

  async function settle(outcomes: readonly Outcome[]): Promise<void> {
    // Result lines go straight into one buffer as bytes, reused by every write (a write finishes
    // before the next settle starts); rejects are rare and stay strings, joined once.
    results.clear();
    const rejects: string[] = [];
    const seqs: number[] = [];
    const delta = emptySettled();
    for (const o of outcomes) {
      seqs.push(o.prov.seq);
      countOutcome(delta, o);
      if (o.kind === 'result') writeResultLine(results, o, head);
      else rejects.push(rejectLine(o));
    }
    await Promise.all([opts.results.write(results.view()), opts.rejects.write(lines(rejects))]);
    if (opts.journal !== undefined) {
      // Without a journal nothing depends on the order, and the files are closed at the end anyway.
      await Promise.all([opts.results.sync(), opts.rejects.sync()]);
      opts.state?.settle(outcomes);
      await opts.journal.settle(seqs, delta, { results: opts.results.size, rejects: opts.rejects.size });
    }
    opts.counts.settled(delta);
    opts.check?.();
  }
}
