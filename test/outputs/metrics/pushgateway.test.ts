/**
 * `run --pushgateway` against the real Pushgateway (Debian's, started on a free loopback port
 * with its own storage), the CLI as a child process as a scheduler runs it.
 */
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { emulatorPerFile } from '../../support/emulator.js';
import type { RunSummary } from '../../../src/outcomes/summary.js';
import { runCli, targetEnv } from '../../support/cli.js';
import { userIds, usersWorkspace } from '../../e2e/delivery-helpers.js';
import { tempDir } from '../../support/files.js';
import { sample, startPushgateway, type RunningPushgateway } from './helpers.js';

const readSummary = async (dir: string): Promise<RunSummary> => JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunSummary;

describe('run --pushgateway', { timeout: 60_000 }, () => {
  const secret = 'pg-Secret-4411';
  const fx = emulatorPerFile(secret, {}, 'never');
  let gateway: RunningPushgateway;
  let emu: Emulator;

  beforeAll(async () => {
    gateway = await startPushgateway();
    emu = fx.emu;
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('a failed run (refused credentials: exit 2) shows its exit code and keeps the last success of the run before it', async () => {
    const dir = await usersWorkspace(
      userIds(12, 'PG').map((no) => ({ no, first: 'A' })),
      { name: 'pg-users', batchSize: 5, concurrency: 1 },
    );
    const group = { job: 'propel_etl', pipeline: 'pg-users', target: 'propel' };

    const ok = await runCli(['run', 'users.yaml', '--out', 'run1', '--pushgateway', gateway.url, '--quiet'], {
      cwd: dir,
      env: targetEnv(emu, secret),
    });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const first = await readSummary(join(dir, 'run1'));
    let pushed = await gateway.metrics();
    expect(sample(pushed, 'propel_etl_exit_code', group)).toBe(0);
    expect(sample(pushed, 'propel_etl_records', { ...group, outcome: 'created' })).toBe(12);

    // Refused credentials stop the run before any item was accepted (exit 2); the gateway comes from the environment this time.
    const failed = await runCli(['run', 'users.yaml', '--out', 'run2', '--quiet'], {
      cwd: dir,
      env: { ...targetEnv(emu, 'wrong-secret'), PROPEL_ETL_PUSHGATEWAY: gateway.url },
    });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/authentication refused/);
    expect(failed.stderr).not.toMatch(/warning/);
    const second = await readSummary(join(dir, 'run2'));

    pushed = await gateway.metrics();
    expect(sample(pushed, 'propel_etl_exit_code', group)).toBe(2);
    expect(sample(pushed, 'propel_etl_last_run_timestamp_seconds', group)).toBe(Date.parse(second.endedAt) / 1000);
    expect(sample(pushed, 'propel_etl_last_success_timestamp_seconds', group)).toBe(Date.parse(first.endedAt) / 1000);
    expect(sample(pushed, 'propel_etl_records', { ...group, outcome: 'created' })).toBe(second.counts.created);
  });

  it('a job pushes one group per step, named after its pipeline; its metrics file holds every step', async () => {
    const dir = await tempDir('pg-job-');
    const file = join(dir, 'nightly.prom');
    const out = await runCli(
      [
        'run',
        'nightly.yaml',
        '--target',
        'local',
        '--out',
        join(dir, 'job'),
        '--pushgateway',
        gateway.url,
        '--metrics-file',
        file,
        '--quiet',
      ],
      { cwd: resolve('pipelines'), env: {} },
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const pushed = await gateway.metrics();
    const written = await readFile(file, 'utf8');
    for (const text of [pushed, written]) {
      expect(sample(text, 'propel_etl_records', { pipeline: 'usergroups', target: 'local', outcome: 'created' })).toBe(16);
      expect(sample(text, 'propel_etl_records', { pipeline: 'users', target: 'local', outcome: 'read' })).toBe(36);
    }
    expect(sample(pushed, 'propel_etl_exit_code', { job: 'propel_etl', pipeline: 'users', target: 'local' })).toBe(0);
  });

  it('an unreachable gateway: the same exit code, one warning line', async () => {
    const port = await closedPort();
    const rows = [...userIds(4, 'PX').map((no) => ({ no, first: 'B' })), { no: '', first: 'no key' }];
    const dir = await usersWorkspace(rows, { name: 'px-users', batchSize: 5, concurrency: 1 });
    const run = await runCli(['run', 'users.yaml', '--out', 'run', '--pushgateway', `http://127.0.0.1:${port}/`, '--quiet'], {
      cwd: dir,
      env: targetEnv(emu, secret),
    });
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^propel-etl: warning: metrics not pushed to http://127\\.0\\.0\\.1:${port}/ \\(job propel_etl, pipeline px-users\\): .*ECONNREFUSED`,
      ),
    );
    expect((await readSummary(join(dir, 'run'))).exitCode).toBe(1);

    // With JSON logs every stderr line stays one JSON object; the warning is one of them.
    const json = await runCli(
      ['run', 'users.yaml', '--out', 'run-json', '--pushgateway', `http://127.0.0.1:${port}/`, '--log-format', 'json'],
      { cwd: dir, env: targetEnv(emu, secret) },
    );
    expect(json.code).toBe(1);
    const logged = json.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { level: number; event: string; code?: string; msg: string });
    const warnings = logged.filter((l) => l.event === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      code: 'ETL_METRICS_PUSH',
      msg: expect.stringMatching(/^metrics not pushed to .*ECONNREFUSED/),
    });
  });

  it('plain http to another host is refused before the run (exit 2), naming the flag', async () => {
    const dir = await usersWorkspace(
      userIds(1, 'PR').map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const run = await runCli(['run', 'users.yaml', '--pushgateway', 'http://metrics.example.com:9091'], {
      cwd: dir,
      env: targetEnv(emu, secret),
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'propel-etl: --pushgateway must use https (plain http only to localhost/127.0.0.1); got http://metrics.example.com:9091',
    );
  });
});

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
