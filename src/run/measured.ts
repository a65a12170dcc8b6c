import type { PipelineSpec } from '../config/pipeline-spec.js';
import { EXIT, isEtlError } from '../core/errors.js';
import { MetricsOutput, type MetricsWarning } from '../outputs/metrics/metrics-output.js';
import { metricsOfRefusal, metricsOfSummary } from '../outputs/metrics/run-metrics.js';
import type { TargetChoice } from './connect-target.js';
import type { JobOptions, JobResult, RunEvent, RunPipelineOptions, RunResult } from './run-types.js';
import type { RunMode, RunSummary } from '../outcomes/summary.js';
import type { OpenRunOptions } from './open-run.js';
import { fileLabel, jobOf, pipelineOf, type LoadedJob } from './run-file.js';

/**
 * Runs with their metrics: every run that was asked for leaves them, so that monitoring sees each
 * scheduled run end. A run that finishes reports through the metrics output in RUN_OUTPUTS; this
 * wrapper opens the output and reports a run refused before it could finish (it threw: exit 2,
 * or its run folder could not be used). Only `run` mode reports: a rehearsal (dry-run, validate)
 * must not pass for the nightly import.
 */
export async function measureRun(opts: RunPipelineOptions, run: (opts: RunPipelineOptions) => Promise<RunResult>): Promise<RunResult> {
  const output = await metricsOutputFor(opts);
  if (output === undefined) return run(opts);
  const refused = refusal(output, opts);
  let spec: PipelineSpec;
  try {
    // Loaded here so that a run refused later is reported under the pipeline's own name.
    spec = await pipelineOf(opts);
  } catch (e) {
    throw await refused(typeof opts.pipeline === 'string' ? fileLabel(opts.pipeline) : opts.pipeline.name, e);
  }
  const before = output.recorded;
  try {
    // A run that finishes reports through its outputs (RUN_OUTPUTS); one refused before that, here.
    return await run({ ...opts, pipeline: spec, metrics: output });
  } catch (e) {
    throw output.recorded === before ? await refused(spec.name, e) : e;
  }
}

/** What the finished run's metrics output needs: the output (run mode, metrics asked for) and the `target` label. */
export function reportingOf(
  opts: Pick<OpenRunOptions, 'metrics' | 'target'>,
  mode: RunMode,
): { readonly metrics?: { readonly output: MetricsOutput; readonly target: string } } {
  return opts.metrics instanceof MetricsOutput && mode === 'run'
    ? { metrics: { output: opts.metrics, target: targetLabel(opts.target) } }
    : {};
}

/**
 * A job: its steps share one output (one group per step on the Pushgateway, all steps in the
 * file). A job refused before its first step ran is reported under the job's name.
 */
export async function measureJob(
  opts: JobOptions,
  run: (opts: JobOptions & { readonly job: LoadedJob }) => Promise<JobResult>,
): Promise<JobResult> {
  const output = await metricsOutputFor(opts);
  if (output === undefined) return run({ ...opts, job: await jobOf(opts) });
  const refused = refusal(output, opts);
  let job: LoadedJob;
  try {
    job = await jobOf(opts);
  } catch (e) {
    throw await refused(typeof opts.job === 'string' ? fileLabel(opts.job) : opts.job.name, e);
  }
  const before = output.recorded;
  try {
    return await run({ ...opts, job, metrics: output });
  } catch (e) {
    throw output.recorded === before ? await refused(job.name, e) : e;
  }
}

/** A step a resumed job skips (it completed before): its earlier summary stays in the metrics file. */
export async function keepSkipped(opts: JobOptions, summary: RunSummary): Promise<void> {
  const reporting = reportingOf(opts, opts.mode ?? 'run');
  await reporting.metrics?.output.keep(metricsOfSummary(summary, reporting.metrics.target));
}

/** The output a caller that has not started a run yet (the CLI loading the file) reports a refusal to. */
export function refusal(output: MetricsOutput, opts: Pick<RunPipelineOptions, 'target'>): (name: string, e: unknown) => Promise<unknown> {
  const startedAt = Date.now();
  return async (pipeline, e) => {
    const exitCode = isEtlError(e) ? e.exitCode : EXIT.aborted;
    await output.record(metricsOfRefusal({ pipeline, target: targetLabel(opts.target), exitCode, startedAt, endedAt: Date.now() }));
    return e;
  };
}

async function metricsOutputFor(
  opts: Pick<RunPipelineOptions, 'metrics' | 'mode' | 'cwd' | 'env' | 'onEvent'>,
): Promise<MetricsOutput | undefined> {
  if (opts.metrics === undefined || (opts.mode ?? 'run') !== 'run') return undefined;
  return opts.metrics instanceof MetricsOutput
    ? opts.metrics
    : MetricsOutput.open(opts.metrics, { cwd: opts.cwd ?? process.cwd(), env: opts.env ?? process.env, warn: warningsTo(opts.onEvent) });
}

/** The `target` label: the target's name (`propel` by default). */
export function targetLabel(t: TargetChoice | undefined): string {
  return typeof t === 'string' ? t : (t?.name ?? 'propel');
}

/** Warnings go with the run's events; a library caller without a listener gets a process warning. */
export function warningsTo(onEvent: ((e: RunEvent) => void) | undefined): (w: MetricsWarning) => void {
  return (w) =>
    onEvent !== undefined
      ? onEvent({ type: 'warning', code: w.code, message: w.message })
      : process.emitWarning(w.message, { code: w.code });
}
