/**
 * `propel-etl state <pipeline>`: its flags. What it does is in `state-report.ts`, imported when
 * it is the command, so that other commands do not load SQLite.
 */
import type { Command } from 'commander';
import { EXIT, isEtlError } from '../core/errors.js';
import { parseVar } from './parse-var.js';
import type { StateFlags } from './state-report.js';

export function addStateCommand(program: Command): void {
  program
    .command('state')
    .description('show (or drop) the delta state of a pipeline: per target its size, last run, one key, the keys Propel keeps refusing')
    .argument('<pipeline>', 'the pipeline file, or its name')
    .option('--target <name>', 'only the state of this target')
    .option('--key <key>', 'one key: its hash, Propel id and last acknowledgement (a sourceId or usergroup id)')
    .option('--failing', 'keys Propel refused in their latest run, most runs in a row first')
    .option('--forget', 'drop the state (the next run sends everything)')
    .option('--yes', 'with --forget: do not ask')
    .option('--state <dir>', 'where the delta states live (default state/)')
    .option('--var <key=value>', 'substitute ${KEY} in the pipeline file (repeatable), as run does', parseVar, {})
    .action(async (pipeline: string, flags: StateFlags) => {
      try {
        process.exit(await (await import('./state-report.js')).stateCommand(pipeline, flags));
      } catch (e) {
        process.stderr.write(`propel-etl: ${isEtlError(e) ? e.describe() : e instanceof Error ? e.message : String(e)}\n`);
        process.exit(isEtlError(e) ? e.exitCode : EXIT.aborted);
      }
    });
}
