import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPipeline } from '../../src/config/index.js';
import { writeDemoUsers } from '../../src/demo/demo-data.js';
import { guessDateFormat, proposeMapping } from '../../src/init/propose-mapping.js';
import { initPipeline } from '../../src/init/init-pipeline.js';
import { runCli, targetEnv } from '../support/cli.js';
import { emulatorPerFile } from '../support/emulator.js';
import { tempDir } from '../support/files.js';

const f = (path: string, ...samples: string[]): { path: string; samples: string[] } => ({ path, samples });

describe('proposeMapping', () => {
  it('maps by name similarity, leaves unknown columns unmapped and marks required fields without a source', () => {
    const p = proposeMapping('users', [f('klantnr', 'K1'), f('first_name', 'Anna'), f('Last Name', 'Jansen'), f('E-Mail', 'a@x.nl'), f('geboortedatum', '31-12-1990'), f('emial_adress', 'x')]);
    expect(p.fields.map((x) => [x.from, x.target, x.because])).toEqual([
      ['first_name', 'firstName', 'same name'],
      ['Last Name', 'lastName', 'same name'],
      ['geboortedatum', 'dateOfBirth', 'known synonym'],
      ['E-Mail', 'email', 'same name'],
    ]);
    expect(p.unmapped).toEqual(['klantnr', 'emial_adress']);
    expect(p.missingRequired).toEqual(['source', 'sourceId']);
    expect(p.fields.find((x) => x.target === 'dateOfBirth')!.spec).toEqual({ date: 'DD-MM-YYYY' });
  });

  it('proposes a close misspelling, but never guesses a short name', () => {
    const p = proposeMapping('users', [f('firstnme'), f('nr'), f('id')]);
    expect(p.fields.map((x) => [x.from, x.target, x.because])).toEqual([['firstnme', 'firstName', 'similar name']]);
  });

  it('for usergroups: id is required, parent_id becomes parent.id as an integer', () => {
    const p = proposeMapping('usergroups', [f('group_name', 'Noord'), f('parent_id', '1', '2')]);
    expect(p.missingRequired).toEqual(['id']);
    expect(p.fields).toContainEqual(expect.objectContaining({ slot: 'parent', target: 'id', from: 'parent_id', spec: { type: 'integer' } }));
  });

  it('reads date formats from the samples', () => {
    expect(guessDateFormat(['1990-01-31'])).toBeUndefined();
    expect(guessDateFormat(['12/31/1990', '01/02/1991'])).toBe('MM/DD/YYYY');
    expect(guessDateFormat(['31/12/1990'])).toBe('DD/MM/YYYY');
    expect(guessDateFormat(['19900131'])).toBe('YYYYMMDD');
    expect(guessDateFormat(['1.2.1990'])).toBe('D.M.YYYY');
  });
});

describe('propel-etl init', () => {
  const fx = emulatorPerFile('init-Secret-1', {}, 'never');
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('init-');
    await writeDemoUsers(join(dir, 'demo-users.csv'), 300);
    for (let id = 1; id <= 20; id++) fx.emu.store.seedUsergroup({ id, name: `G${id}` });
  });

  it('writes a commented starter pipeline for the demo CSV that the config loader accepts and that runs against the emulator', async () => {
    const init = await runCli(['init', 'users', 'demo-users.csv'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(init.stderr).toMatch(/found 15 columns: customer_no, first_name/);
    expect(init.stderr).toMatch(/not mapped: tier/);
    const yaml = await readFile(join(dir, 'demo-users.users.yaml'), 'utf8');
    expect(yaml).toMatch(/^# 15 source columns found:/m);
    expect(yaml).toMatch(/^ {2}source: \{ value: CHANGE_ME \} +# REQUIRED, no source found/m);
    expect(yaml).toMatch(/^ {2}firstName: \{ from: first_name, transform: \[trim, collapse\] \}/m);
    expect(yaml).toMatch(/^ {2}# {3}tier +# e\.g\. attributes:/m);
    const doc = parse(yaml) as { source: unknown; mapping: Record<string, unknown> };
    expect(doc.source).toEqual({ path: 'demo-users.csv', format: 'csv', csv: { delimiter: ';', headers: true } });
    expect(doc.mapping.gender).toEqual({ from: 'sex', map: { man: 'M', vrouw: 'F' }, default: 'U' });
    expect(doc.mapping.parent).toEqual({ id: { from: 'group_id', type: 'integer' } });
    await expect(loadPipeline(join(dir, 'demo-users.users.yaml'), {})).resolves.toMatchObject({ name: 'demo-users', resource: 'users' });

    // As written, unedited: everything but the demo's deliberately broken rows is imported.
    const run = await runCli(['run', 'demo-users.users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fx.emu, 'init-Secret-1') });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/created\s+299/);
    const anna = fx.emu.store.users().map((u) => u.item).find((u) => u.sourceId === 'C0000001')!;
    expect(anna).toMatchObject({ source: 'CHANGE_ME', firstName: expect.any(String), dateOfBirth: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), parent: { id: 2 }, addresses: [expect.objectContaining({ type: 'invoice', country: 'NL' })] });
    expect(anna.email).toMatch(/^[a-zà-ÿ.ø]+\.1@example\.com$/u);
  }, 30_000);

  it('refuses to overwrite a file without --force, and writes to stdout with -o -', async () => {
    const again = await runCli(['init', 'users', 'demo-users.csv'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; use --force/);
    const out = await runCli(['init', 'usergroups', 'demo-users.csv', '-o', '-'], { cwd: dir });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^ {2}id: \{ from: group_id, type: integer \} +# known synonym/m);
    expect(out.stdout).not.toMatch(/REQUIRED/);
    expect(out.stdout).toMatch(/^resource: usergroups$/m);
  });

  it('reads NDJSON paths and rejects an unknown resource', async () => {
    await writeFile(join(dir, 'people.ndjson'), '{"id":"X1","name":{"first":"Ann","last":"Lee"},"emails":["a@b.nl"]}\n');
    const r = await initPipeline('users', 'people.ndjson', { cwd: dir, output: 'people.yaml' });
    expect(r.columns).toEqual(['id', 'name.first', 'name.last', 'emails[0]']);
    expect(r.proposal.fields.map((x) => [x.from, x.target])).toEqual([['name.first', 'firstName'], ['name.last', 'lastName'], ['emails[0]', 'email']]);
    await expect(initPipeline('customers', 'people.ndjson', { cwd: dir })).rejects.toThrow(/unknown resource "customers"/);
  });
});
