import { createRequire } from 'node:module';
import type pino from 'pino';
import { ERR, isEtlError } from '../core/errors.js';
import type { RunEvent } from '../run/run-pipeline.js';
import { DELTA_KINDS, PROGRESS_KINDS, RESULT_KINDS, type ProgressKind } from '../outcomes/index.js';
import type { ProgressSnapshot } from '../outputs/progress/run-probe.js';
import { ProgressDisplay } from '../outputs/progress/progress-display.js';
import type { JobStepEvent } from '../run/run-job.js';

export type LogFormat = 'json' | 'pretty';

/** A job as the logger names it: its lines carry the job's id, each step's lines its run's id too. */
export interface JobContext {
  readonly id: string;
  readonly name: string;
  readonly steps: number;
}

export interface RunLoggerOptions {
  readonly format: LogFormat;
  readonly quiet: boolean;
  /** JSON lines go here (default: stderr, written synchronously so nothing is lost at process.exit). */
  readonly destination?: pino.DestinationStream;
  /** Where pretty lines and the progress line go (default: stderr). */
  readonly display?: ProgressDisplay;
}

export interface RunLogger {
  readonly onEvent: (e: RunEvent) => void;
  /** Marks the runs that follow as steps of this job. */
  jobStart(job: JobContext): void;
  jobEnd(exitCode: number, steps: readonly { readonly step: string; readonly status: string }[]): void;
  /** A job's step begins (or is skipped, completed by an earlier attempt): the lines that follow name it. */
  onStep(s: JobStepEvent): void;
  /** An error that ends the command: one line on stderr, a JSON object in json format (with `stack` under `debug`). */
  error(e: unknown, debug?: boolean): void;
  /** A line for the operator (a signal received, …), in the log format. */
  notice(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Stops the progress line (call before printing the summary). */
  close(): void;
}

/**
 * What an error line carries besides its level: a stable code, the exit code, the message, and
 * where (file, entry, line, key, batch, HTTP status, URL): the same as the one-line text, as fields.
 */
export function errorFields(e: unknown): Record<string, unknown> {
  if (isEtlError(e)) {
    const { file, entry, line, column, key, batch, status, url } = e.context;
    const where = { file, entry, line, column, key, batch, status, url };
    return {
      code: e.code,
      exitCode: e.exitCode,
      message: e.message,
      ...Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined)),
    };
  }
  return { code: ERR.INTERNAL.code, exitCode: 3, message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
}

/** The one-line text of an error, as pretty logs print it after `propel-etl: `. */
export function describeError(e: unknown): string {
  return isEtlError(e) ? e.describe() : `internal error: ${e instanceof Error ? e.message : String(e)} (run with --debug for the stack)`;
}

/**
 * pino is loaded for JSON lines only: ~9 MB of RSS that a pretty run does not need. `require`,
 * because the loggers are made synchronously (pino is CommonJS).
 */
const loadPino = (): typeof pino => createRequire(import.meta.url)('pino') as typeof pino;

/** JSON lines for stderr: the same pino settings for run logs and for errors raised before a run. */
export function jsonLog(destination?: pino.DestinationStream): pino.Logger {
  const createPino = loadPino();
  return createPino(
    { base: null, timestamp: createPino.stdTimeFunctions.isoTime, redact: { paths: REDACT, censor: '[redacted]' } },
    destination ?? createPino.destination({ fd: 2, sync: true }),
  );
}

/**
 * Belt and braces: events carry counts and provenance only, never a secret; if one ever grew a
 * credential field, it would be censored rather than logged.
 */
const REDACT = [
  'clientSecret',
  '*.clientSecret',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'authorization',
  '*.authorization',
  'record',
  '*.record',
];

const counts = (p: ProgressSnapshot): { read: number; imported: number; rejected: number } & Partial<Record<ProgressKind, number>> => {
  const kinds: Partial<Record<ProgressKind, number>> = {};
  for (const k of PROGRESS_KINDS) if (p[k.name] !== undefined) kinds[k.name] = p[k.name];
  return { read: p.read, imported: p.imported, rejected: p.rejected, ...kinds };
};

/**
 * Run events as log lines on stderr (stdout stays for the summary). `json`: one pino line per
 * run start, job step, retry, abort and end, each with the run id and counts, for schedulers.
 * `pretty`: a few human lines, and on a terminal a progress line redrawn in place.
 */
