import { spawn } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli, targetEnv } from '../support/cli.js';
import { readJournal } from '../../src/resume/journal.js';
import { pathExists } from '../../src/core/path-exists.js';
import type { Emulator } from '../../src/emulator/index.js';
import { emulatorPerFile } from '../support/emulator.js';
import { tempDir } from '../support/files.js';
import { waitFor } from './delivery-helpers.js';

const FIXTURES = new URL('../fixtures/e2e-tree/', import.meta.url);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'job-Secret-2207';

interface JobSummary {
  exitCode: number;
  steps: { step: string; status: string; exitCode: number; counts?: Record<string, unknown> }[];
}

async function jobSummary(dir: string): Promise<JobSummary> {
  return JSON.parse(await readFile(join(dir, 'job-summary.json'), 'utf8')) as JobSummary;
}

/** Starts the job and sends `signal` once the emulator holds `users` users (the second step is under way). */
/** Runs the CLI and sends it `signal` once `ready()` holds (polled every 5 ms). */
function runUntil(
  args: string[],
  cwd: string,
  emu: Emulator,
  ready: () => boolean | Promise<boolean>,
  signal: NodeJS.Signals,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...targetEnv(emu, SECRET) },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    let polling = true;
    const poll = async (): Promise<void> => {
      while (polling) {
        if (await ready()) {
          child.kill(signal);
          return;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      polling = false;
      clearTimeout(guard);
      resolve(code);
    });
    poll().catch(reject);
  });
}

/** Records settled in a step's checkpoint so far (none while the file does not exist yet). */
async function checkpointed(file: string): Promise<number> {
  return (await pathExists(file)) ? (await readJournal(file)).done.size : 0;
}

