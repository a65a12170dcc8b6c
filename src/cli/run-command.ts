/**
 * `propel-etl run` and `validate`. Loaded by the CLI only when one of them is the command, so
 * that `--version`, `--help`, `init`, `emulator` and `state` do not load the pipeline.
 */
import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import { ERR, ConfigError, EXIT, isEtlError } from '../core/errors.js';
import { loadRunFile, type RunFile } from '../config/index.js';
import { MetricsOutput } from '../outputs/metrics/metrics-output.js';
import { refusal, warningsTo } from '../run/measured.js';
import { runPipeline, type RunEvent, type RunPipelineOptions, type RunResult } from '../run/run-pipeline.js';
import { runJob } from '../run/run-job.js';
import { formatSummary } from './format-summary.js';
import { createRunLogger, type LogFormat } from './logger.js';
import { PUSHGATEWAY_ENV, type RunFlags } from './run-flags.js';

/**
 * Runs one pipeline the way a scheduler needs it: the summary on stdout, logs on stderr, and
 * the contract's exit code. The first SIGINT/SIGTERM stops reading and sending: no new request
 * starts, the requests in flight finish and their records settle (exit 130, resumable); a second
 * one exits at once.
 */
export async function runCommand(file: string, flags: RunFlags, mode: 'run' | 'validate'): Promise<never> {
  const format: LogFormat = flags.logFormat ?? 'pretty';
  const logger = createRunLogger({ format, quiet: flags.quiet === true });
  // Every line on stderr goes through the logger, errors too: in json format a log shipper reads one object a line.
  const fail: (e: unknown) => never = (e) => {
    logger.close();
    logger.error(e, flags.debug);
    return process.exit(isEtlError(e) ? e.exitCode : EXIT.aborted);
  };
  if (flags.resume === true && flags.fresh === true) fail(new ConfigError('--resume and --fresh exclude each other', {}, ERR.USAGE));
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      logger.close();
      logger.notice(`${sig} again: exiting without waiting for in-flight batches`, { signal: sig });
      process.exit(EXIT.interrupted);
    }
    logger.notice(`${sig}: stopping reading, settling batches in flight (again to exit at once)`, { signal: sig });
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const metrics = await openMetrics(flags, mode, logger.onEvent, fail);
  const options: Omit<RunPipelineOptions, 'pipeline'> = {
    mode: mode === 'validate' ? 'validate' : flags.dryRun === true ? 'dry-run' : 'run',
    target: flags.target,
    vars: flags.var,
    stop: stop.signal,
    stdin: process.stdin,
    onEvent: logger.onEvent,
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    ...(flags.resume === true ? { resume: true } : {}),
    ...(flags.fresh === true ? { fresh: true } : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(flags.state !== undefined ? { state: flags.state } : {}),
    ...(flags.full === true ? { full: true } : {}),
    ...(flags.acceptDelta === true ? { acceptDelta: true } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
  };
  const report = (result: RunResult): void => {
    logger.close();
    if (format === 'pretty' && flags.quiet !== true)
      process.stdout.write(formatSummary(result.summary, result.outDir, process.cwd(), result.rejects) + '\n');
    // In json format the abort line already carries the error (code, message, where).
    if (result.error !== undefined && format === 'pretty') logger.error(result.error, flags.debug);
  };
  try {
    let runFile: RunFile;
    try {
      runFile = await loadRunFile(file, { vars: flags.var, env: process.env });
    } catch (e) {
      // The file could not be read: reported under its base name, as the pipeline's is unknown.
      throw metrics !== undefined ? await refusal(metrics, options)(basename(file, extname(file)), e) : e;
    }
    if (runFile.kind === 'job') {
      logger.jobStart({ id: randomUUID(), name: runFile.name, steps: runFile.steps.length });
      // By its path, through the door a library caller uses: the same loading and checks.
      const job = await runJob({ ...options, job: file, onStep: (s) => logger.onStep(s) });
      for (const r of job.runs) report(r);
      logger.jobEnd(
        job.exitCode,
        job.steps.map((s) => ({ step: s.step.split('/').pop() ?? s.step, status: s.status })),
      );
      if (format === 'pretty' && flags.quiet !== true)
        process.stdout.write(
          `job ${runFile.name}: ${job.steps.map((s) => `${s.step.split('/').pop() ?? s.step} ${s.status}`).join(', ')}; exit ${job.exitCode}\n`,
        );
      process.exit(job.exitCode);
    }
    const result = await runPipeline({ ...options, pipeline: runFile.spec });
    report(result);
    process.exit(result.exitCode);
  } catch (e) {
    fail(e);
  }
}

/**
 * The metrics output of a `run` (not of a rehearsal: a dry run that succeeded must not pass for
 * the nightly import). Checked before anything else, so a URL that cannot work is exit 2.
 */
async function openMetrics(
  flags: RunFlags,
  mode: 'run' | 'validate',
  onEvent: (e: RunEvent) => void,
  fail: (e: unknown) => never,
): Promise<MetricsOutput | undefined> {
  if (mode !== 'run') return undefined;
  const fromEnv = process.env[PUSHGATEWAY_ENV];
  if (flags.dryRun === true) {
    if (flags.metricsFile !== undefined || flags.pushgateway !== undefined)
      fail(new ConfigError('--metrics-file and --pushgateway report real runs only: leave them out with --dry-run', {}, ERR.USAGE));
    return undefined;
  }
  const pushgateway = flags.pushgateway ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  if (flags.metricsFile === undefined && pushgateway === undefined) return undefined;
  try {
    return await MetricsOutput.open(
      { ...(flags.metricsFile !== undefined ? { file: flags.metricsFile } : {}), ...(pushgateway !== undefined ? { pushgateway } : {}) },
      {
        cwd: process.cwd(),
        env: process.env,
        warn: warningsTo(onEvent),
        keys: { file: '--metrics-file', pushgateway: flags.pushgateway !== undefined ? '--pushgateway' : PUSHGATEWAY_ENV },
      },
    );
  } catch (e) {
    return fail(isEtlError(e) ? e : new ConfigError(String(e), {}, ERR.USAGE));
  }
}
