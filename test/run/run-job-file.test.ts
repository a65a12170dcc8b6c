/** runJob and runPipeline take a file's path, as the CLI does; relative to `cwd` when one is given. */
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadJob } from '../../src/config/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { runJob } from '../../src/run/run-job.js';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { emulatorPerFile, httpTarget } from '../support/emulator.js';
import { readJson, tempDir } from '../support/files.js';

// The repository's own nightly job (usergroups, then the users under them) and its data.
const PIPELINES = fileURLToPath(new URL('../../pipelines/', import.meta.url));

const fixture = emulatorPerFile(undefined);
let dir: string;
beforeEach(async () => {
  dir = await tempDir('run-job-file-');
  await cp(PIPELINES, join(dir, 'pipelines'), { recursive: true });
});

async function refusal(run: Promise<unknown>): Promise<ConfigError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('runJob({ job: path })', () => {
  it('loads the job file and runs its steps, as the loaded job would', async () => {
    const steps: string[] = [];
    const result = await runJob({
      job: 'pipelines/nightly.yaml',
      cwd: dir,
      target: httpTarget(fixture.emu, 'emu'),
      out: 'runs/tonight',
      onStep: (s) => steps.push(`${s.step}/${s.steps} ${s.status}`),
    });
    expect(result.exitCode).toBe(0);
    expect(result.outDir).toBe(join(dir, 'runs/tonight'));
    expect(steps).toEqual(['1/2 running', '2/2 running']);
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([
      [join(dir, 'pipelines/usergroups.yaml'), 'completed'],
      [join(dir, 'pipelines/users.yaml'), 'completed'],
    ]);
    expect(fixture.emu.store.users()).toHaveLength(36);
    expect(await readJson(join(result.outDir, 'job.json'))).toMatchObject({ job: 'nightly', file: join(dir, 'pipelines/nightly.yaml') });

    // The loaded form still runs, and a resumed attempt skips what the first completed.
    const again = await runJob({
      job: await loadJob(join(dir, 'pipelines/nightly.yaml')),
      target: httpTarget(fixture.emu, 'emu'),
      out: result.outDir,
      resume: true,
    });
    expect(again.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
  });

  it('refuses a pipeline file, before anything is read or sent (exit 2)', async () => {
    const error = await refusal(runJob({ job: 'pipelines/users.yaml', cwd: dir, target: httpTarget(fixture.emu, 'emu'), out: 'runs/x' }));
    expect(error.message).toBe('this is a pipeline file (it has no steps:), not a job file');
    expect(error.exitCode).toBe(2);
    expect(error.context.file).toBe(join(dir, 'pipelines/users.yaml'));
    expect(fixture.emu.log.snapshot().total).toBe(0);
    expect(await readdir(dir)).toEqual(['pipelines']);
  });

  it('a missing job file is a ConfigError naming it; a job refused before it was read is reported under its base name', async () => {
    const metrics = join(dir, 'etl.prom');
    const error = await refusal(runJob({ job: 'pipelines/weekly.yaml', cwd: dir, target: 'local', metrics: { file: metrics } }));
    expect(error.exitCode).toBe(2);
    expect(error.context.file).toBe(join(dir, 'pipelines/weekly.yaml'));
    expect(await readFile(metrics, 'utf8')).toMatch(/^propel_etl_exit_code\{pipeline="weekly",target="local"\} 2$/m);
  });

  it.each([
    ['an empty path', '', 'runJob(): option job must be a job file path or a loaded job'],
    ['a number', 7, 'runJob(): option job must be a job file path or a loaded job ({ file, name, steps } from loadJob)'],
    ['a half-made job', { name: 'n' }, 'runJob(): option job must be a job file path or a loaded job ({ file, name, steps } from loadJob)'],
  ])('%s is an option error (ETL_CONFIG_OPTION)', async (_name, job, message) => {
    const error = await refusal(runJob({ job, cwd: dir } as unknown as Parameters<typeof runJob>[0]));
    expect(error.code).toBe('ETL_CONFIG_OPTION');
    expect(error.message).toBe(message);
  });
});

describe('runPipeline({ pipeline: path, cwd })', () => {
  it('takes a relative path from cwd, as its run folder', async () => {
    const result = await runPipeline({
      pipeline: 'pipelines/usergroups.yaml',
      cwd: dir,
      target: httpTarget(fixture.emu, 'emu'),
      out: 'runs/ug',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outDir).toBe(join(dir, 'runs/ug'));
    expect(result.summary.counts).toMatchObject({ read: 16, created: 16 });
  });
});
