import { pipeline } from 'node:stream/promises';
import { ERR, InternalError, isEtlError, restateRefusal, type EtlError } from '../core/errors.js';
import { runDeferredPasses, sendChanges, type PassWiring } from './run-passes.js';
import type { ChangesSpill } from '../stages/5-delta/changes-spill.js';
import { RunHalt } from './run-halt.js';
import { rejectBudgetCheck, restateBudgetError } from '../stages/2-gate/reject-budget.js';
import { Run } from './open-run.js';
import { buildStages } from './build-stages.js';
import { noteBreak } from './input-check.js';
import { composeSender } from './compose-sender.js';
import { finishRun } from './finish-run.js';
import type { RunStatus } from '../outcomes/summary.js';
import { checkRunPipelineOptions } from './run-options.js';
import { requireRecords } from '../preflight/index.js';
import { measureRun } from './measured.js';
import { releaseDownloads } from '../storage/index.js';

export type { RunEvent, RunPipelineOptions, RunResult } from './run-types.js';
import type { RunEvent, RunPipelineOptions, RunResult } from './run-types.js';

/**
 * One pipeline, end to end: open the run -> build the stages for the mode -> run them -> deferred
 * passes -> finish (exit code, then each output). Configuration errors throw before anything is
 * sent (exit 2). Once records flow, a broken pipeline ends the run as `aborted` with the error in
 * the result: the files written so far and the journal make it resumable.
 */
export async function runPipeline(opts: RunPipelineOptions): Promise<RunResult> {
  checkRunPipelineOptions(opts);
  try {
    return await measureRun(opts, runOnce);
  } finally {
    await releaseDownloads();
  }
}

async function runOnce(opts: RunPipelineOptions): Promise<RunResult> {
  const emit = (e: RunEvent): void => opts.onEvent?.(e);
  const run = await Run.prepare({ ...opts, onSend: (event) => emit({ type: 'send', event }) });
  // A signal or a fatal error stops the run and lets everything already sent settle; see RunHalt.
  const halt = new RunHalt(opts.stop);
  let status: RunStatus = 'completed';
  let error: EtlError | undefined;
  // A night compared first keeps its changes in a spill file of the run folder until they are sent.
  let changes: ChangesSpill | undefined;
  try {
    await run.open();
    for (const message of [...(run.delta?.warnings ?? []), ...(run.delta?.inputWarnings ?? [])]) emit({ type: 'warning', message });
    emit({
      type: 'start',
      runId: run.runId,
      pipeline: run.spec.name,
      outDir: run.outDir,
      attempt: run.attempt,
      target: run.target?.name ?? null,
      progress: () => run.probe.snapshot(),
    });
    // The target is reached (a token) before the input is read.
    await run.target?.reach();
    const budget = rejectBudgetCheck(run.spec.errors, run.counts);
    const sender =
      run.target !== undefined
        ? composeSender(run.target.client, { probe: run.probe, ...(run.deferred !== undefined ? { deferred: run.deferred } : {}) })
        : undefined;
    const stages = buildStages(run, halt, sender, halt.guard(budget));
    changes = stages.changes;
    await pipeline(stages.streams as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]);
    halt.throwIfFailed();
    // A broken input ended the reading early (deferFailure); what was read before the break has been settled.
    if (stages.source.failure !== undefined) {
      await noteBreak(run.journal, stages.source.failure, run.inputs, run.spec.source);
      throw stages.source.failure;
    }
    requireRecords({
      read: run.counts.read,
      inputs: run.inputs,
      source: run.spec.source,
      limit: opts.limit,
      stopped: opts.stop?.aborted === true,
    });
    // Passes after the main stream (the night's changes, then the held refusals) send through the same sender and sink.
    const wiring: PassWiring | undefined =
      sender !== undefined
        ? {
            sender,
            batch: stages.batch,
            concurrency: run.spec.send.concurrency,
            sink: stages.sink,
            onBatch: () => run.stats.batches++,
            stop: halt.signal,
            onFailure: (e) => halt.fail(e),
          }
        : undefined;
    if (changes !== undefined && run.delta !== undefined && wiring !== undefined) {
      // The whole night was compared: its counts are known before the first request.
      run.delta.checkThresholds(run.counts);
      run.probe.beginSending(run.counts.new + run.counts.changed);
      await sendChanges(changes, run.delta, { ...wiring, onUnsent: (records) => run.counts.notSent(records) });
      halt.throwIfFailed();
    }
    if (run.deferred !== undefined && wiring !== undefined) await runDeferredPasses(run.deferred, wiring);
    halt.throwIfFailed();
    if (!halt.signal.aborted) budget?.(true);
    if (opts.stop?.aborted === true) status = 'interrupted';
    else run.delta?.countOrphans(run.counts, opts.limit !== undefined);
  } catch (e) {
    status = 'aborted';
    error = isEtlError(e)
      ? e
      : new InternalError(`internal error: ${e instanceof Error ? e.message : String(e)}`, ERR.INTERNAL, { cause: e });
  } finally {
    await changes?.dispose().catch(() => undefined);
    await run.close();
  }
  // A budget passed while records flowed is stated with the settled counts, the summary's.
  const stated = error !== undefined ? restateRefusal(error, run.counts.imported) : undefined;
  return finishRun(run, status, restateBudgetError(stated, run.spec.errors, run.counts), emit);
}
