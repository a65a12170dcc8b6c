/**
 * The operator's view of a run, through the built CLI: the progress line (only on a terminal),
 * JSON logs for schedulers (this file); the summary and rehearsals are in operator.test.ts.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, targetEnv } from '../support/cli.js';
import { operatorFixture } from './operator-fixture.js';

const SECRET = 'op-Secret-8123';

/** Runs the CLI under a real pseudo-terminal (util-linux `script`): stdout and stderr are the tty. */
function runOnTty(
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm', COLUMNS: '160', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const PROGRESS = /read [\d,]+ · imported [\d,]+ · rejected [\d,]+ · [\d,]+ records\/s · \d+ in flight · \d+% · ETA/;

describe('propel-etl run: progress and logs (issue 7)', () => {
  const fx = operatorFixture(SECRET, 'progress-');

  it('draws the progress line on a terminal, and not into a pipe or with --quiet', async () => {
    // Slow answers so the run lasts long enough for several redraws.
    fx.emu.setFaults({ latencyMs: 120 });
    try {
      const tty = await runOnTty(['run', 'demo-users.yaml', '--out', 'tty', '--limit', '500'], { cwd: fx.dir, env: fx.env });
      expect(tty.code).toBe(1);
      expect(tty.output).toMatch(PROGRESS);
      expect(tty.output).toContain('\r\x1b[2K');
      // It redraws in place, and the line is gone before the summary.
      expect(tty.output.match(/\r\x1b\[2Kread /g)!.length).toBeGreaterThanOrEqual(2);
      expect(tty.output).toMatch(/\r\x1b\[2K(?:\r\n|\n)?demo-users \(users -> propel\): completed/);

      const piped = await runCli(['run', 'demo-users.yaml', '--out', 'piped', '--limit', '500'], { cwd: fx.dir, env: fx.env });
      expect(piped.code).toBe(1);
      expect(piped.stderr + piped.stdout).not.toMatch(/records\/s ·|\x1b\[/);

      const quiet = await runOnTty(['run', 'demo-users.yaml', '--out', 'quiet', '--quiet', '--limit', '500'], { cwd: fx.dir, env: fx.env });
      expect(quiet.code).toBe(1);
      expect(quiet.output).not.toMatch(/records\/s|\x1b\[/);
    } finally {
      fx.emu.setFaults({});
    }
  }, 40_000);

  it('--log-format json: one parseable line per job, step, retry and end, each with a run id, no secret, no record data', async () => {
    await writeFile(join(fx.dir, 'job.yaml'), 'name: nightly\nsteps: [demo-users.yaml]\n');
    fx.emu.setFaults({ failNext: { count: 1, status: 503, retryAfter: 0 } });
    const r = await runCli(['run', 'job.yaml', '--out', 'json', '--log-format', 'json'], { cwd: fx.dir, env: fx.env });
    fx.emu.setFaults({});
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.map((l) => l.event)).toEqual(['job start', 'step start', 'retry', 'step end', 'job end']);
    for (const l of logs) {
      expect(l.runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof l.time).toBe('string');
      expect(l.level).toBeTypeOf('number');
    }
    const [jobStart, stepStart, retry, stepEnd] = logs as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect(stepStart.runId).not.toBe(jobStart.runId);
    expect(stepStart.jobId).toBe(jobStart.runId);
    expect(retry).toMatchObject({ runId: stepStart.runId, batch: expect.any(Number), attempt: 1, counts: { read: expect.any(Number) } });
    expect(stepEnd).toMatchObject({
      runId: stepStart.runId,
      status: 'completed',
      exitCode: 1,
      counts: { read: 1000, rejected: { total: 4 } },
    });
    expect(stepEnd.topRejects).toContainEqual({ stage: 'map', reason: 'dateOfBirth: "…" is not a real date (DD-MM-YYYY)', count: 1 });
    // Provenance only: no secret, no token, no value from a record (the demo's e-mail domain, a rejected date).
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toMatch(/Bearer|access_token|Example\.com|31-02-1980/i);
    // JSON logs are for machines: no summary text, no progress on stdout.
    expect(r.stdout).toBe('');
  }, 30_000);

  it('--log-format json: an abort is its own line (level error) before the end line', async () => {
    const r = await runCli(['run', 'demo-users.yaml', '--out', 'abort', '--log-format', 'json'], {
      cwd: fx.dir,
      env: targetEnv(fx.emu, 'wrong-secret'),
    });
    // Refused credentials before any item was accepted: exit 2 (issue 26).
    expect(r.code).toBe(2);
    const logs = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.map((l) => l.event)).toEqual(['run start', 'abort', 'run end']);
    expect(logs[1]).toMatchObject({ level: 50, error: { code: expect.stringMatching(/AUTH/) } });
    for (const l of logs) expect(l.runId).toBe(logs[0]!.runId);
    expect(r.stderr).not.toContain('wrong-secret');
  }, 30_000);
});
