/**
 * Parquet exports end to end against the emulator: one DuckDB-written file per codec (through
 * runPipeline), then the CLI as a scheduler runs it on part files, a ZIP of part files, and the
 * files that must stop a run: a missing mapped column (exit 2, no connection), a truncated file
 * (exit 3, no connection) and a corrupt row group (exit 3 after the rows before it settled,
 * resumable).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { openParquet } from '../../src/stages/1-read/parquet/index.js';
import { LocalStorage } from '../../src/storage/index.js';
import { buildZip } from '../stages/1-read/helpers.js';
import { CODECS, PARQUET_MAPPING, TWO_GROUPS, expectedUsers, writeUsersParquet } from '../stages/1-read/parquet-fixtures.js';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import { httpTarget, storedUsers } from '../support/emulator.js';
import { readJson, readNdjson, tempLeft } from '../support/files.js';
import { SECRET, countingProxy, emulatorPerScenario, tmp, writePipeline } from './sources-setup.js';

const freshEmulator = emulatorPerScenario();

function run(
  dir: string,
  pipeline: string,
  emu: { baseUrl: string; tokenUrl: string },
  env: NodeJS.ProcessEnv = {},
  ...extra: string[]
): Promise<CliRun> {
  return runCli(['run', pipeline, '--out', 'out', '--quiet', ...extra], { cwd: dir, env: { ...targetEnv(emu, SECRET), ...env } });
}

function oneLine(r: CliRun): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  return (lines[0] as string).replace(/^propel-etl: /, '');
}

describe.each(CODECS.map((codec, i) => ({ codec, version: i % 2 === 0 ? ('V1' as const) : ('V2' as const) })))(
  'a $codec Parquet file ($version encodings)',
  ({ codec, version }) => {
    it('arrives in the emulator exactly as expected, each result pointing at its row', async () => {
      const emu = await freshEmulator();
      const dir = await tmp(`parquet-${codec}`);
      await writeUsersParquet(join(dir, 'users.parquet'), { codec, version });
      const pipeline = await writePipeline(dir, `users-${codec}`, { path: 'users.parquet' }, PARQUET_MAPPING, 500);
      const result = await runPipeline({
        pipeline: join(dir, pipeline),
        target: httpTarget(emu, 'emu'),
        out: join(dir, 'out'),
      });
      expect(result.error).toBeUndefined();
      expect(result.exitCode).toBe(0);
      expect(storedUsers(emu)).toEqual(expectedUsers(0, TWO_GROUPS));
      const lines = (await readNdjson(join(dir, 'out', 'results.ndjson'))).map((r) => [r.file, r.line, r.key]);
      expect(lines.sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual(
        expectedUsers(0, TWO_GROUPS).map((_, i) => ['users.parquet', i + 1, (9007199254740993n + BigInt(i)).toString()]),
      );
    });
  },
);

describe('part files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tmp('parquet-parts');
    await mkdir(join(dir, 'export'));
    // Spark and the warehouses write a folder of part files; row numbers restart in each.
    await writeUsersParquet(join(dir, 'export', 'part-00000.parquet'), { rows: 300, offset: 0, codec: 'zstd' });
    await writeUsersParquet(join(dir, 'export', 'part-00001.parquet'), { rows: 250, offset: 300, codec: 'snappy' });
    await writeUsersParquet(join(dir, 'export', 'part-00002.parquet'), { rows: 200, offset: 550, codec: 'gzip' });
  });

  it('a glob reads them in order; line is the row in its own file', async () => {
    const emu = await freshEmulator();
    const pipeline = await writePipeline(dir, 'users-parts', { path: 'export/part-*.parquet' }, PARQUET_MAPPING, 200);
    const r = await run(dir, pipeline, emu);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(storedUsers(emu)).toEqual(expectedUsers(0, 750));
    const results = await readNdjson(join(dir, 'out', 'results.ndjson'));
    const at = (key: bigint): unknown => results.find((x) => x.key === (9007199254740993n + key).toString());
    expect(at(0n)).toMatchObject({ file: 'export/part-00000.parquet', line: 1 });
    expect(at(300n)).toMatchObject({ file: 'export/part-00001.parquet', line: 1 });
    expect(at(749n)).toMatchObject({ file: 'export/part-00002.parquet', line: 200 });
  });

  it('in a ZIP archive, each entry is extracted to a private temporary file that is gone afterwards', async () => {
    const emu = await freshEmulator();
    const names = await readdir(join(dir, 'export'));
    const entries = await Promise.all(
      names.sort().map(async (n) => ({ name: `export/${n}`, data: await readFile(join(dir, 'export', n)) })),
    );
    await writeFile(join(dir, 'export.zip'), buildZip(entries));
    const scratch = join(dir, 'scratch');
    await mkdir(scratch);
    const pipeline = await writePipeline(dir, 'users-zip', { path: 'export.zip' }, PARQUET_MAPPING, 200);
    const r = await runCli(['run', pipeline, '--out', 'zip-out', '--quiet'], {
      cwd: dir,
      env: { ...targetEnv(emu, SECRET), TMPDIR: scratch },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(storedUsers(emu)).toEqual(expectedUsers(0, 750));
    const results = await readNdjson(join(dir, 'zip-out', 'results.ndjson'));
    expect(results.find((x) => x.key === (9007199254740993n + 300n).toString())).toMatchObject({
      file: 'export.zip',
      entry: 'export/part-00001.parquet',
      line: 1,
    });
    expect(await tempLeft(scratch)).toEqual([]);
  });

  it('a mapped column missing from a later part is exit 2 before any connection, naming it and the closest names', async () => {
    const emu = await freshEmulator();
    const proxy = await countingProxy(emu);
    try {
      await mkdir(join(dir, 'drift'));
      await writeUsersParquet(join(dir, 'drift', 'part-00000.parquet'), { rows: 30 });
      await writeUsersParquet(join(dir, 'drift', 'part-00001.parquet'), { rows: 30, offset: 30, without: 'first_name' });
      const pipeline = await writePipeline(dir, 'users-missing', { path: 'drift/part-*.parquet' }, PARQUET_MAPPING, 200);
      const r = await run(dir, pipeline, proxy, {}, '--fresh');
      expect(r.code).toBe(2);
      expect(oneLine(r)).toBe(
        'drift/part-00001.parquet: the mapping reads "first_name", which is not a column of this Parquet file (closest: last_name, seen_ms, tags[0].name)',
      );
      expect(proxy.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('in a job, a later step whose Parquet part lacks a mapped column stops the job before its first step sends anything', async () => {
    // Regression: the job's own check before its first step read Parquet footers without the mapped columns.
    const emu = await freshEmulator();
    const proxy = await countingProxy(emu);
    try {
      await mkdir(join(dir, 'job-drift'));
      await writeUsersParquet(join(dir, 'job-drift', 'good.parquet'), { rows: 30 });
      await writeUsersParquet(join(dir, 'job-drift', 'part-00001.parquet'), { rows: 30, offset: 30, without: 'first_name' });
      const first = await writePipeline(dir, 'job-good', { path: 'job-drift/good.parquet' }, PARQUET_MAPPING, 200);
      const second = await writePipeline(dir, 'job-drifted', { path: 'job-drift/part-*.parquet' }, PARQUET_MAPPING, 200);
      await writeFile(join(dir, 'job-drift.yaml'), `name: drift\nsteps: [${first}, ${second}]\n`);
      const r = await run(dir, 'job-drift.yaml', proxy, {}, '--fresh');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'job-drift/part-00001.parquet: the mapping reads "first_name", which is not a column of this Parquet file',
      );
      expect(proxy.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('a truncated Parquet file among good ones', () => {
  it('is exit 3 before any connection, naming the file', async () => {
    const emu = await freshEmulator();
    const proxy = await countingProxy(emu);
    const dir = await tmp('parquet-truncated');
    try {
      await writeUsersParquet(join(dir, 'a.parquet'), { rows: 20 });
      await writeUsersParquet(join(dir, 'b.parquet'), { rows: 20, offset: 20 });
      const whole = await readFile(join(dir, 'b.parquet'));
      await writeFile(join(dir, 'b.parquet'), whole.subarray(0, Math.floor(whole.length / 2)));
      const pipeline = await writePipeline(dir, 'users-truncated', { path: '*.parquet' }, PARQUET_MAPPING);
      const r = await run(dir, pipeline, proxy);
      expect(r.code).toBe(3);
      expect(oneLine(r)).toBe('b.parquet: is truncated: the Parquet footer (PAR1 at the end) is missing');
      expect(proxy.connections).toBe(0);
      expect(storedUsers(emu)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('a corrupt page in the second row group', () => {
  it('stops with exit 3 naming the row group after the first group settled; --resume finishes once repaired', async () => {
    const emu = await freshEmulator();
    const dir = await tmp('parquet-corrupt');
    const path = join(dir, 'users.parquet');
    await writeUsersParquet(path, { codec: 'snappy' });
    const good = await readFile(path);
    const local = new LocalStorage();
    const file = await openParquet(await local.stat('users.parquet', dir), local, { file: 'users.parquet' });
    const chunk = file.metadata.row_groups[1]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'last_name')!.meta_data!;
    const at = Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
    await writeFile(path, Buffer.from(good).fill(0xff, at, at + 16));
    const pipeline = await writePipeline(dir, 'users-corrupt', { path: 'users.parquet' }, PARQUET_MAPPING, 256);

    const r = await run(dir, pipeline, emu);
    expect(r.code).toBe(3);
    expect(oneLine(r)).toMatch(/^users\.parquet, line 2049: row group 2 of 2 \(rows 2049-2100\) is corrupt: /);
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({
      status: 'aborted',
      exitCode: 3,
      error: { code: 'ETL_SOURCE_PARQUET' },
    });
    expect(await readNdjson(join(dir, 'out', 'results.ndjson'))).toHaveLength(2048);
    expect(storedUsers(emu)).toEqual(expectedUsers(0, 2048));

    await writeFile(path, good);
    const again = await run(dir, pipeline, emu, {}, '--resume');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(storedUsers(emu)).toEqual(expectedUsers(0, TWO_GROUPS));
    // Resume skipped the rows already settled by their row numbers: none was sent twice.
    expect(emu.log.duplicates()).toEqual([]);
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({
      status: 'completed',
      attempt: 2,
      counts: { read: TWO_GROUPS, created: TWO_GROUPS },
    });
  });
});
