/**
 * A pipeline never quietly imports less, or other, than it says (issue 13): each everyday
 * mistake through the built CLI against the emulator, with the exit code, the one line naming
 * the culprit, and nothing sent (the emulator's request log is empty and no connection was made,
 * not even for a token).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, DEFAULT_CLIENT, type Emulator } from '../../src/emulator/index.js';
import { acquireLock } from '../../src/state/state-lock.js';
import { buildZip } from '../stages/1-read/helpers.js';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import { storedUsers } from '../support/emulator.js';
import { readJson } from '../support/files.js';
import { SECRET, countingProxy, tmp, type CountingProxy } from './sources-setup.js';

let emu: Emulator;
let proxy: CountingProxy;
beforeAll(async () => {
  emu = await startEmulator({ clients: [{ id: DEFAULT_CLIENT.id, secret: SECRET }] });
  proxy = await countingProxy(emu);
});
afterAll(async () => {
  await proxy.close();
  await emu.close();
});

/** A YAML pipeline whose mapping lines are the given ones (two-space indented under `mapping:`), starting at line 8. */
function pipelineYaml(source: string, mapping: readonly string[], resource = 'users'): string {
  return (
    [
      'name: guarantees',
      `resource: ${resource}`,
      'source:',
      ...source.split('\n').map((l) => `  ${l}`),
      'batch: { size: 2 }',
      'send: { concurrency: 1, maxRetries: 1, timeout: 5s }',
      'mapping:',
      ...mapping.map((l) => `  ${l}`),
    ].join('\n') + '\n'
  );
}

