/**
 * `run --metrics-file`: what node_exporter's textfile collector reads. Checked with promtool
 * (Debian's prometheus package, installed by pretest) and against the run's summary.json.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Emulator } from '../../../src/emulator/index.js';
import { emulatorPerFile } from '../../support/emulator.js';
import { runJob } from '../../../src/run/run-job.js';
import { runPipeline, type RunEvent } from '../../../src/run/run-pipeline.js';
import type { RunSummary } from '../../../src/outcomes/summary.js';
import { runCli, targetEnv } from '../../support/cli.js';
import { userIds, usersWorkspace } from '../../e2e/delivery-helpers.js';
import { tempDir } from '../../support/files.js';
import { sample } from './helpers.js';

const PROMTOOL = '/usr/bin/promtool';
const readSummary = async (dir: string): Promise<RunSummary> => JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunSummary;

/** promtool's verdict on a metrics file: its exit code and what it said. */
async function promtoolCheck(file: string): Promise<{ code: number; said: string }> {
  const text = await readFile(file);
  return new Promise((resolve) => {
    const child = execFile(PROMTOOL, ['check', 'metrics'], (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : Number(err.code ?? 1), said: stdout + stderr }),
    );
    child.stdin!.end(text);
  });
}

describe('run --metrics-file', { timeout: 60_000 }, () => {
  // Every third request is throttled, so the 429 count is not zero.
  const fx = emulatorPerFile(undefined, { faults: { throttleEvery: { every: 3, retryAfter: 0 } } }, 'never');
  let emu: Emulator;
  beforeAll(() => {
    emu = fx.emu;
  });

  it('passes promtool, equals summary.json, and keeps the last success through a configuration error (exit 2)', async () => {
    const rows = [...userIds(18, 'MF').map((no) => ({ no, first: 'C' })), { no: '', first: 'no key' }, { no: '', first: 'no key either' }];
    const dir = await usersWorkspace(rows, { name: 'users', batchSize: 4, concurrency: 1 });
    const file = join(dir, 'metrics', 'propel_etl.prom');
    await mkdir(join(dir, 'metrics'));
    const env = targetEnv(emu, emu.clients[0]!.secret);

    const run = await runCli(['run', 'users.yaml', '--out', 'run1', '--metrics-file', 'metrics/propel_etl.prom', '--quiet'], {
      cwd: dir,
      env,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(await promtoolCheck(file)).toEqual({ code: 0, said: '' });
    const summary = await readSummary(join(dir, 'run1'));
    const text = await readFile(file, 'utf8');
    const key = { pipeline: 'users', target: 'propel' };
    const c = summary.counts;
    const outcomes = { read: c.read, created: c.created, updated: c.updated, unchanged: 0, rejected: c.rejected.total, orphans: 0 };
    for (const [outcome, n] of Object.entries(outcomes)) expect(sample(text, 'propel_etl_records', { ...key, outcome }), outcome).toBe(n);
    for (const stage of ['read', 'map', 'validate', 'api'] as const)
      expect(sample(text, 'propel_etl_rejected_records', { ...key, stage }), stage).toBe(c.rejected[stage]);
    expect(c).toMatchObject({ read: 20, created: 18, rejected: { validate: 2, total: 2 } });
    expect(sample(text, 'propel_etl_requests', key)).toBe(summary.requests);
    expect(sample(text, 'propel_etl_retries', key)).toBe(summary.retries);
    expect(summary.throttled).toBe(emu.log.countByStatus(429));
    expect(summary.throttled).toBeGreaterThan(0);
    expect(sample(text, 'propel_etl_throttled_requests', key)).toBe(summary.throttled);
    expect(sample(text, 'propel_etl_exit_code', key)).toBe(1);
    expect(sample(text, 'propel_etl_last_success_timestamp_seconds', key)).toBe(Date.parse(summary.endedAt) / 1000);
    expect(sample(text, 'propel_etl_run_duration_seconds', key)).toBe(summary.durations.totalMs / 1000);
    // Readable by the collector's user; the temporary file renamed away.
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await readdir(join(dir, 'metrics'))).toEqual(['propel_etl.prom']);

    // The pipeline file broken: exit 2 before anything is sent, and the file says so.
    const spec = parse(await readFile(join(dir, 'users.yaml'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'users.yaml'), JSON.stringify({ ...spec, colour: 'blue' }));
    const refused = await runCli(['run', 'users.yaml', '--out', 'run2', '--metrics-file', 'metrics/propel_etl.prom', '--quiet'], {
      cwd: dir,
      env,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/colour/);
    const after = await readFile(file, 'utf8');
    expect(await promtoolCheck(file)).toEqual({ code: 0, said: '' });
    expect(sample(after, 'propel_etl_exit_code', key)).toBe(2);
    expect(sample(after, 'propel_etl_records', { ...key, outcome: 'read' })).toBe(0);
    expect(sample(after, 'propel_etl_last_success_timestamp_seconds', key)).toBe(Date.parse(summary.endedAt) / 1000);
  });

  it('a job refused before its first step (a later step misconfigured, exit 2) is reported under the job name', async () => {
    const dir = await tempDir('metrics-job-');
    const file = join(dir, 'job.prom');
    const run = await runCli(
      ['run', 'job-broken.yaml', '--target', 'local', '--out', join(dir, 'out'), '--metrics-file', file, '--quiet'],
      { cwd: resolve('test/fixtures/e2e-tree'), env: {} },
    );
    expect(run.code).toBe(2);
    const text = await readFile(file, 'utf8');
    expect(sample(text, 'propel_etl_exit_code', { pipeline: 'job-broken', target: 'local' })).toBe(2);
    expect(text).not.toMatch(/pipeline="job-groups"/);
  });

  it('--metrics-file with --dry-run is refused (exit 2): a rehearsal must not pass for the nightly import', async () => {
    const dir = await usersWorkspace(
      userIds(1, 'MR').map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const run = await runCli(['run', 'users.yaml', '--dry-run', '--metrics-file', 'm.prom'], { cwd: dir, env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('propel-etl: --metrics-file and --pushgateway report real runs only: leave them out with --dry-run');
    expect(await readdir(dir)).not.toContain('m.prom');
  });

  it('--metrics-file in a folder that does not exist is exit 2 before the run, naming the flag', async () => {
    const dir = await usersWorkspace(
      userIds(1, 'MN').map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const run = await runCli(['run', 'users.yaml', '--metrics-file', 'nowhere/m.prom'], {
      cwd: dir,
      env: targetEnv(emu, emu.clients[0]!.secret),
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`propel-etl: --metrics-file: the folder ${join(dir, 'nowhere')} does not exist`);
    expect(await readdir(dir)).not.toContain('runs');
  });
});

describe('the metrics output from the library', { timeout: 60_000 }, () => {
  let hanging: Server;
  let hangingUrl: string;
  beforeAll(async () => {
    // Accepts a push and never answers.
    hanging = createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise<void>((r) => hanging.close(() => r()));
  });

  it('an interrupted run (exit 130) writes its metrics with no last success; a push that hangs ends as a warning', async () => {
    const dir = await usersWorkspace(
      userIds(3, 'MI').map((no) => ({ no })),
      { name: 'interrupted', batchSize: 5, concurrency: 1 },
    );
    const file = join(dir, 'm.prom');
    const stop = new AbortController();
    stop.abort();
    const events: RunEvent[] = [];
    const result = await runPipeline({
      pipeline: join(dir, 'users.yaml'),
      target: 'local',
      out: join(dir, 'run'),
      stop: stop.signal,
      metrics: { file, pushgateway: hangingUrl, pushTimeoutMs: 300 },
      onEvent: (e) => events.push(e),
    });
    expect(result.exitCode).toBe(130);
    const text = await readFile(file, 'utf8');
    expect(sample(text, 'propel_etl_exit_code', { pipeline: 'interrupted', target: 'local' })).toBe(130);
    expect(text).not.toMatch(/^propel_etl_last_success_timestamp_seconds/m);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toEqual([
      {
        type: 'warning',
        code: 'ETL_METRICS_PUSH',
        message: expect.stringMatching(
          /^metrics not pushed to http:\/\/127\.0\.0\.1:\d+\/ \(job propel_etl, pipeline interrupted\): no complete answer within 300 ms/,
        ),
      },
    ]);
  });

  it('a resumed job keeps the step it skips in the file, beside the step it resumed', async () => {
    const dir = await usersWorkspace(
      userIds(3, 'MJ').map((no) => ({ no })),
      { name: 'step-a', batchSize: 5, concurrency: 1 },
    );
    const spec = parse(await readFile(join(dir, 'users.yaml'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'b.yaml'), JSON.stringify({ ...spec, name: 'step-b' }));
    const job = { file: join(dir, 'job.yaml'), name: 'mj', steps: [join(dir, 'users.yaml'), join(dir, 'b.yaml')] };
    const file = join(dir, 'm.prom');
    const stop = new AbortController();
    const common = { job, target: 'local', out: join(dir, 'job'), metrics: { file } } as const;

    // Interrupted as the second step starts: exit 130, the first step done.
    const first = await runJob({
      ...common,
      stop: stop.signal,
      onEvent: (e) => (e.type === 'start' && e.pipeline === 'step-b' ? stop.abort() : undefined),
    });
    expect(first.exitCode).toBe(130);
    let text = await readFile(file, 'utf8');
    expect(sample(text, 'propel_etl_exit_code', { pipeline: 'step-a', target: 'local' })).toBe(0);
    expect(sample(text, 'propel_etl_exit_code', { pipeline: 'step-b', target: 'local' })).toBe(130);

    const second = await runJob({ ...common, resume: true });
    expect(second.steps.map((s) => s.status)).toEqual(['skipped', 'completed']);
    text = await readFile(file, 'utf8');
    expect(sample(text, 'propel_etl_exit_code', { pipeline: 'step-a', target: 'local' })).toBe(0);
    expect(sample(text, 'propel_etl_records', { pipeline: 'step-a', target: 'local', outcome: 'created' })).toBe(3);
    expect(sample(text, 'propel_etl_exit_code', { pipeline: 'step-b', target: 'local' })).toBe(0);
  });

  it('a dry run reports nothing: a rehearsal must not pass for the nightly import', async () => {
    const dir = await usersWorkspace(
      userIds(2, 'MD').map((no) => ({ no })),
      { name: 'rehearsal', batchSize: 5, concurrency: 1 },
    );
    const result = await runPipeline({
      pipeline: join(dir, 'users.yaml'),
      mode: 'dry-run',
      out: join(dir, 'run'),
      metrics: { file: join(dir, 'm.prom') },
    });
    expect(result.exitCode).toBe(0);
    expect(await readdir(dir)).not.toContain('m.prom');
  });
});
