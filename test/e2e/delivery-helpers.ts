/**
 * Shared by the delivery end-to-end tests (issue 5): a throwaway folder with a users NDJSON file
 * and a pipeline for it, and read-backs of the run folder (the CLI, the emulator and NDJSON files
 * are in test/support/).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { startCli, targetEnv } from '../support/cli.js';
import { tempDir } from '../support/files.js';
import { writeUsersPipeline } from '../support/pipeline.js';

export interface UserRow {
  readonly no: string;
  readonly first?: string;
  readonly last?: string;
}

export interface PipelineSettings {
  readonly name?: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly maxRetries?: number;
  readonly timeout?: string;
  readonly rate?: string;
  readonly maxRejects?: string | number;
  /** The pipeline's `delta:` (issue 12). */
  readonly delta?: Record<string, unknown>;
}

/** `U0001` … `U<n>` (another prefix keeps tests sharing an emulator apart). */
export function userIds(n: number, prefix = 'U'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
}

/** A folder holding users.ndjson and users.yaml (source ERP, language NL, sourceId from `no`). */
export async function usersWorkspace(rows: readonly UserRow[], s: PipelineSettings): Promise<string> {
  const dir = await tempDir('e2e-delivery-');
  await writeFile(join(dir, 'users.ndjson'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await writeUsersPipeline(dir, 'users.yaml', {
    name: s.name ?? 'delivery',
    source: { path: 'users.ndjson' },
    mapping: { source: { value: 'ERP' }, sourceId: 'no', language: { value: 'NL' }, firstName: 'first', lastName: 'last' },
    batchSize: s.batchSize,
    send: {
      concurrency: s.concurrency,
      maxRetries: s.maxRetries ?? 3,
      timeout: s.timeout ?? '10s',
      ...(s.rate !== undefined ? { rate: s.rate } : {}),
    },
    ...(s.maxRejects !== undefined ? { errors: { maxRejects: s.maxRejects } } : {}),
    ...(s.delta !== undefined ? { delta: s.delta } : {}),
  });
  return dir;
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function textOf(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** How many records the run folder's checkpoint holds as settled (a torn last line counts nothing). */
export async function settledRecords(outDir: string): Promise<number> {
  let n = 0;
  for (const line of (await textOf(join(outDir, 'checkpoint.ndjson'))).split('\n')) {
    if (!line.includes('"t":"settled"')) continue;
    try {
      for (const [lo, hi] of (JSON.parse(line) as { done: [number, number][] }).done) n += hi - lo + 1;
    } catch {
      // torn by a concurrent write: read again on the next poll
    }
  }
  return n;
}

export interface SummaryFile {
  status: string;
  exitCode: number;
  attempt: number;
  counts: {
    read: number;
    skippedOnResume: number;
    sent: number;
    created: number;
    updated: number;
    failed: number;
    unsent: number;
    rejected: Record<string, number>;
  };
  requests: number;
  retries: number;
  batches: number;
  error?: { code: string; message: string };
}

export async function summary(outDir: string): Promise<SummaryFile> {
  return JSON.parse(await readFile(join(outDir, 'summary.json'), 'utf8')) as SummaryFile;
}

/**
 * Runs the CLI with `args` in `dir` and kills it -9 once at least 30 records are settled, at a
 * moment when a request hangs unanswered and every answered batch has reached the checkpoint:
 * a batch answered but not yet journaled at the kill is sent again (the README says so), so to
 * test that nothing else is, the kill must not land between an answer and its checkpoint line.
 */
export async function killMidRun(emu: Emulator, args: readonly string[], dir: string, out: string, secret: string): Promise<void> {
  emu.setFaults({ latencyMs: 100 });
  const run = startCli(args, { cwd: dir, env: targetEnv(emu, secret) });
  await waitFor(async () => (await settledRecords(out)) >= 30, 'three batches in the checkpoint');
  emu.setFaults({ hangNext: 1000 });
  const answered = (): number =>
    emu.log
      .entries()
      .filter((e) => e.status === 200)
      .reduce((n, e) => n + e.keys.length, 0);
  await waitFor(
    async () => emu.log.countByStatus('hung') > 0 && (await settledRecords(out)) === answered(),
    'a hung request, all answers journaled',
  );
  run.child.kill('SIGKILL');
  const killed = await run.done;
  if (killed.signal !== 'SIGKILL') throw new Error(`the run ended by itself before the kill (exit ${killed.code})`);
  emu.setFaults({});
}

/** The lookup key the emulator's log uses for a user of this pipeline. */
export const userKey = (no: string): string => JSON.stringify(['ERP', no, 'NL']);