/** The line of `text` in the pipeline file, 1-based. */
function lineOf(yaml: string, text: string): number {
  const i = yaml.split('\n').findIndex((l) => l.includes(text));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

const MAPPING = ['source: { value: ERP }', 'sourceId: id', 'firstName: first', 'email: { from: email, transform: [trim, lower] }'];

async function setUp(name: string, files: Record<string, string | Buffer>, yaml: string): Promise<string> {
  const dir = await tmp(name);
  for (const [file, data] of Object.entries(files)) await writeFile(join(dir, file), data);
  await writeFile(join(dir, 'p.yaml'), yaml);
  return dir;
}

function run(dir: string, ...extra: string[]): Promise<CliRun> {
  return runCli(['run', 'p.yaml', '--out', 'out', '--quiet', ...extra], { cwd: dir, env: targetEnv(proxy, SECRET) });
}

/** Exit 2, one line on stderr, nothing sent; returns the message. */
async function refusedBeforeSending(dir: string): Promise<string> {
  const before = { requests: emu.log.snapshot().total, connections: proxy.connections };
  const r = await run(dir);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(r.code).toBe(2);
  expect(emu.log.snapshot().total).toBe(before.requests);
  expect(proxy.connections).toBe(before.connections);
  return (lines[0] as string).replace(/^propel-etl: /, '');
}

describe('source columns must exist', () => {
  it('a column the header lacks: exit 2 naming key, line, column, input and the nearest header name', async () => {
    const mapping = [...MAPPING.slice(0, 3), 'email: E-mailadress'];
    const yaml = pipelineYaml('path: users.csv', mapping);
    const dir = await setUp('col', { 'users.csv': 'id,first,E-mailadres\nU1,Ann,a@x.nl\n' }, yaml);
    expect(await refusedBeforeSending(dir)).toBe(
      `${join(dir, 'p.yaml')}, line ${lineOf(yaml, 'email: E-mailadress')}: mapping.email reads column "E-mailadress", which is not in the header of users.csv (did you mean "E-mailadres"?)`,
    );
  });

  it('a ;-configured file that is really comma-separated: says which delimiter the file seems to use', async () => {
    const yaml = pipelineYaml('path: users.csv\ncsv: { delimiter: ";" }', MAPPING);
    const dir = await setUp('delim', { 'users.csv': 'id,first,email\nU1,Ann,a@x.nl\n' }, yaml);
    const message = await refusedBeforeSending(dir);
    expect(message).toContain(
      `line ${lineOf(yaml, 'sourceId: id')}: mapping.sourceId reads column "id", which is not in the header of users.csv`,
    );
    expect(message).toContain('the header is one field holding ",": the file seems to use "," as delimiter, not ";"');
  });

  it('a glob of three CSV files, the third lacking a mapped column: exit 2 before any request', async () => {
    const yaml = pipelineYaml('path: "users_*.csv"', MAPPING);
    const dir = await setUp(
      'glob',
      {
        'users_1.csv': 'id,first,email\nU1,Ann,a@x.nl\n',
        'users_2.csv': 'id,first,email\nU2,Bob,b@x.nl\n',
        'users_3.csv': 'id,first,mail\nU3,Cy,c@x.nl\n',
      },
      yaml,
    );
    const message = await refusedBeforeSending(dir);
    expect(message).toMatch(/mapping\.email reads column "email", which is not in the header of users_3\.csv \(did you mean "mail"\?\)$/);
    expect(await readFile(join(dir, 'out', 'summary.json')).catch(() => undefined)).toBeUndefined();
  });

  it('an archive entry lacking a mapped column is named with its archive', async () => {
    const zip = buildZip([
      { name: 'a.csv', data: Buffer.from('id,first,email\nU1,Ann,a@x.nl\n') },
      { name: 'b.csv', data: Buffer.from('id,voornaam,email\nU2,Bob,b@x.nl\n') },
    ]);
    const yaml = pipelineYaml('path: export.zip', MAPPING);
    const dir = await setUp('zip', { 'export.zip': zip }, yaml);
    expect(await refusedBeforeSending(dir)).toMatch(
      /mapping\.firstName reads column "first", which is not in the header of export\.zip \(entry b\.csv\)/,
    );
  });

  it('a header not in the declared encoding is named as such, not as a missing column', async () => {
    const yaml = pipelineYaml('path: users.csv\ncsv: { delimiter: ";" }', [
      'source: { value: ERP }',
      'sourceId: id',
      'lastName: Achternaam_é',
    ]);
    const dir = await setUp('encoding', { 'users.csv': Buffer.from('id;Achternaam_\xe9\nU1;Smit\n', 'latin1') }, yaml);
    expect(await refusedBeforeSending(dir)).toMatch(/^users\.csv, line 1: not valid UTF-8 \(byte 0xE9\)/);
  });

  it('headerless CSV: a column beyond the first row is the same error', async () => {
    const yaml = pipelineYaml('path: users.csv\ncsv: { headers: false }', ['source: { value: ERP }', 'sourceId: "0"', 'email: "3"']);
    const dir = await setUp('headerless', { 'users.csv': 'U1,Ann,a@x.nl\n' }, yaml);
    expect(await refusedBeforeSending(dir)).toMatch(
      new RegExp(`line ${lineOf(yaml, 'email: "3"')}: mapping\\.email reads column "3", which is not in the first row of users\\.csv`),
    );
  });
});

describe('target fields must exist', () => {
  it('a misspelt target field: exit 2 with its line and did-you-mean', async () => {
    const yaml = pipelineYaml('path: users.csv', [...MAPPING.slice(0, 2), 'firstname: first']);
    const dir = await setUp('target', { 'users.csv': 'id,first\nU1,Ann\n' }, yaml);
    expect(await refusedBeforeSending(dir)).toBe(
      `${join(dir, 'p.yaml')}, line ${lineOf(yaml, 'firstname:')}: mapping: "firstname" is not a field of a user in Propel (did you mean "firstName"?)`,
    );
  });

  it('a nested key (addresses, parent) is checked against its own object', async () => {
    const yaml = pipelineYaml('path: users.csv', [
      ...MAPPING.slice(0, 2),
      'addresses:',
      '  - type: { value: invoice }',
      '    street: first',
      '    city: first',
      '    zipcode: first',
    ]);
    const dir = await setUp('nested', { 'users.csv': 'id,first\nU1,Ann\n' }, yaml);
    expect(await refusedBeforeSending(dir)).toMatch(
      new RegExp(`line ${lineOf(yaml, 'zipcode:')}: mapping: "zipcode" is not a field of mapping\\.addresses\\[0\\] in Propel`),
    );
  });
});

describe('placeholders', () => {
  it('a CHANGE_ME left in the file: exit 2 naming key and line', async () => {
    const yaml = pipelineYaml('path: users.csv', ['source: { value: CHANGE_ME }', 'sourceId: id']);
    const dir = await setUp('placeholder', { 'users.csv': 'id\nU1\n' }, yaml);
    expect(await refusedBeforeSending(dir)).toBe(
      `${join(dir, 'p.yaml')}, line ${lineOf(yaml, 'CHANGE_ME')}: mapping.source.value still holds the placeholder CHANGE_ME: replace it with the real value (propel-etl init could not tell it)`,
    );
  });
});

describe('empty input', () => {
  it('header-only and empty files: exit 3 "no records in <files>", nothing sent, the run folder says why', async () => {
    const yaml = pipelineYaml('path: "part_*.csv"', MAPPING);
    const dir = await setUp('empty', { 'part_1.csv': 'id,first,email\n', 'part_2.csv': '' }, yaml);
    const before = emu.log.snapshot().total;
    const r = await run(dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^propel-etl: no records in part_1\.csv, part_2\.csv \(empty or header-only/);
    expect(emu.log.snapshot().total).toBe(before);
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({
      status: 'aborted',
      exitCode: 3,
      error: { code: 'ETL_SOURCE_EMPTY' },
    });
  });

  it('with source.allowEmpty: true an empty input is a normal night (exit 0)', async () => {
    const yaml = pipelineYaml('path: users.csv\nallowEmpty: true', MAPPING);
    const dir = await setUp('allow-empty', { 'users.csv': 'id,first,email\n' }, yaml);
    const r = await run(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a glob that matches nothing stays exit 2', async () => {
    const yaml = pipelineYaml('path: "none_*.csv"', MAPPING);
    const dir = await setUp('no-match', {}, yaml);
    expect(await refusedBeforeSending(dir)).toMatch(/none_\*\.csv: no file matches the pattern/);
  });

  it('in a job, a later step lacking a mapped column stops the job before its first step sends', async () => {
    const dir = await setUp(
      'job-columns',
      { 'a.csv': 'id,first,email\nJ1,Ann,a@x.nl\n', 'b.csv': 'id,first\nJ2,Bob\n' },
      pipelineYaml('path: a.csv', MAPPING),
    );
    await writeFile(join(dir, 'second.yaml'), pipelineYaml('path: b.csv', MAPPING));
    await writeFile(join(dir, 'job.yaml'), 'name: nightly\nsteps: [p.yaml, second.yaml]\n');
    const before = { requests: emu.log.snapshot().total, connections: proxy.connections };
    const r = await runCli(['run', 'job.yaml', '--out', 'out', '--quiet'], { cwd: dir, env: targetEnv(proxy, SECRET) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/second\.yaml, line \d+: mapping\.email reads column "email", which is not in the header of b\.csv/);
    expect(emu.log.snapshot().total).toBe(before.requests);
    expect(proxy.connections).toBe(before.connections);
  });

  it('in a job, a later step whose input is not UTF-8 stops the job before its first step sends (issue 26)', async () => {
    const dir = await setUp(
      'job-encoding',
      { 'a.csv': 'id,first,email\nJ1,Ann,a@x.nl\n', 'b.csv': Buffer.from('id,first,email\nJ2,Ren\xe9,r@x.nl\n', 'latin1') },
      pipelineYaml('path: a.csv', MAPPING),
    );
    await writeFile(join(dir, 'second.yaml'), pipelineYaml('path: b.csv', MAPPING));
    await writeFile(join(dir, 'job.yaml'), 'name: nightly\nsteps: [p.yaml, second.yaml]\n');
    const before = { requests: emu.log.snapshot().total, connections: proxy.connections };
    const r = await runCli(['run', 'job.yaml', '--out', 'out', '--quiet'], { cwd: dir, env: targetEnv(proxy, SECRET) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/b\.csv, line 2: not valid UTF-8 \(byte 0xE9\); the file looks like windows-1252/);
    expect(emu.log.snapshot().total).toBe(before.requests);
    expect(proxy.connections).toBe(before.connections);
  });

  it('in a job, a later step whose delta state another run holds stops the job before its first step sends (issue 26)', async () => {
    const dir = await setUp(
      'job-lock',
      { 'a.csv': 'id,first,email\nJ1,Ann,a@x.nl\n', 'b.csv': 'id,first,email\nJ2,Bob,b@x.nl\n' },
      pipelineYaml('path: a.csv', MAPPING),
    );
    await writeFile(join(dir, 'second.yaml'), pipelineYaml('path: b.csv', MAPPING).replace('name: guarantees', 'name: second\ndelta: {}'));
    await writeFile(join(dir, 'job.yaml'), 'name: nightly\nsteps: [p.yaml, second.yaml]\n');
    // The second step's state exists from an earlier night; another run (this process, alive) holds its lock.
    expect((await runCli(['run', 'second.yaml', '--out', 'night0', '--quiet'], { cwd: dir, env: targetEnv(proxy, SECRET) })).code).toBe(0);
    const state = (await readdir(join(dir, 'state', 'second'))).find((f) => f.endsWith('.sqlite'));
    const held = await acquireLock(join(dir, 'state', 'second', `${state}.lock`), { startedAt: new Date(), runId: 'another' });
    try {
      const before = { requests: emu.log.snapshot().total, connections: proxy.connections };
      const r = await runCli(['run', 'job.yaml', '--out', 'out', '--quiet'], { cwd: dir, env: targetEnv(proxy, SECRET) });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/another run .*(holds|is starting on)|lock/);
      expect(emu.log.snapshot().total).toBe(before.requests);
      expect(proxy.connections).toBe(before.connections);
    } finally {
      await held.release();
    }
  });

  it('a run folder that cannot be created (a file where a folder should be) is exit 2 naming it, not an internal error (issue 25)', async () => {
    const dir = await setUp(
      'bad-out',
      { 'users.csv': 'id,first,email\nJ1,Ann,a@x.nl\n', 'taken.txt': 'a file' },
      pipelineYaml('path: users.csv', MAPPING),
    );
    const before = emu.log.snapshot().total;
    for (const args of [
      ['p.yaml', '--out', 'taken.txt/run'],
      ['p.yaml', '--out', 'taken.txt/deeper/run'],
    ]) {
      const r = await runCli(['run', ...args, '--quiet'], { cwd: dir, env: targetEnv(proxy, SECRET) });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /taken\.txt\/(deeper\/)?run: cannot create the run folder \(E[A-Z]+\): a folder above it is missing, read-only or not yours to write/,
      );
      expect(r.stderr).not.toMatch(/internal error/);
    }
    await writeFile(join(dir, 'job.yaml'), 'name: nightly\nsteps: [p.yaml]\n');
    const job = await runCli(['run', 'job.yaml', '--out', 'taken.txt/job', '--quiet'], { cwd: dir, env: targetEnv(proxy, SECRET) });
    expect(job.code, job.stderr).toBe(2);
    expect(emu.log.snapshot().total).toBe(before);
  });

  it('a job step that reads nothing stops the job with exit 3', async () => {
    const dir = await setUp('job-empty', { 'users.csv': 'id,first,email\n' }, pipelineYaml('path: users.csv', MAPPING));
    await writeFile(join(dir, 'job.yaml'), 'name: nightly\nsteps: [p.yaml]\n');
    const r = await runCli(['run', 'job.yaml', '--out', 'out', '--quiet'], { cwd: dir, env: targetEnv(proxy, SECRET) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no records in users\.csv/);
  });
});

describe('JSON and NDJSON: a mapped path no record had', () => {
  it('is a warning in summary.json, the terminal summary, the end log line and report.html; validate prints it too', async () => {
    const yaml = pipelineYaml('path: people.ndjson', [
      'source: { value: ERP }',
      'sourceId: id',
      'firstName: name.first',
      'email: contact.mail',
    ]);
    const records = ['{"id":"W1","name":{"first":"Ann"},"contact":{"email":"a@x.nl"}}', '{"id":"W2","name":{"first":"Bob"}}'];
    const dir = await setUp('warn', { 'people.ndjson': records.join('\n') + '\n' }, yaml);
    const warning = `mapping.email (line ${lineOf(yaml, 'email: contact.mail')}) reads "contact.mail", which no record of people.ndjson had`;

    const r = await runCli(['run', 'p.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(proxy, SECRET) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`warning    ${warning}`);
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({ status: 'completed', warnings: [warning] });
    expect(await readFile(join(dir, 'out', 'report.html'), 'utf8')).toContain(
      `<ul id="warnings"><li>${warning.replaceAll('"', '&quot;')}</li></ul>`,
    );
    expect(storedUsers(emu).filter((u) => String(u.sourceId).startsWith('W'))).toHaveLength(2);

    const v = await runCli(['validate', 'p.yaml', '--out', 'v', '--log-format', 'json'], { cwd: dir });
    expect(v.code).toBe(0);
    const end = v.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === 'run end');
    expect(end).toMatchObject({ warnings: [warning] });

    const pretty = await runCli(['validate', 'p.yaml', '--out', 'v2'], { cwd: dir });
    expect(pretty.stdout).toContain(`warning    ${warning}`);
  });

  it('no warning when every mapped path was in some record', async () => {
    const yaml = pipelineYaml('path: people.ndjson', ['source: { value: ERP }', 'sourceId: id', 'email: mail']);
    const dir = await setUp('no-warn', { 'people.ndjson': '{"id":"N1"}\n{"id":"N2","mail":null}\n' }, yaml);
    const v = await runCli(['validate', 'p.yaml', '--out', 'v', '--quiet'], { cwd: dir });
    expect(v.code).toBe(0);
    expect(await readJson(join(dir, 'v', 'summary.json'))).toMatchObject({ warnings: [] });
  });
});
