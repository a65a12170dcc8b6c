/**
 * Broken inputs through the built CLI (issue 3, point 7). A file that breaks mid-way stops the
 * run with exit 3 and one line naming the file (and entry) and position; what was read before
 * the break is imported and the run folder resumes. A missing file, an empty glob or archive
 * entries that do not fit the pipeline are exit 2, and a corrupt archive exit 3, before any
 * connection is made.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { buildZip } from '../stages/1-read/helpers.js';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import {
  CSV_MAPPING,
  SECRET,
  countingProxy,
  emulatorPerScenario,
  provenance,
  tmp,
  user,
  writePipeline,
  type CountingProxy,
} from './sources-setup.js';
import { readJson, readNdjson } from '../support/files.js';
import { storedUsers } from '../support/emulator.js';

const freshEmulator = emulatorPerScenario();

function run(dir: string, pipeline: string, emu: { baseUrl: string; tokenUrl: string }, ...extra: string[]): Promise<CliRun> {
  // --quiet: stderr then holds the error line alone.
  return runCli(['run', pipeline, '--out', 'out', '--quiet', ...extra], { cwd: dir, env: targetEnv(emu, SECRET) });
}

/** The CLI's stderr is exactly one line: `propel-etl: <message>`. */
function oneLine(r: CliRun): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^propel-etl: /);
  return (lines[0] as string).slice('propel-etl: '.length);
}

/** A large enough number of rows that the break comes after several batches have been sent. */
const ROWS = 9;
const ids = (prefix: string, n = ROWS): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);
const csvRows = (prefix: string, n = ROWS): string =>
  ids(prefix, n)
    .map((id) => `${id},First ${id},Last ${id}`)
    .join('\n');
const usersOf = (prefix: string, n = ROWS): Record<string, unknown>[] => ids(prefix, n).map((id) => user(id, `First ${id}`, `Last ${id}`));

interface Aborted {
  emu: Emulator;
  dir: string;
  pipeline: string;
  run: CliRun;
}

async function abortedRun(name: string, prepare: (dir: string) => Promise<string>): Promise<Aborted> {
  const emu = await freshEmulator();
  const dir = await tmp(name);
  const pipeline = await prepare(dir);
  return { emu, dir, pipeline, run: await run(dir, pipeline, emu) };
}

/** Exit 3, an aborted, resumable run folder, and every record before the break settled. */
async function expectAbortedAfter(a: Aborted, settled: number): Promise<void> {
  expect(a.run.code).toBe(3);
  const summary = await readJson(join(a.dir, 'out', 'summary.json'));
  expect(summary).toMatchObject({ status: 'aborted', exitCode: 3, error: { code: expect.stringMatching(/^ETL_SOURCE_/) as unknown } });
  const results = await readNdjson(join(a.dir, 'out', 'results.ndjson'));
  expect(results).toHaveLength(settled);
  expect(results.every((r) => r.success === true)).toBe(true);
}

/** Resumes after the file was repaired: everything arrives, nothing acknowledged is sent twice. */
async function expectResumed(a: Aborted, expected: Record<string, unknown>[]): Promise<void> {
  const again = await run(a.dir, a.pipeline, a.emu, '--resume');
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  expect(storedUsers(a.emu)).toEqual(expected);
  expect(a.emu.log.duplicates()).toEqual([]);
  expect(await readJson(join(a.dir, 'out', 'summary.json'))).toMatchObject({ status: 'completed', attempt: 2 });
}

describe('an unterminated quote at the end of a CSV file', () => {
  let a: Aborted;
  // More records than the reader's buffer holds (256): the break is met while they are still on their way.
  const MANY = 600;
  beforeAll(async () => {
    a = await abortedRun('unterminated', async (dir) => {
      await writeFile(join(dir, 'users.csv'), `id,first,last\n${csvRows('Q', MANY)}\nQ601,"Broken,Last\nQ602,x,y\n`);
      return writePipeline(dir, 'users-unterminated', { path: 'users.csv' }, CSV_MAPPING, 50);
    });
  });

  it('stops with exit 3 and one line naming the file and the line the field starts on', () => {
    expect(oneLine(a.run)).toBe(`users.csv, line ${MANY + 2}: unterminated quoted field: the file ends before the closing "`);
  });

  it('imports every record before the break; the folder resumes once the file is fixed', async () => {
    await expectAbortedAfter(a, MANY);
    expect(storedUsers(a.emu)).toEqual(usersOf('Q', MANY));
    await writeFile(join(a.dir, 'users.csv'), `id,first,last\n${csvRows('Q', MANY + 2)}\n`);
    await expectResumed(a, usersOf('Q', MANY + 2));
  });
});

