import { Writable } from 'node:stream';
import type { Outcome, RejectEvent, ResultEvent } from '../core/record.js';
import type { Journal } from '../resume/journal.js';
import type { AppendFile } from './private-file.js';
import { countOutcome, emptySettled, type RunCounts } from '../outcomes/index.js';

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

/** The line's start up to the line number, for the last provenance seen: escaped once per file, not per line. */
let provFile: string | undefined;
let provEntry: string | undefined;
let provHead = '';

function provenanceHead(prov: ResultEvent['prov']): string {
  if (prov.file !== provFile || prov.entry !== provEntry || provHead === '') {
    provFile = prov.file;
    provEntry = prov.entry;
    provHead = `{"file":${JSON.stringify(prov.file)}${prov.entry !== undefined ? `,"entry":${JSON.stringify(prov.entry)}` : ''},"line":`;
  }
  return provHead;
}

/**
 * One results.ndjson line, built as text: the same bytes as JSON.stringify of
 * `{file, entry?, line, key, action, id, success, error?, batch}` without making that object.
 */
export function resultLine(r: ResultEvent): string {
  return (
    provenanceHead(r.prov) +
    r.prov.line +
    ',"key":' +
    JSON.stringify(r.key) +
    ',"action":' +
    JSON.stringify(r.action) +
    ',"id":' +
    JSON.stringify(r.id) +
    ',"success":' +
    r.success +
    (r.error !== undefined ? ',"error":' + JSON.stringify(r.error) : '') +
    ',"batch":' +
    r.batch +
    '}'
  );
}

export function rejectLine(r: RejectEvent): string {
  return JSON.stringify({
    file: r.prov.file,
    ...(r.prov.entry !== undefined ? { entry: r.prov.entry } : {}),
    line: r.prov.line,
    stage: r.stage,
    reason: r.reason,
    reasons: r.reasons ?? [r.reason],
    record: r.record,
  });
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
    // Lines joined once (each ends with '\n' through the last, empty, element): appending to a
    // string made a rope that the write then flattened, two copies of every line.
    const results: string[] = [];
    const rejects: string[] = [];
    const seqs: number[] = [];
    const delta = emptySettled();
    for (const o of outcomes) {
      seqs.push(o.prov.seq);
      countOutcome(delta, o);
      if (o.kind === 'result') results.push(resultLine(o));
      else rejects.push(rejectLine(o));
    }
    await Promise.all([opts.results.write(lines(results)), opts.rejects.write(lines(rejects))]);
    if (opts.journal !== undefined) {
      // Without a journal nothing depends on the order, and the files are closed at the end anyway.
      await Promise.all([opts.results.sync(), opts.rejects.sync()]);
      opts.state?.settle(outcomes);
      await opts.journal.settle(seqs, delta);
    }
    opts.counts.settled(delta);
    opts.check?.();
  }
}
