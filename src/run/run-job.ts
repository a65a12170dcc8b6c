import { ownFolder, writeWhole } from '../core/private-file.js';
import { basename, dirname, extname, join } from 'node:path';
import { loadPipeline, loadTarget } from '../config/index.js';
import type { PipelineSpec } from '../config/pipeline-spec.js';
import { EXIT, isEtlError, type ExitCode } from '../core/errors.js';
import { compileMapping } from '../stages/3-map/compile-mapping.js';
import { JOURNAL_FILE } from '../resume/journal.js';
import type { Emulator } from '../emulator/index.js';
import { chooseRunFolder, makeFolder, readSummary } from './run-folder.js';
import { runPipeline } from './run-pipeline.js';
import type { JobOptions, JobResult, JobStepResult, RunResult } from './run-types.js';
export type { JobOptions, JobResult, JobStepEvent, JobStepResult } from './run-types.js';
import type { TargetChoice } from './connect-target.js';
import { pathExists } from '../core/path-exists.js';
import { checkRunJobOptions } from './run-options.js';
import { checkFormatName, checkSourceColumns } from '../preflight/index.js';
import { checkFirstEncoding } from '../stages/1-read/check-encoding.js';
import { resolveInputs } from '../stages/1-read/resolve-inputs.js';
import { keepSkipped, measureJob } from './measured.js';
import type { LoadedJob } from './run-file.js';

export const JOB_SUMMARY_FILE = 'job-summary.json';
/** Written when a job starts: it marks the folder as this job's, for --resume without --out. */
export const JOB_FILE = 'job.json';

/**
 * A job: pipelines run in order in one process, one run folder with a folder per step. A step
 * that aborts (exit 2, 3 or 130) stops the job with its code; rejects (exit 1) do not. With
 * --resume, steps that completed are skipped and the cut-off step resumes.
 */
export async function runJob(opts: JobOptions): Promise<JobResult> {
  checkRunJobOptions(opts);
  return measureJob(opts, runJobOnce);
}