describe('a truncated JSON document', () => {
  let a: Aborted;
  beforeAll(async () => {
    a = await abortedRun('truncated-json', async (dir) => {
      const records = ids('T').map((id) => JSON.stringify({ id, first: `First ${id}`, last: `Last ${id}` }));
      await writeFile(join(dir, 'users.json'), `[\n${records.join(',\n')},\n{"id": "T010", "first": "Cut`);
      return writePipeline(dir, 'users-truncated', { path: 'users.json' });
    });
  });

  it('stops with exit 3 and one line naming the file and the line', () => {
    expect(oneLine(a.run)).toMatch(new RegExp(`^users\\.json, line ${ROWS + 2}: the JSON document ends early`));
  });

  it('imports every record before the break', async () => {
    await expectAbortedAfter(a, ROWS);
    expect(storedUsers(a.emu)).toEqual(usersOf('T'));
  });
});

describe('a corrupt gzip part in a glob', () => {
  let a: Aborted;
  const part = (from: number, n: number): string =>
    `id,first,last\n${ids('P', from + n)
      .slice(from)
      .map((id) => `${id},First ${id},Last ${id}`)
      .join('\n')}\n`;
  beforeAll(async () => {
    a = await abortedRun('corrupt-gzip', async (dir) => {
      await mkdir(join(dir, 'exports'));
      await writeFile(join(dir, 'exports', 'users_0_part_1.csv.gz'), gzipSync(part(0, 4)));
      await writeFile(join(dir, 'exports', 'users_0_part_2.csv.gz'), gzipSync(part(4, 4)));
      // Part 3 breaks off inside its gzip stream: nothing of it can be trusted after the cut.
      const full = gzipSync(part(8, 3));
      await writeFile(join(dir, 'exports', 'users_0_part_3.csv.gz'), full.subarray(0, 12));
      return writePipeline(dir, 'users-gzip', { path: 'exports/users_*_part_*.csv.gz' }, CSV_MAPPING);
    });
  });

  it('stops with exit 3 and one line naming the part file and the line reached', () => {
    expect(oneLine(a.run)).toMatch(/^exports\/users_0_part_3\.csv\.gz, line \d+: corrupt gzip data: /);
  });

  it('imports the parts before the break; the folder resumes once the part is replaced', async () => {
    await expectAbortedAfter(a, 8);
    expect(storedUsers(a.emu)).toEqual(usersOf('P', 8));
    const results = await readNdjson(join(a.dir, 'out', 'results.ndjson'));
    expect(provenance(results, 'file', 'line').map(([file]) => file)).toEqual([
      ...Array<string>(4).fill('exports/users_0_part_1.csv.gz'),
      ...Array<string>(4).fill('exports/users_0_part_2.csv.gz'),
    ]);
    await writeFile(join(a.dir, 'exports', 'users_0_part_3.csv.gz'), gzipSync(part(8, 3)));
    await expectResumed(a, usersOf('P', 11));
  });
});