describe('job files (issue 4)', () => {
  const fx = emulatorPerFile(SECRET, {}, 'never');
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('e2e-job-');
    for (const f of ['job.yaml', 'job-groups.yaml', 'job-users.yaml', 'job-more.yaml', 'job-broken.yaml', 'job-users-typo.yaml'])
      await cp(new URL(f, FIXTURES), join(dir, f));
    // Children before parents, so the usergroups step needs its passes too.
    await writeFile(
      join(dir, 'job-groups.ndjson'),
      [
        { id: 11, name: 'B', parent_id: 10 },
        { id: 10, name: 'A', parent_id: 1 },
        { id: 1, name: 'Root' },
      ]
        .map((g) => JSON.stringify(g))
        .join('\n') + '\n',
    );
    await writeFile(
      join(dir, 'job-users.ndjson'),
      Array.from({ length: 150 }, (_, i) => JSON.stringify({ no: `U${i}`, last: `L${i}`, group: i % 2 === 0 ? 10 : 11 })).join('\n') + '\n',
    );
    await writeFile(join(dir, 'job-more.ndjson'), JSON.stringify({ no: 'M1', last: 'More', group: 1 }) + '\n');
  });

  it('runs the example nightly job from the repository with --target local: one emulator for all steps, exit 0', async () => {
    const out = join(dir, 'nightly');
    const run = await runCli(['run', join(REPO, 'pipelines', 'nightly.yaml'), '--target', 'local', '--out', out], { cwd: dir });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const job = await jobSummary(out);
    expect(job.steps.map((s) => [s.step.split('/').pop(), s.status, s.exitCode])).toEqual([
      ['usergroups.yaml', 'completed', 0],
      ['users.yaml', 'completed', 0],
    ]);
    // The users name their parents by sourceId + source: with an emulator per step they would all be refused.
    expect(job.steps[0]!.counts).toMatchObject({ created: 16, rejected: { total: 0 } });
    expect(job.steps[1]!.counts).toMatchObject({ created: 36, rejected: { total: 0 } });
    for (const step of ['01-usergroups', '02-users']) expect(await pathExists(join(out, step, 'summary.json'))).toBe(true);
  });

  it('validates every step of a job without a target or credentials, sending nothing', async () => {
    // Regression: the job runner resolved the target even for validate, which had none (exit 2).
    const before = fx.emu.log.total;
    const run = await runCli(['validate', 'job.yaml', '--out', 'validated'], { cwd: dir });
    expect(run.stderr).not.toMatch(/target|internal error/);
    expect(run.code).toBe(0);
    const job = await jobSummary(join(dir, 'validated'));
    expect(job.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect(fx.emu.log.total).toBe(before);
  });

  it('refuses a job whose later step is misconfigured before the first step sends anything (exit 2)', async () => {
    const before = fx.emu.log.total;
    const run = await runCli(['run', 'job-broken.yaml', '--out', 'broken'], { cwd: dir, env: targetEnv(fx.emu, SECRET) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/batchh/);
    expect(fx.emu.log.total).toBe(before);
    expect(await pathExists(join(dir, 'broken'))).toBe(false);
  });

  it('stops at an interrupted step (exit 130, later steps not run) and --resume continues there', async () => {
    fx.emu.setFaults({ latencyMs: 20 });
    const code = await runUntil(['run', 'job.yaml', '--out', 'int'], dir, fx.emu, () => fx.emu.store.users().length >= 40, 'SIGINT');
    expect(code).toBe(130);
    const cut = await jobSummary(join(dir, 'int'));
    expect(cut.exitCode).toBe(130);
    expect(cut.steps.map((s) => [s.step.split('/').pop(), s.status])).toEqual([
      ['job-groups.yaml', 'completed'],
      ['job-users.yaml', 'interrupted'],
      ['job-more.yaml', 'not-run'],
    ]);
    fx.emu.setFaults({});
    const groupRequests = fx.emu.log.entries().filter((e) => e.path.includes('/usergroups/')).length;
    const resumed = await runCli(['run', 'job.yaml', '--out', 'int', '--resume'], { cwd: dir, env: targetEnv(fx.emu, SECRET) });
    expect(resumed.code).toBe(0);
    const job = await jobSummary(join(dir, 'int'));
    expect(job.steps.map((s) => s.status)).toEqual(['skipped', 'completed', 'completed']);
    // Each line names the step it is about, counted in the job, not in this attempt.
    expect(resumed.stderr).toMatch(/^step 1\/3: job-groups\.yaml completed earlier, skipped$/m);
    expect(resumed.stderr).toMatch(/^step 2\/3: resuming /m);
    expect(resumed.stderr).toMatch(/^step 3\/3: starting /m);
    expect(resumed.stderr).not.toMatch(/step 1\/3: resuming/);
    // The completed step sent nothing again; the cut-off step resumed instead of starting over.
    expect(fx.emu.log.entries().filter((e) => e.path.includes('/usergroups/')).length).toBe(groupRequests);
    expect(fx.emu.log.duplicates().filter((k) => k.includes('"U'))).toEqual([]);
    expect(fx.emu.store.getUser('JOB', 'U149')?.item.parent).toEqual({ id: 11 });
    expect(fx.emu.store.getUser('JOB', 'M1')).toBeDefined();
  });

  it('after a kill -9 mid-step, --resume resumes that step from its checkpoint rather than starting it afresh', async () => {
    fx.emu.setFaults({ latencyMs: 20 });
    const usersBefore = fx.emu.store.users().length;
    // New keys for this run, so the emulator's acknowledgement counts tell this run apart.
    await writeFile(
      join(dir, 'job-users.ndjson'),
      Array.from({ length: 150 }, (_, i) => JSON.stringify({ no: `K${i}`, last: `L${i}`, group: 10 })).join('\n') + '\n',
    );
    // Killed once the step has both sent some users and checkpointed some: on a loaded machine
    // the emulator can hold 40 new users before the client has written its first checkpoint line.
    const checkpoint = join(dir, 'kill', '02-job-users', 'checkpoint.ndjson');
    const midStep = async (): Promise<boolean> => fx.emu.store.users().length >= usersBefore + 40 && (await checkpointed(checkpoint)) > 0;
    const code = await runUntil(['run', 'job.yaml', '--out', 'kill'], dir, fx.emu, midStep, 'SIGKILL');
    expect(code).toBeNull();
    expect(await pathExists(join(dir, 'kill', '02-job-users', 'summary.json'))).toBe(false);
    // A request the emulator was still delaying when the client died may yet be applied (and
    // logged): wait until it has handled every request it received. First one turn of the event
    // loop, so bytes that reached its sockets before the child was reaped are read and counted.
    await new Promise((r) => setImmediate(r));
    await waitFor(() => fx.emu.inFlight() === 0, 'the emulator to finish the requests of the killed run');
    const settled = await checkpointed(checkpoint);
    // Acknowledged = answered 200 to the client. The store alone would overcount: a batch in
    // flight at the kill is still applied, but its answer never reached the client ('abandoned').
    const acked = new Set(
      fx.emu.log
        .entries()
        .filter((e) => e.status === 200)
        .flatMap((e) => e.keys)
        .filter((k) => k.includes('"K')),
    ).size;
    expect(settled).toBeGreaterThan(0);
    fx.emu.setFaults({});
    const resumed = await runCli(['run', 'job.yaml', '--out', 'kill', '--resume'], { cwd: dir, env: targetEnv(fx.emu, SECRET) });
    expect(resumed.code).toBe(0);
    // Exactly what was acknowledged but not yet in the checkpoint at the kill is sent twice;
    // starting the step afresh would send every acknowledged record again.
    const twice = fx.emu.log.duplicates().filter((k) => k.includes('"K'));
    expect(twice.length).toBe(acked - settled);
    expect(twice.length).toBeLessThan(acked);
    expect(fx.emu.store.users().filter((u) => String(u.item.sourceId).startsWith('K'))).toHaveLength(150);
    await rm(join(dir, 'kill'), { recursive: true });
  });
});
