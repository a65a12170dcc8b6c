/** runPipeline and runJob called from code with wrong options: a ConfigError naming the option, before anything is read or sent. */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runJob } from '../../src/run/run-job.js';
import { runPipeline } from '../../src/run/run-pipeline.js';

let dir: string;
let file: string;
let emu: Emulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-options-'));
  await writeFile(join(dir, 'users.csv'), 'id\nU1\n');
  file = join(dir, 'p.yaml');
  await writeFile(file, 'name: p\nresource: users\nsource: { path: users.csv }\nmapping: { source: { value: ERP }, sourceId: id }\n');
  emu = await startEmulator({});
});
afterAll(async () => {
  await emu.close();
});

async function refused(run: () => Promise<unknown>): Promise<ConfigError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).exitCode).toBe(2);
  expect((error as ConfigError).code).toBe('ETL_CONFIG_OPTION');
  return error as ConfigError;
}

describe('runPipeline checks its options', () => {
  const target = (): { name: string; kind: 'http'; baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string } => {
    const c = emu.clients[0]!;
    return { name: 'emu', kind: 'http', baseUrl: emu.baseUrl, tokenUrl: emu.tokenUrl, clientId: c.id, clientSecret: c.secret };
  };

  it.each([
    [
      'an unknown mode',
      { pipeline: 'FILE', mode: 'runn' },
      "runPipeline(): option mode must be one of 'run', 'dry-run', 'validate' (did you mean 'run'?)",
    ],
    ['a misspelt option', { pipline: 'FILE' }, 'runPipeline(): unknown option "pipline" (did you mean "pipeline"?)'],
    ['no pipeline', {}, 'runPipeline(): option pipeline is required'],
    ['a limit that is no count', { pipeline: 'FILE', limit: '10' }, 'runPipeline(): option limit must be a whole number of at least 0'],
    ['a resume flag that is no boolean', { pipeline: 'FILE', resume: 'yes' }, 'runPipeline(): option resume must be true or false'],
    [
      'a half-made spec',
      { pipeline: { name: 'x', resource: 'users' } },
      'runPipeline(): option pipeline is not a loaded PipelineSpec (it lacks source, mapping, batch, send, errors, file; load the file with loadPipeline, or pass its path)',
    ],
    ['an onEvent that is no function', { pipeline: 'FILE', onEvent: 'log' }, 'runPipeline(): option onEvent must be a function'],
  ])('%s', async (_name, raw, message) => {
    const options = {
      ...raw,
      out: join(dir, 'out'),
      target: target(),
      ...('pipeline' in raw && raw.pipeline === 'FILE' ? { pipeline: file } : {}),
    };
    const error = await refused(() => runPipeline(options as unknown as Parameters<typeof runPipeline>[0]));
    expect(error.message).toBe(message);
    expect(emu.log.snapshot().total).toBe(0);
    expect(await readdir(dir)).toEqual(['p.yaml', 'users.csv']);
  });

  it('runJob too', async () => {
    const error = await refused(() =>
      runJob({ job: { file, name: 'j', steps: [file] }, mode: 'runn' } as unknown as Parameters<typeof runJob>[0]),
    );
    expect(error.message).toMatch(/^runJob\(\): option mode must be one of/);
    const misspelt = await refused(() => runJob({ jobb: {} } as unknown as Parameters<typeof runJob>[0]));
    expect(misspelt.message).toBe('runJob(): unknown option "jobb" (did you mean "job"?)');
  });
});
