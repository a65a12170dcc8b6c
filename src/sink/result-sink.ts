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
  /** Called after each write with the totals; throws (an EtlError) to abort the run, e.g. past the reject budget. */
  readonly check?: () => void;
}

export function resultLine(r: ResultEvent): string {
  return JSON.stringify({
    file: r.prov.file,
    ...(r.prov.entry !== undefined ? { entry: r.prov.entry } : {}),
    line: r.prov.line,
    key: r.key,
    action: r.action,
    id: r.id,
    success: r.success,
    ...(r.error !== undefined ? { error: r.error } : {}),
    batch: r.batch,
  });
}

export function rejectLine(r: RejectEvent): string {
  return JSON.stringify({
    file: r.prov.file,
    ...(r.prov.entry !== undefined ? { entry: r.prov.entry } : {}),
    line: r.prov.line,
    stage: r.stage,
    reason: r.reason,
    record: r.record,
  });
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
    let results = '';
    let rejects = '';
    const seqs: number[] = [];
    const delta = emptySettled();
    for (const o of outcomes) {
      seqs.push(o.prov.seq);
      countOutcome(delta, o);
      if (o.kind === 'result') results += resultLine(o) + '\n';
      else rejects += rejectLine(o) + '\n';
    }
    await Promise.all([opts.results.write(results), opts.rejects.write(rejects)]);
    if (opts.journal !== undefined) {
      // Without a journal nothing depends on the order, and the files are closed at the end anyway.
      await Promise.all([opts.results.sync(), opts.rejects.sync()]);
      await opts.journal.settle(seqs, delta);
    }
    opts.counts.settled(delta);
    opts.check?.();
  }
}