async function runJobOnce(opts: JobOptions & { readonly job: LoadedJob }): Promise<JobResult> {
  const { job: _job, onStep: _onStep, ...runOptions } = opts;
  const cwd = opts.cwd ?? process.cwd();
  // Every step's configuration is checked before the first step sends anything: a typo in the
  // users step must not surface after the usergroups were already loaded (exit 2 means nothing was sent).
  const specs: PipelineSpec[] = [];
  for (const step of opts.job.steps) {
    const spec = await loadPipeline(step, { vars: { ...opts.vars }, env: opts.env ?? process.env });
    const mapRecord = compileMapping(spec.mapping);
    // As the step's own run checks them (open-run.ts): a Parquet file's mapped columns are checked when its footer is read.
    checkFormatName(spec);
    const inputs = await resolveInputs(spec.source, dirname(spec.file), { columns: mapRecord.sources });
    await checkSourceColumns(spec, inputs);
    const mode = opts.mode ?? 'run';
    // A run reaches its target before it reads, so it checks its inputs' encoding first: so does the job, for every step.
    if (mode === 'run') await checkFirstEncoding(inputs, spec.source);
    // The step's delta state as its run will open it (locked by another run? damaged? another target's?), then let go.
    if (mode !== 'validate' && spec.delta !== undefined) {
      const { DeltaRun } = await import('../stages/5-delta/delta-run.js');
      await DeltaRun.check({
        spec,
        mode,
        target: opts.target ?? 'propel',
        env: opts.env ?? process.env,
        cwd,
        ...(opts.state !== undefined ? { stateDir: opts.state } : {}),
        ...(opts.full === true ? { full: true } : {}),
      });
    }
    specs.push(spec);
  }
  const jobDir = await chooseRunFolder(opts.job.name, opts, cwd, JOB_FILE);
  await makeFolder(jobDir);
  await ownFolder(jobDir);
  await writeWhole(
    join(jobDir, JOB_FILE),
    JSON.stringify({ job: opts.job.name, file: opts.job.file, steps: opts.job.steps }, null, 2) + '\n',
  );

  // `local` must be one emulator for the whole job: the users step needs the usergroups the first step stored.
  let emulator: Emulator | undefined;
  let target: TargetChoice = opts.target ?? 'propel';
  // Only a run sends: a rehearsal or a validation needs no target, nor its credentials.
  if (typeof target === 'string' && (opts.mode ?? 'run') === 'run') {
    const spec = await loadTarget(target, { env: opts.env ?? process.env, cwd });
    if (spec.kind === 'emulator') {
      // Imported for the embedded targets only, as in connect-target.ts.
      const { startEmulator } = await import('../emulator/server.js');
      emulator = await startEmulator(spec.stateFile !== undefined ? { stateFile: spec.stateFile } : {});
      const c = emulator.clients[0]!;
      const embedded = { storeId: emulator.store.storeId, persistent: spec.stateFile !== undefined };
      target = {
        name: spec.name,
        kind: 'http',
        baseUrl: emulator.baseUrl,
        tokenUrl: emulator.tokenUrl,
        clientId: c.id,
        clientSecret: c.secret,
        embedded,
      };
    }
  }

  const steps: JobStepResult[] = [];
  const runs: RunResult[] = [];
  let exitCode: ExitCode = EXIT.ok;
  const stepDir = (i: number, step: string): string => join(jobDir, `${String(i + 1).padStart(2, '0')}-${basename(step, extname(step))}`);
  try {
    for (const [i, step] of opts.job.steps.entries()) {
      const outDir = stepDir(i, step);
      if (exitCode >= EXIT.usage) {
        steps.push({ step, outDir, exitCode: EXIT.ok, status: 'not-run' });
        continue;
      }
      const before = opts.resume === true ? await readSummary(outDir) : undefined;
      if (before?.status === 'completed') {
        opts.onStep?.({ step: i + 1, steps: opts.job.steps.length, file: step, status: 'skipped' });
        steps.push({ step, outDir, exitCode: before.exitCode as ExitCode, status: 'skipped', counts: before.counts });
        await keepSkipped(opts, before);
        exitCode = worse(exitCode, before.exitCode as ExitCode);
        continue;
      }
      // A step cut off by a crash (kill -9) has a checkpoint but no summary: it resumes too, so
      // what the API acknowledged is not sent again. A step that never started starts afresh.
      const started = opts.resume === true && (before !== undefined || (await pathExists(join(outDir, JOURNAL_FILE))));
      opts.onStep?.({ step: i + 1, steps: opts.job.steps.length, file: step, status: 'running' });
      try {
        const run = await runPipeline({
          ...runOptions,
          pipeline: specs[i]!,
          target,
          out: outDir,
          resume: started,
          fresh: opts.fresh === true || (opts.resume === true && !started),
        });
        runs.push(run);
        steps.push({ step, outDir, exitCode: run.exitCode, status: run.status, counts: run.summary.counts });
        exitCode = worse(exitCode, run.exitCode);
      } catch (e) {
        // A step refused before sending (its run folder, its inputs): the job stops with its code.
        steps.push({ step, outDir, exitCode: isEtlError(e) ? e.exitCode : EXIT.aborted, status: 'aborted' });
        throw e;
      }
    }
  } finally {
    await emulator?.close();
    const worst = steps.reduce<ExitCode>((a, s) => worse(a, s.exitCode), EXIT.ok);
    await writeWhole(join(jobDir, JOB_SUMMARY_FILE), JSON.stringify({ job: opts.job.name, exitCode: worst, steps }, null, 2) + '\n');
  }
  return { exitCode, outDir: jobDir, steps, runs };
}

/** Exit codes ordered by severity: an abort outranks rejects, rejects outrank success. */
function worse(a: ExitCode, b: ExitCode): ExitCode {
  return b > a ? b : a;
}