describe('a ZIP archive with a corrupt entry', () => {
  let a: Aborted;
  const good = (): Buffer =>
    buildZip([
      { name: 'a.csv', data: Buffer.from(`id,first,last\n${csvRows('A', 5)}\n`) },
      {
        name: 'nested/b.csv',
        data: Buffer.from(
          `id,first,last\n${'B01,First B01,Last B01\n'.repeat(1)}${Array.from({ length: 300 }, (_, i) => `B${i + 2},First B${i + 2},Last B${i + 2}`).join('\n')}\n`,
        ),
      },
    ]);
  beforeAll(async () => {
    a = await abortedRun('corrupt-zip', async (dir) => {
      const zip = good();
      // Garbage inside the deflated data of the second entry; the central directory stays intact.
      const secondData = zip.indexOf('nested/b.csv') + 'nested/b.csv'.length;
      zip.fill(0xff, secondData + 40, secondData + 80);
      await writeFile(join(dir, 'export.zip'), zip);
      return writePipeline(dir, 'users-zip', { path: 'export.zip' }, CSV_MAPPING, 50);
    });
  });

  it('stops with exit 3 and one line naming the archive, the entry and the line', () => {
    expect(oneLine(a.run)).toMatch(/^export\.zip, entry nested\/b\.csv, line \d+: corrupt (compressed data in the )?archive entry/);
  });

  it('imports the entry before the break; the folder resumes once the archive is replaced', async () => {
    const summary = await readJson(join(a.dir, 'out', 'summary.json'));
    expect(summary).toMatchObject({ status: 'aborted', exitCode: 3, error: { code: 'ETL_SOURCE_ZIP' } });
    const stored = storedUsers(a.emu);
    expect(stored.slice(0, 5)).toEqual(usersOf('A', 5));
    expect(stored.slice(5).every((u) => String(u.sourceId).startsWith('B'))).toBe(true);
    await writeFile(join(a.dir, 'export.zip'), good());
    const again = await run(a.dir, a.pipeline, a.emu, '--resume');
    expect(again.code).toBe(0);
    expect(a.emu.store.users()).toHaveLength(5 + 301);
    expect(a.emu.log.duplicates()).toEqual([]);
  });
});

describe('inputs that cannot be used are refused before any connection', () => {
  let emu: Emulator;
  let proxy: CountingProxy;
  let dir: string;
  beforeAll(async () => {
    emu = await freshEmulator();
    proxy = await countingProxy(emu);
    dir = await tmp('exit-2');
    await mkdir(join(dir, 'exports'));
    await writeFile(join(dir, 'exports', 'users_0_part_1.csv'), 'id,first,last\nX1,A,B\n');
    const zip = buildZip([{ name: 'a.csv', data: Buffer.from('id,first,last\nX1,A,B\n') }]);
    await writeFile(join(dir, 'good.zip'), zip);
    // The end-of-central-directory record is gone: the archive cannot be listed.
    await writeFile(join(dir, 'headless.zip'), zip.subarray(0, zip.length - 22));
  });
  afterAll(async () => {
    await proxy.close();
  });

  // Exit 2 where the configuration does not fit the files (as for a missing file); exit 3 where
  // the input itself is broken (a corrupt archive, as a corrupt gzip; a declared zip bomb).
  it.each([
    ['a missing file', { path: 'nope.csv' }, 2, 'nope.csv: source file not found'],
    ['an empty glob', { path: 'exports/users_*_part_*.csv.gz' }, 2, 'exports/users_*_part_*.csv.gz: no file matches the pattern'],
    [
      'an entries glob matching nothing',
      { path: 'good.zip', zip: { entries: '*.ndjson' } },
      2,
      'good.zip: no entry of the archive matches "*.ndjson"',
    ],
    ['an archive without a central directory', { path: 'headless.zip' }, 3, /^headless\.zip: not a readable ZIP archive: /],
    [
      'an entry beyond the size ceiling',
      { path: 'good.zip', zip: { maxEntryBytes: 10 } },
      3,
      /^good\.zip, entry a\.csv: entry declares \d+ bytes uncompressed, more than source\.zip\.maxEntryBytes \(10\)$/,
    ],
  ])('%s', async (name, source, code, message) => {
    const pipeline = await writePipeline(dir, `users-${name.replace(/\W+/g, '-')}`, source);
    const r = await runCli(['run', pipeline, '--out', `out-${name.replace(/\W+/g, '-')}`], { cwd: dir, env: targetEnv(proxy, SECRET) });
    expect(r.code).toBe(code);
    if (typeof message === 'string') expect(oneLine(r)).toBe(message);
    else expect(oneLine(r)).toMatch(message);
    expect(proxy.connections).toBe(0);
    expect(emu.log.total).toBe(0);
  });
});
