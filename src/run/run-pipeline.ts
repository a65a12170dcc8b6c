import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { ItemEvent } from '../core/record.js';
import { pipeline } from 'node:stream/promises';
import type { PipelineSpec } from '../config/pipeline-spec.js';
import { loadPipeline } from '../config/index.js';
import { EXIT, EtlError, TransportError, isEtlError, type ExitCode } from '../core/errors.js';
import { RESOURCES } from '../core/resource.js';
import { directivesToRequest, requestEnvelope } from '../core/request-body.js';
import { createBatchStream } from '../batch/batch-stream.js';
import { compileMapping } from '../mapping/compile-mapping.js';
import { openSource, resolveInputs } from '../sources/index.js';
import { createSendStream } from '../send/send-stream.js';
import type { SendEvent } from '../send/send-event.js';
import { Journal, JOURNAL_FILE, readJournal, type JournalState } from '../resume/journal.js';
import { PrivateFile } from '../sink/private-file.js';
import { createResultSink } from '../sink/result-sink.js';
import { emptyCounts, totalRejected, type RunCounts } from '../sink/run-counts.js';
import { admit } from './admit.js';
import { createPrepareEvent } from './prepare-event.js';
import { createDryRunStream } from './dry-run-stream.js';
import { rejectBudgetCheck } from './reject-budget.js';
import { RunHalt } from '../resume/run-halt.js';
import { BATCHES_DIR, defaultRunFolder, latestRunFolder, prepareRunFolder, type FolderMode } from './run-folder.js';
import { buildSummary, type RunMode, type RunStatus, type RunSummary } from './summary.js';
import { connectTarget, type TargetChoice } from './connect-target.js';
import { DeferredPasses, runDeferredPasses } from './deferred-passes.js';
import { writeFile } from 'node:fs/promises';
import { RunProbe, type ProgressSnapshot } from '../progress/run-probe.js';
import { RunRecorder } from '../report/run-recorder.js';
import { readRejectGroups, topRejectKinds, type RejectGroupsResult } from '../report/reject-groups.js';
import { writeReport } from '../report/write-report.js';

export interface RunPipelineOptions {
  /** A pipeline file, or an already loaded spec. */
  readonly pipeline: string | PipelineSpec;
  /** `run` sends; `dry-run` writes the batches it would send; `validate` reads, maps and validates only. */
  readonly mode?: RunMode;
  /** A target name from config/targets.yaml (default `propel`), or a target given in code. */
  readonly target?: TargetChoice;
  /** The run folder (default `runs/<name>/<timestamp>/`). */
  readonly out?: string;
  readonly resume?: boolean;
  readonly fresh?: boolean;
  /** Only the first N records. */
  readonly limit?: number;
  readonly vars?: Readonly<Record<string, string>>;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Used when the source path is `-`. */
  readonly stdin?: Readable;
  /** Aborting it stops reading; what was read is settled, then the run ends as interrupted (exit 130). */
  readonly stop?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
}

export type RunEvent =
  | { readonly type: 'start'; readonly runId: string; readonly pipeline: string; readonly outDir: string; readonly attempt: number; readonly target: string | null; readonly progress: () => ProgressSnapshot }
  | { readonly type: 'send'; readonly event: SendEvent }
  | { readonly type: 'end'; readonly summary: RunSummary; readonly outDir: string; readonly rejects: RejectGroupsResult };

export interface RunResult {
  readonly exitCode: ExitCode;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly outDir: string;
  /** Rejects grouped by stage and reason, largest first, each with its first example (report.html has them too). */
  readonly rejects: RejectGroupsResult;
  /** Why the run stopped early (status aborted). */
  readonly error?: EtlError;
}

/**
 * One pipeline, end to end:
 *   reader -> admit (stop, resume filter, counts; map + validate per record) -> batcher -> sender -> sink
 * Records move as arrays (chunks of at most CHUNK_EVENTS) from the reader to the batcher.
 * Configuration errors throw before anything is sent (exit 2). Once records flow, a broken
 * pipeline ends the run as `aborted` with the error in the result: the files written so far and
 * the journal make it resumable.
 */
