/**
 * `propel-etl state <pipeline>`: what a pipeline's delta state holds (per target), one key, the
 * keys Propel keeps refusing, or dropping it. Reads the SQLite files only: no target is contacted
 * and no credential is needed. Loaded only when `state` is the command (it opens SQLite).
 */
import { createInterface } from 'node:readline/promises';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import { loadPipeline } from '../config/index.js';
import { ERR, ConfigError, EXIT } from '../core/errors.js';
import { DeltaState, type StateInfo, type StateRow } from '../state/delta-state.js';
import { acquireLock } from '../state/state-lock.js';
import { listStates, stateDir, targetOfFile } from '../state/state-location.js';

/** The `state` command's flags (declared in state-command.ts). */
export interface StateFlags {
  target?: string;
  key?: string;
  failing?: boolean;
  forget?: boolean;
  yes?: boolean;
  state?: string;
  /** `--var KEY=VALUE`: substituted as `${KEY}` before the environment, as in a run. */
  var?: Record<string, string>;
}

const n = (x: number): string => x.toLocaleString('en-US');
const when = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString());

/** A pipeline file gives its `name:`; anything else is taken as the name itself. */
async function pipelineName(arg: string, vars: Readonly<Record<string, string>>): Promise<string> {
  if (['.yaml', '.yml', '.json'].includes(extname(arg).toLowerCase()) && existsSync(arg))
    return (await loadPipeline(arg, { vars: { ...vars }, env: process.env })).name;
  return arg;
}

export function describeState(file: string, info: StateInfo, cwd: string): string[] {
  const last = info.lastRun;
  return [
    relative(cwd, file) || file,
    `  target     ${info.target} (${info.baseUrl}, client ${info.clientId})`,
    `  pipeline   ${info.pipeline} (${info.resource})`,
    `  keys       ${n(info.acknowledged)} acknowledged, ${n(info.failing)} refused in their latest run`,
    `  runs       ${n(info.runs)}${last !== undefined ? `; last ${last.runId} started ${last.startedAt}, ${last.status ?? 'still running or killed'}${last.full ? ' (--full)' : ''}` : ''}`,
  ];
}

export function describeKey(r: StateRow): string[] {
  return [
    `  key ${r.sentKey ?? r.key}${r.sentKey !== null && r.sentKey !== r.key ? ` (${r.key})` : ''}`,
    `    hash             ${r.hash ?? '(never acknowledged)'}`,
    `    Propel id        ${r.propelId ?? '-'}`,
    `    acknowledged     ${when(r.ackedAt)}${r.ackedRunId !== null ? ` by run ${r.ackedRunId}` : ''}`,
    ...(r.refusals > 0 ? [`    refused          ${n(r.refusals)} run${r.refusals === 1 ? '' : 's'} in a row: ${r.lastReason ?? ''}`] : []),
  ];
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function stateCommand(pipelineArg: string, flags: StateFlags): Promise<number> {
  const cwd = process.cwd();
  const name = await pipelineName(pipelineArg, flags.var ?? {});
  const dir = stateDir(cwd, flags.state);
  const files = (await listStates(dir, name)).filter((f) => flags.target === undefined || targetOfFile(f) === flags.target);
  const out = (lines: readonly string[]): void => void process.stdout.write(lines.join('\n') + '\n');
  if (files.length === 0) {
    out([
      `no delta state for pipeline ${name}${flags.target !== undefined ? ` and target ${flags.target}` : ''} in ${relative(cwd, dir) || '.'}`,
    ]);
    return EXIT.ok;
  }
  if (flags.forget === true) {
    const what = files.map((f) => relative(cwd, f) || f).join(', ');
    if (flags.yes !== true) {
      if (process.stdin.isTTY !== true)
        throw new ConfigError(`--forget drops ${what}; add --yes to confirm (not asked: stdin is not a terminal)`, {}, ERR.STATE_CONFIRM);
      if (!(await confirm(`drop ${what}? the next run sends everything [y/N] `))) {
        out(['nothing dropped']);
        return EXIT.ok;
      }
    }
    for (const f of files) {
      // A state in use is not pulled from under its run.
      const lock = await acquireLock(`${f}.lock`, { startedAt: new Date() });
      try {
        await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(f + suffix, { force: true })));
      } finally {
        await lock.release();
      }
    }
    out([`dropped ${what}`]);
    return EXIT.ok;
  }
  for (const f of files) {
    const state = DeltaState.inspect(f);
    try {
      const lines = describeState(f, state.info(), cwd);
      if (flags.key !== undefined) {
        const rows = state.lookup(flags.key);
        lines.push(
          ...(rows.length > 0
            ? rows.flatMap(describeKey)
            : [`  key ${flags.key}: not in this state (never sent, or sent and never acknowledged)`]),
        );
      }
      if (flags.failing === true) {
        let any = false;
        for (const r of state.failing()) {
          any = true;
          lines.push(
            `  ${String(r.refusals).padStart(4)} run${r.refusals === 1 ? ' ' : 's'}  ${r.sentKey ?? r.key}  ${r.lastReason ?? ''}`,
          );
        }
        if (!any) lines.push('  no key was refused in its latest run');
      }
      out(lines);
    } finally {
      state.close();
    }
  }
  return EXIT.ok;
}
