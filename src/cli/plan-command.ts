/**
 * `propel-etl plan <pipeline|job>`: the night's diff without sending. It is a dry run (the delta
 * state read, never written; nothing sent) into a private temporary folder that is removed at the
 * end, told as the counts a night is judged by: new, changed, unchanged, rejected and orphans, up
 * to ten keys of each, and the thresholds' verdict. Exit 0, or 3 when a threshold would stop the run.
 */
import type { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, isEtlError } from '../core/errors.js';
import type { RunSummary } from '../outcomes/summary.js';
import type { RunEvent, RunResult } from '../run/run-types.js';
import { parseVar } from './parse-var.js';

interface PlanFlags {
  readonly target: string;
  readonly var: Record<string, string>;
  readonly state?: string;
  readonly json?: boolean;
}

export function addPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      "the night's diff without sending: new, changed, unchanged, rejected and orphan counts, a few keys of each, the thresholds' verdict",
    )
    .argument('<pipeline-file>', 'a pipeline file with delta:, or a job file')
    .option('--target <name>', 'target from config/targets.yaml, whose delta state is compared', 'propel')
    .option('--var <key=value>', 'substitute ${KEY} in the pipeline file (repeatable), as run does', parseVar, {})
    .option('--state <dir>', 'where the delta states live (default state/)')
    .option('--json', 'one JSON object per pipeline on stdout')
    .action(async (file: string, flags: PlanFlags) => {
      try {
        process.exit(await plan(file, flags));
      } catch (e) {
        process.stderr.write(`propel-etl: ${isEtlError(e) ? e.describe() : e instanceof Error ? e.message : String(e)}\n`);
        process.exit(isEtlError(e) ? e.exitCode : EXIT.aborted);
      }
    });
}

/** What plan says of one pipeline. */
export interface PipelinePlan {
  readonly pipeline: string;
  readonly delta: boolean;
  readonly counts: {
    readonly new: number;
    readonly changed: number;
    readonly unchanged: number;
    readonly rejected: number;
    readonly orphans: number;
  };
  readonly keys: { readonly new: readonly string[]; readonly changed: readonly string[]; readonly orphans: readonly string[] };
  readonly pastThresholds: string | null;
  readonly warnings: readonly string[];
}

async function plan(file: string, flags: PlanFlags): Promise<number> {
  // Loaded when plan is the command: other commands do not pay for them.
  const [{ loadRunFile }, { runPipeline }, { runJob }] = await Promise.all([
    import('../config/index.js'),
    import('../run/run-pipeline.js'),
    import('../run/run-job.js'),
  ]);
  // Loaded once here to tell a job from a pipeline; a mistake is exit 2 before anything is read.
  const loaded = await loadRunFile(file, { vars: flags.var, allowPlaceholders: false });
  const dir = await mkdtemp(join(tmpdir(), 'propel-etl-plan-'));
  try {
    const common = {
      mode: 'dry-run' as const,
      target: flags.target,
      vars: flags.var,
      fresh: true,
      ...(flags.state !== undefined ? { state: flags.state } : {}),
      // Warnings go into each summary; nothing is printed while it runs.
      onEvent: (_e: RunEvent): void => undefined,
    };
    const runs: readonly RunResult[] =
      loaded.kind === 'job'
        ? (await runJob({ ...common, job: file, out: join(dir, 'job') })).runs
        : [await runPipeline({ ...common, pipeline: file, out: join(dir, 'run') })];
    const failed = runs.find((r) => r.exitCode === EXIT.usage || r.exitCode === EXIT.aborted || r.exitCode === EXIT.interrupted);
    if (failed?.error !== undefined) throw failed.error;
    const plans = runs.map((r) => planOf(r.summary));
    for (const p of plans) process.stdout.write(flags.json === true ? `${JSON.stringify(p)}\n` : format(p));
    return plans.some((p) => p.pastThresholds !== null) ? EXIT.aborted : EXIT.ok;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function planOf(s: RunSummary): PipelinePlan {
  const c = s.counts;
  return {
    pipeline: s.pipeline,
    delta: s.delta !== undefined,
    counts: { new: c.new ?? 0, changed: c.changed ?? 0, unchanged: c.unchanged ?? 0, rejected: c.rejected.total, orphans: c.orphans ?? 0 },
    keys: s.delta?.keys ?? { new: [], changed: [], orphans: [] },
    pastThresholds: s.delta?.pastThresholds ?? null,
    warnings: s.warnings,
  };
}

const n = (v: number): string => v.toLocaleString('en-US');

function format(p: PipelinePlan): string {
  const row = (label: string, count: number, keys?: readonly string[]): string =>
    `  ${label.padEnd(10)} ${n(count).padStart(9)}${keys !== undefined && keys.length > 0 ? `  e.g. ${keys.join(', ')}` : ''}\n`;
  const lines = [`${p.pipeline}: plan (nothing sent)\n`];
  if (!p.delta) {
    lines.push('  no delta: in the pipeline file: every valid record would be sent\n');
  }
  lines.push(row('new', p.counts.new, p.keys.new), row('changed', p.counts.changed, p.keys.changed), row('unchanged', p.counts.unchanged));
  lines.push(row('rejected', p.counts.rejected), row('orphans', p.counts.orphans, p.keys.orphans));
  for (const w of p.warnings) lines.push(`  warning    ${w}\n`);
  lines.push(
    p.pastThresholds !== null
      ? `  STOP       ${p.pastThresholds}\n`
      : '  thresholds none passed (delta.maxChanged, delta.maxOrphans): a run would send this night\n',
  );
  return lines.join('');
}