export function createRunLogger(opts: RunLoggerOptions): RunLogger {
  const display = opts.display ?? ProgressDisplay.for(process.stderr, opts.quiet || opts.format === 'json');
  const log = opts.format === 'json' ? jsonLog(opts.destination) : undefined;
  let job: JobContext | undefined;
  let runId = '';
  let progress: (() => ProgressSnapshot) | undefined;
  let step = 0;
  const ids = (): Record<string, unknown> => ({ runId, ...(job !== undefined ? { jobId: job.id, step, steps: job.steps } : {}) });
  const pretty = (s: string): void => {
    if (!opts.quiet) display.print(s + '\n');
  };

  const onEvent = (e: RunEvent): void => {
    if (e.type === 'start') {
      runId = e.runId;
      progress = e.progress;
      if (log !== undefined) {
        log.info(
          {
            ...ids(),
            event: job !== undefined ? 'step start' : 'run start',
            pipeline: e.pipeline,
            attempt: e.attempt,
            target: e.target,
            outDir: e.outDir,
            counts: counts(e.progress()),
          },
          job !== undefined ? `step ${step} of ${job.steps} start: ${e.pipeline}` : `run start: ${e.pipeline}`,
        );
      } else {
        pretty(
          `${job !== undefined ? `step ${step}/${job.steps}: ` : ''}${e.attempt > 1 ? 'resuming' : 'starting'} ${e.pipeline} (run ${e.runId}${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})`,
        );
        display.start(e.progress);
      }
      return;
    }
    if (e.type === 'send') {
      if (e.event.type === 'token-retry') {
        const t = e.event;
        const text = `token endpoint ${t.url}: retry ${t.attempt} of ${t.maxRetries} in ${t.delayMs} ms (${t.reason})`;
        if (log !== undefined)
          log.warn(
            {
              ...ids(),
              event: 'token retry',
              url: t.url,
              attempt: t.attempt,
              maxRetries: t.maxRetries,
              delayMs: t.delayMs,
              reason: t.reason,
            },
            text,
          );
        else pretty(text);
        return;
      }
      if (e.event.type !== 'retry') return;
      const r = e.event;
      if (log !== undefined)
        log.warn(
          {
            ...ids(),
            event: 'retry',
            batch: r.batch,
            attempt: r.attempt,
            delayMs: r.delayMs,
            reason: r.reason,
            ...(progress !== undefined ? { counts: counts(progress()) } : {}),
          },
          `retry ${r.attempt} of batch ${r.batch} in ${r.delayMs} ms`,
        );
      else pretty(`retry ${r.attempt} of batch ${r.batch} in ${r.delayMs} ms: ${r.reason}`);
      return;
    }
    if (e.type === 'warning') {
      // Printed even with --quiet: a warning may be the only sign that something beside the import went wrong.
      if (log !== undefined) log.warn({ ...ids(), event: 'warning', ...(e.code !== undefined ? { code: e.code } : {}) }, e.message);
      else display.print(`propel-etl: warning: ${e.message}\n`);
      return;
    }
    display.stop();
    progress = undefined;
    const s = e.summary;
    if (log !== undefined) {
      const c = {
        read: s.counts.read,
        sent: s.counts.sent,
        ...Object.fromEntries(RESULT_KINDS.map((k) => [k, s.counts[k]])),
        // With `delta:`, its kinds too (summary.json has them then).
        ...Object.fromEntries(DELTA_KINDS.flatMap((k) => (s.counts[k] !== undefined ? [[k, s.counts[k]]] : []))),
        unsent: s.counts.unsent,
        rejected: s.counts.rejected,
      };
      if (s.status === 'aborted')
        log.error(
          { ...ids(), event: 'abort', ...(e.error !== undefined ? errorFields(e.error) : {}), error: s.error, counts: c },
          `run aborted: ${s.error?.message ?? 'unknown'}`,
        );
      if (s.status === 'interrupted') log.warn({ ...ids(), event: 'interrupt', counts: c }, 'run interrupted');
      log.info(
        {
          ...ids(),
          event: job !== undefined ? 'step end' : 'run end',
          pipeline: s.pipeline,
          status: s.status,
          exitCode: s.exitCode,
          counts: c,
          durationMs: s.durations.totalMs,
          recordsPerSec: s.rate.recordsPerSec,
          batches: s.batches,
          requests: s.requests,
          retries: s.retries,
          // Reason shapes only (as in summary.json): the examples quote record values, which stay in the run folder.
          topRejects: s.topRejects.slice(0, 5),
          warnings: s.warnings,
          outDir: e.outDir,
        },
        `${job !== undefined ? 'step' : 'run'} end: ${s.pipeline} ${s.status}`,
      );
    }
  };

  return {
    onEvent,
    jobStart(j) {
      job = j;
      runId = j.id;
      if (log !== undefined)
        log.info({ runId: j.id, jobId: j.id, event: 'job start', job: j.name, steps: j.steps }, `job start: ${j.name}`);
    },
    onStep(s) {
      step = s.step;
      if (s.status !== 'skipped' || job === undefined) return;
      const name = s.file.split('/').pop() ?? s.file;
      if (log !== undefined)
        log.info(
          { runId: job.id, jobId: job.id, event: 'step skipped', step, steps: job.steps, file: name },
          `step ${step} of ${job.steps} skipped: completed earlier`,
        );
      else pretty(`step ${step}/${job.steps}: ${name} completed earlier, skipped`);
    },
    jobEnd(exitCode, steps) {
      if (job === undefined) return;
      if (log !== undefined)
        log.info({ runId: job.id, jobId: job.id, event: 'job end', job: job.name, exitCode, steps }, `job end: ${job.name}`);
    },
    error(e, debug) {
      display.stop();
      const stack = debug === true && e instanceof Error ? e.stack : undefined;
      if (log !== undefined) {
        log.error(
          { ...(runId !== '' ? ids() : {}), event: 'error', ...errorFields(e), ...(stack !== undefined ? { stack } : {}) },
          describeError(e),
        );
        return;
      }
      // Errors print even with --quiet: that option keeps everything else off.
      process.stderr.write(`propel-etl: ${describeError(e)}\n`);
      if (stack !== undefined) process.stderr.write(stack + '\n');
    },
    notice(message, fields) {
      if (log !== undefined) log.warn({ ...(runId !== '' ? ids() : {}), event: 'notice', ...fields }, message);
      else process.stderr.write(`propel-etl: ${message}\n`);
    },
    close() {
      display.stop();
    },
  };
}
