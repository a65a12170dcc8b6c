#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { basename, extname } from 'node:path';
import { ConfigError, EXIT, isEtlError } from '../core/errors.js';
import { loadRunFile, type RunFile } from '../config/index.js';
import { MetricsOutput } from '../metrics/metrics-output.js';
import { refusal, warningsTo } from '../run/measured.js';
import { runPipeline, type RunEvent, type RunPipelineOptions, type RunResult } from '../run/run-pipeline.js';
import { runJob } from '../run/run-job.js';
import { formatSummary } from './format-summary.js';
import { limitHeapGrowth } from './heap-growth.js';
import { createRunLogger, jsonLog, type LogFormat } from './logger.js';
import { addEmulatorCommand } from './emulator-command.js';
import { addInitCommand } from './init-command.js';
import { addStateCommand } from './state-command.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

interface RunFlags {
  target: string;
  out?: string;
  dryRun?: boolean;
  resume?: boolean;
  fresh?: boolean;
  limit?: number;
  var: Record<string, string>;
  quiet?: boolean;
  logFormat?: LogFormat;
  debug?: boolean;
  state?: string;
  full?: boolean;
  metricsFile?: string;
  pushgateway?: string;
}

const PUSHGATEWAY_ENV = 'PROPEL_ETL_PUSHGATEWAY';

function parseVar(value: string, acc: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return { ...acc, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  return n;
}

/** `--log-format json` as given on the command line: known before commander has parsed it, for its own usage errors. */
const JSON_REQUESTED = ((): boolean => {
  const argv = process.argv;
  const i = argv.indexOf('--log-format');
  return argv.includes('--log-format=json') || (i >= 0 && argv[i + 1] === 'json');
})();

/**
 * Runs one pipeline the way a scheduler needs it: the summary on stdout, logs on stderr, and
 * the contract's exit code. The first SIGINT/SIGTERM stops reading and sending: no new request
 * starts, the requests in flight finish and their records settle (exit 130, resumable); a second
 * one exits at once.
 */
async function runCommand(file: string, flags: RunFlags, mode: 'run' | 'validate'): Promise<never> {
  const format: LogFormat = flags.logFormat ?? 'pretty';
  const logger = createRunLogger({ format, quiet: flags.quiet === true });
  // Every line on stderr goes through the logger, errors too: in json format a log shipper reads one object a line.
  const fail: (e: unknown) => never = (e) => {
    logger.close();
    logger.error(e, flags.debug);
    return process.exit(isEtlError(e) ? e.exitCode : EXIT.aborted);
  };
  if (flags.resume === true && flags.fresh === true) fail(new ConfigError('--resume and --fresh exclude each other', {}, 'ETL_USAGE'));
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
    ...(metrics !== undefined ? { metrics } : {}),
  };
  const report = (result: RunResult): void => {
    logger.close();
    if (format === 'pretty' && flags.quiet !== true) process.stdout.write(formatSummary(result.summary, result.outDir, process.cwd(), result.rejects) + '\n');
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
      const job = await runJob({ ...options, job: runFile, onStep: logger.onStep });
      for (const r of job.runs) report(r);
      logger.jobEnd(job.exitCode, job.steps.map((s) => ({ step: s.step.split('/').pop() ?? s.step, status: s.status })));
      if (format === 'pretty' && flags.quiet !== true) process.stdout.write(`job ${runFile.name}: ${job.steps.map((s) => `${s.step.split('/').pop() ?? s.step} ${s.status}`).join(', ')}; exit ${job.exitCode}\n`);
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
async function openMetrics(flags: RunFlags, mode: 'run' | 'validate', onEvent: (e: RunEvent) => void, fail: (e: unknown) => never): Promise<MetricsOutput | undefined> {
  if (mode !== 'run') return undefined;
  const fromEnv = process.env[PUSHGATEWAY_ENV];
  if (flags.dryRun === true) {
    if (flags.metricsFile !== undefined || flags.pushgateway !== undefined) fail(new ConfigError('--metrics-file and --pushgateway report real runs only: leave them out with --dry-run', {}, 'ETL_USAGE'));
    return undefined;
  }
  const pushgateway = flags.pushgateway ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  if (flags.metricsFile === undefined && pushgateway === undefined) return undefined;
  try {
    return await MetricsOutput.open(
      { ...(flags.metricsFile !== undefined ? { file: flags.metricsFile } : {}), ...(pushgateway !== undefined ? { pushgateway } : {}) },
      { cwd: process.cwd(), warn: warningsTo(onEvent), keys: { file: '--metrics-file', pushgateway: flags.pushgateway !== undefined ? '--pushgateway' : PUSHGATEWAY_ENV } },
    );
  } catch (e) {
    return fail(isEtlError(e) ? e : new ConfigError(String(e), {}, 'ETL_USAGE'));
  }
}

const program = new Command('propel-etl')
  .description('Import users and usergroups from warehouse exports into Propel through its bulk REST endpoints.')
  .version(pkg.version)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

if (JSON_REQUESTED) {
  // Usage errors found while parsing, as JSON lines like every other line of a json run.
  const log = jsonLog();
  const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  program.configureOutput({
    outputError: (text) => {
      for (const line of lines(text)) log.error({ event: 'error', code: 'ETL_USAGE', exitCode: EXIT.usage, message: line.replace(/^error: /, '') }, line);
    },
    writeErr: (text) => {
      for (const line of lines(text)) log.info({ event: 'usage' }, line);
    },
  });
}

const commonRunOptions = (cmd: Command): Command =>
  cmd
    .option('--out <dir>', 'run folder (default runs/<name>/<timestamp>/)')
    .option('--limit <n>', 'only the first N records', parseCount)
    .option('--var <key=value>', 'substitute ${KEY} in the pipeline file (repeatable)', parseVar, {})
    .option('--quiet', 'print nothing but errors')
    .addOption(new Option('--log-format <format>', 'log lines on stderr').choices(['json', 'pretty']))
    .option('--debug', 'print stack traces with errors');

commonRunOptions(
  program
    .command('run')
    .description('run a pipeline file (or a job file that lists pipelines)')
    .argument('<pipeline-file>')
    .option('--target <name>', 'target from config/targets.yaml: propel (environment) or local (embedded emulator)', 'propel')
    .option('--dry-run', 'everything but the HTTP sends; writes the batches it would send')
    .option('--resume', 'continue the run in --out (or the latest run of this pipeline)')
    .option('--fresh', 'start over in a used run folder')
    .option('--state <dir>', 'pipelines with delta: where the delta states live (default state/)')
    .option('--full', 'pipelines with delta: send everything, and refresh the state from the answers')
    .option('--metrics-file <file>', 'write the run\'s metrics there at the end, Prometheus text format (for node_exporter\'s textfile collector)')
    .option('--pushgateway <url>', `push the run's metrics to this Prometheus Pushgateway at the end (default $${PUSHGATEWAY_ENV})`),
).action((file: string, flags: RunFlags) => runCommand(file, flags, 'run'));

commonRunOptions(
  program
    .command('validate')
    .description('check the pipeline file, then read, map and validate every record; sends nothing')
    .argument('<pipeline-file>'),
).action((file: string, flags: RunFlags) => runCommand(file, { ...flags, target: 'propel', fresh: true }, 'validate'));

addInitCommand(program);
addEmulatorCommand(program);
addStateCommand(program);

limitHeapGrowth();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT.usage);
  throw e;
}