export async function runPipeline(opts: RunPipelineOptions): Promise<RunResult> {
  const mode = opts.mode ?? 'run';
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const spec = typeof opts.pipeline === 'string' ? await loadPipeline(opts.pipeline, { vars: { ...opts.vars }, env }) : opts.pipeline;
  const resource = RESOURCES[spec.resource];

  // Everything that can be wrong with the configuration is found before the first request.
  const mapRecord = compileMapping(spec.mapping);
  const inputs = await resolveInputs(spec.source, dirname(spec.file));
  const directives = spec.resource === 'usergroups' ? directivesToRequest(spec.directives) : [];
  const envelope = requestEnvelope(resource, directives);

  const outDir = opts.out !== undefined ? resolve(cwd, opts.out) : opts.resume === true ? ((await latestRunFolder(spec.name, cwd)) ?? defaultRunFolder(spec.name, new Date(), cwd)) : defaultRunFolder(spec.name, new Date(), cwd);
  const folderMode: FolderMode = opts.resume === true ? 'resume' : opts.fresh === true ? 'fresh' : 'new';
  // A rehearsal or a validation has nothing to resume: it always starts its folder anew.
  await prepareRunFolder(outDir, mode === 'run' ? folderMode : folderMode === 'resume' ? 'fresh' : folderMode);

  const counts: RunCounts = emptyCounts();
  const probe = new RunProbe(counts, mode);
  const recorder = new RunRecorder(() => probe.snapshot());
  const target = mode === 'run' ? await connectTarget(opts.target ?? 'propel', { env, cwd, resource, send: spec.send, directives, onEvent: (e) => { recorder.onSend(e); opts.onEvent?.({ type: 'send', event: e }); } }) : undefined;

  // Items refused (e.g. parent not there yet) wait and are sent again after the main stream.
  const deferred = target !== undefined ? new DeferredPasses({ dir: outDir }) : undefined;
  const startedAt = new Date();
  let earlier: JournalState | undefined;
  let journal: Journal | undefined;
  let runId: string = randomUUID();
  let attempt = 1;
  const journalPath = join(outDir, JOURNAL_FILE);
  const files: PrivateFile[] = [];
  let status: RunStatus = 'completed';
  let error: EtlError | undefined;
  const stats = { batches: 0, requests: 0, retries: 0 };

  try {
    if (mode === 'run') {
      if (folderMode === 'resume') {
        earlier = await readJournal(journalPath);
        runId = earlier.header.runId;
        attempt = earlier.attempts + 1;
        Object.assign(counts, structuredClone(earlier.counts));
        journal = await Journal.append(journalPath, attempt);
      } else {
        journal = await Journal.create(journalPath, { t: 'start', runId, pipeline: spec.name, resource: spec.resource, startedAt: startedAt.toISOString() });
      }
    }
    const fileFlags = folderMode === 'resume' ? 'a' : 'w';
    const results = await PrivateFile.open(join(outDir, 'results.ndjson'), fileFlags);
    files.push(results);
    const rejects = await PrivateFile.open(join(outDir, 'rejects.ndjson'), fileFlags);
    files.push(rejects);
    recorder.start();
    opts.onEvent?.({ type: 'start', runId, pipeline: spec.name, outDir, attempt, target: target?.name ?? null, progress: () => probe.snapshot() });

    // A fatal error stops the reading and lets everything already read settle; see RunHalt.
    const halt = new RunHalt(opts.stop);
    const budget = rejectBudgetCheck(spec.errors, counts);
    const source = openSource(inputs, spec.source, { deferFailure: true, chunked: true, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}), ...(opts.limit !== undefined ? { limit: opts.limit } : {}) });
    probe.watchSource(source);
    // Records travel as arrays (chunks) up to the batcher; map and validate run inside admit.
    const prepare = createPrepareEvent(mapRecord, spec.resource);
    const stages: (Readable | Transform)[] = [
      admit(source, { counts, ...(earlier !== undefined ? { done: earlier.done } : {}), stop: halt.signal, prepare }),
    ];
    if (mode !== 'validate') {
      stages.push(createBatchStream({ size: spec.batch.size, maxBytes: spec.batch.maxBytes, envelopeBytes: envelope.bytes }, () => stats.batches++, { highWaterMark: 1 }));
      stages.push(mode === 'run' && target !== undefined ? createSendStream(probe.wrapSender(deferred?.wrap(target.client) ?? target.client), { concurrency: spec.send.concurrency, onFailure: (e) => halt.fail(e) }) : createDryRunStream(join(outDir, BATCHES_DIR), envelope, resource.lookupKey));
    } else {
      // Valid items end here in a validation: only rejects are outcomes for the sink.
      stages.push(new Transform({
        objectMode: true,
        writableHighWaterMark: 1,
        transform(chunk: readonly ItemEvent[], _enc, cb) {
          for (const ev of chunk) if (ev.kind === 'reject') this.push(ev);
          cb();
        },
      }));
    }
    const sinkOptions = { results, rejects, ...(journal !== undefined ? { journal } : {}), counts, check: halt.guard(budget) };
    const sink = createResultSink(sinkOptions);
    await pipeline([...stages, sink] as unknown as [Readable, ...Transform[], NodeJS.WritableStream]);
    halt.throwIfFailed();
    // A broken input ended the reading early (deferFailure); what was read before the break has been settled.
    if (source.failure !== undefined) throw source.failure;
    if (deferred !== undefined && target !== undefined) {
      const batch = { size: spec.batch.size, maxBytes: spec.batch.maxBytes, envelopeBytes: envelope.bytes };
      await runDeferredPasses(deferred, { client: probe.wrapSender(target.client), batch, concurrency: spec.send.concurrency, sink: sinkOptions, onBatch: () => stats.batches++, stop: halt.signal, onFailure: (e) => halt.fail(e) });
    }
    halt.throwIfFailed();
    if (!halt.signal.aborted) budget?.(true);
    if (opts.stop?.aborted === true) status = 'interrupted';
  } catch (e) {
    status = 'aborted';
    error = isEtlError(e) ? e : new TransportError(`internal error: ${e instanceof Error ? e.message : String(e)}`, {}, 'ETL_INTERNAL', { cause: e });
  } finally {
    await Promise.allSettled([...files.map((f) => f.close()), journal?.close(), target?.close(), deferred?.dispose()]);
  }

  if (target !== undefined) Object.assign(stats, { requests: target.stats.requests, retries: target.stats.retries });
  const exitCode: ExitCode = status === 'aborted' ? (error?.exitCode ?? EXIT.aborted) : status === 'interrupted' ? EXIT.interrupted : totalRejected(counts) > 0 ? EXIT.rejects : EXIT.ok;
  const endedAt = new Date();
  recorder.stop();
  // Read at the end rather than counted in the sink: no work on the hot path, and a resumed run's
  // rejects.ndjson holds every attempt's rejects.
  const rejects = await readRejectGroups(join(outDir, 'rejects.ndjson'));
  const summary = buildSummary({
    runId, pipeline: spec.name, resource: spec.resource, mode, target: target?.name ?? null, status, exitCode, attempt,
    startedAt, endedAt, counts, ...stats, topRejects: topRejectKinds(rejects), ...(error !== undefined ? { error } : {}),
  });
  await writeFile(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n', { mode: 0o600 });
  await writeReport(outDir, summary, recorder, rejects);
  opts.onEvent?.({ type: 'end', summary, outDir, rejects });
  return { exitCode, status, summary, outDir, rejects, ...(error !== undefined ? { error } : {}) };
}
