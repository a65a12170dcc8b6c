/**
 * `propel-etl emulator` as its own process: fault flags, and `--state FILE` keeping the store
 * across a restart so two runs of the CLI can build on each other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { userIds, usersWorkspace } from './delivery-helpers.js';
import { readNdjson } from '../support/files.js';

interface Running {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly origin: string;
  readonly exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts the emulator command on a free port and waits for the base URL it prints. */
async function emulatorProcess(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^(http:\/\/\S+\/v2)\n/.exec(out);
      if (line !== null) resolve(line[1]!);
    });
    void exited.then((code) => reject(new Error(`emulator exited with ${code}: ${err}`)));
  });
  return { child, baseUrl, origin: baseUrl.replace(/\/v2$/, ''), exited };
}

const propelEnv = (baseUrl: string): NodeJS.ProcessEnv => ({
  PROPEL_BASE_URL: baseUrl,
  PROPEL_TOKEN_URL: baseUrl.replace(/\/v2$/, '/oauth2/token'),
  PROPEL_CLIENT_ID: 'propel-etl-local',
  PROPEL_CLIENT_SECRET: 'local-secret',
});

describe('propel-etl emulator', { timeout: 60_000 }, () => {
  it('--state keeps the store across a restart; fault flags apply (--throttle-every with --retry-after)', async () => {
    const ids = userIds(20, 'P');
    const dir = await usersWorkspace(
      ids.map((no) => ({ no, first: 'one' })),
      { batchSize: 5, concurrency: 1 },
    );
    const stateFile = join(dir, 'emulator-state.json');

    const first = await emulatorProcess(['--state', 'emulator-state.json', '--throttle-every', '3', '--retry-after', '1'], dir);
    const run1 = await runCli(['run', 'users.yaml', '--out', 'run1'], { cwd: dir, env: propelEnv(first.baseUrl) });
    expect(run1.code).toBe(0);
    const log = (await (await fetch(`${first.origin}/__emulator/log`)).json()) as { byStatus: Record<string, number> };
    expect(log.byStatus).toEqual({ '200': 4, '429': 1 });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);

    // A new emulator process on the same file: the second run updates what the first created.
    const second = await emulatorProcess(['--state', 'emulator-state.json'], dir);
    const before = (await (await fetch(`${second.origin}/__emulator/store/users`)).json()) as { id: number; item: { sourceId: string } }[];
    expect(before.map((u) => u.item.sourceId).sort()).toEqual(ids);
    const run2 = await runCli(['run', 'users.yaml', '--out', 'run2'], { cwd: dir, env: propelEnv(second.baseUrl) });
    expect(run2.code).toBe(0);
    const results = await readNdjson(join(dir, 'run2', 'results.ndjson'));
    expect(results.every((r) => r.action === 'update')).toBe(true);
    const firstIds = new Map(before.map((u) => [u.item.sourceId, u.id]));
    expect(results.every((r) => r.id === firstIds.get(String(r.key)))).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { users: unknown[] };
    expect(saved.users).toHaveLength(20);
  });

  it('takes its client secret from PROPEL_EMULATOR_CLIENT_SECRET, so it is not on the command line', async () => {
    const dir = await usersWorkspace(
      userIds(3, 'S').map((no) => ({ no })),
      { batchSize: 5, concurrency: 1 },
    );
    const emu = await emulatorProcess([], dir, { PROPEL_EMULATOR_CLIENT_SECRET: 'env-Secret-5150' });
    const refused = await runCli(['run', 'users.yaml', '--out', 'refused'], { cwd: dir, env: propelEnv(emu.baseUrl) });
    // Refused credentials before any item was accepted: exit 2 (issue 26).
    expect(refused.code).toBe(2);
    const run = await runCli(['run', 'users.yaml', '--out', 'ok'], {
      cwd: dir,
      env: { ...propelEnv(emu.baseUrl), PROPEL_CLIENT_SECRET: 'env-Secret-5150' },
    });
    expect(run.code).toBe(0);
    emu.child.kill('SIGTERM');
    expect(await emu.exited).toBe(0);
    const noSecret = await runCli(['emulator', '--port', '0', '--client-id', 'someone'], { cwd: dir });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/--client-id needs a secret: --client-secret or PROPEL_EMULATOR_CLIENT_SECRET/);
  });

  it('refuses a malformed fault flag or state file with exit 2 and a reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'e2e-emulator-'));
    const badStatus = await runCli(['emulator', '--port', '0', '--fail-next', '1', '--fail-status', '42'], { cwd: dir });
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/failStatus|status|100/);
    const notANumber = await runCli(['emulator', '--port', '0', '--latency', 'soon'], { cwd: dir });
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toMatch(/expected a number/);
    await writeFile(join(dir, 'state.json'), '{"not":"a state"}');
    const badState = await runCli(['emulator', '--port', '0', '--state', 'state.json'], { cwd: dir });
    expect(badState.code).toBe(2);
    expect(badState.stderr).toMatch(/state.json is not an emulator state file/);
  });
});
