#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseVar } from './parse-var.js';
import { ERR, EXIT } from '../core/errors.js';
import { limitHeapGrowth } from './heap-growth.js';
import { capYoungGeneration } from './young-generation.js';
import { addEmulatorCommand } from './emulator-command.js';
import { addInitCommand } from './init-command.js';
import { addStateCommand } from './state-command.js';
import { addPlanCommand } from './plan-command.js';
import { PUSHGATEWAY_ENV, type RunFlags } from './run-flags.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

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
 * The pipeline, its readers, the sender and the logger: imported when `run` or `validate` is the
 * command, not for `--version`, `--help` or the other commands (they start in half the memory).
 */
const runCommandModule = (): Promise<typeof import('./run-command.js')> => import('./run-command.js');

const program = new Command('propel-etl')
  .description('Import users and usergroups from warehouse exports into Propel through its bulk REST endpoints.')
  .version(pkg.version)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

if (JSON_REQUESTED) {
  // Usage errors found while parsing, as JSON lines like every other line of a json run.
  const log = (await import('./logger.js')).jsonLog();
  const lines = (text: string): string[] =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  program.configureOutput({
    outputError: (text) => {
      for (const line of lines(text))
        log.error({ event: 'error', code: ERR.USAGE.code, exitCode: EXIT.usage, message: line.replace(/^error: /, '') }, line);
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
    .option('--accept-delta', 'pipelines with delta: send this one night although it passes delta.maxChanged or delta.maxOrphans')
    .option(
      '--metrics-file <file>',
      "write the run's metrics there at the end, Prometheus text format (for node_exporter's textfile collector)",
    )
    .option('--pushgateway <url>', `push the run's metrics to this Prometheus Pushgateway at the end (default $${PUSHGATEWAY_ENV})`),
).action(async (file: string, flags: RunFlags) => (await runCommandModule()).runCommand(file, flags, 'run'));

commonRunOptions(
  program
    .command('validate')
    .description('check the pipeline file, then read, map and validate every record; sends nothing')
    .argument('<pipeline-file>'),
).action(async (file: string, flags: RunFlags) =>
  (await runCommandModule()).runCommand(file, { ...flags, target: 'propel', fresh: true }, 'validate'),
);

addInitCommand(program);
addEmulatorCommand(program);
addStateCommand(program);
addPlanCommand(program);

capYoungGeneration();
limitHeapGrowth();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT.usage);
  throw e;
}
