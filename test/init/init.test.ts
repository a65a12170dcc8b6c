import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPipeline } from '../../src/config/index.js';
import { writeDemoUsers } from '../../src/demo/demo-data.js';
import { guessDateFormat, proposeMapping } from '../../src/init/propose-mapping.js';
import { initPipeline, stemOf } from '../../src/init/init-pipeline.js';
import { runCli, targetEnv } from '../support/cli.js';
import { emulatorPerFile } from '../support/emulator.js';
import { tempDir } from '../support/files.js';

const f = (path: string, ...samples: string[]): { path: string; samples: string[] } => ({ path, samples });

describe('proposeMapping', () => {
  it('maps by name similarity, leaves unknown columns unmapped and marks required fields without a source', () => {
    const p = proposeMapping('users', [
      f('klantnr', 'K1'),
      f('first_name', 'Anna'),
      f('Last Name', 'Jansen'),
      f('E-Mail', 'a@x.nl'),
      f('geboortedatum', '31-12-1990'),
      f('emial_adress', 'x'),
    ]);
    expect(p.fields.map((x) => [x.from, x.target, x.because])).toEqual([
      ['klantnr', 'sourceId', 'known synonym'],
      ['first_name', 'firstName', 'same name'],
      ['Last Name', 'lastName', 'same name'],
      ['geboortedatum', 'dateOfBirth', 'known synonym'],
      ['E-Mail', 'email', 'same name'],
    ]);
    expect(p.unmapped).toEqual([{ column: 'emial_adress', why: 'no Propel field has this name or a known synonym' }]);
    expect(p.missingRequired).toEqual(['source']);
    expect(p.fields.find((x) => x.target === 'dateOfBirth')!.spec).toEqual({ date: 'DD-MM-YYYY' });
  });

  it('proposes a close misspelling, but never guesses a short name', () => {
    const p = proposeMapping('users', [f('firstnme'), f('nr'), f('id')]);
    expect(p.fields.map((x) => [x.from, x.target, x.because])).toEqual([['firstnme', 'firstName', 'similar name']]);
  });

  it('for usergroups: id is required, parent_id becomes parent.id as an integer', () => {
    const p = proposeMapping('usergroups', [f('group_name', 'Noord'), f('parent_id', '1', '2')]);
    expect(p.missingRequired).toEqual(['id']);
    expect(p.fields).toContainEqual(
      expect.objectContaining({ slot: 'parent', target: 'id', from: 'parent_id', spec: { type: 'integer' } }),
    );
  });

  it('reads date formats from the samples', () => {
    expect(guessDateFormat(['1990-01-31'])).toBeUndefined();
    expect(guessDateFormat(['12/31/1990', '01/02/1991'])).toBe('MM/DD/YYYY');
    expect(guessDateFormat(['31/12/1990'])).toBe('DD/MM/YYYY');
    expect(guessDateFormat(['19900131'])).toBe('YYYYMMDD');
    expect(guessDateFormat(['1.2.1990'])).toBe('D.M.YYYY');
  });
});

describe('init proposes what it should (issue 13)', () => {
  it('maps the common English and Dutch header names', () => {
    const cases: [string, string][] = [
      ['first', 'firstName'],
      ['first_name', 'firstName'],
      ['given_name', 'firstName'],
      ['voornaam', 'firstName'],
      ['last', 'lastName'],
      ['surname', 'lastName'],
      ['family_name', 'lastName'],
      ['achternaam', 'lastName'],
      ['e-mail', 'email'],
      ['mail', 'email'],
      ['E-mailadres', 'email'],
      ['emailadres', 'email'],
      ['tel', 'phone'],
      ['phone', 'phone'],
      ['telefoon', 'phone'],
      ['dob', 'dateOfBirth'],
      ['birth_date', 'dateOfBirth'],
      ['geboortedatum', 'dateOfBirth'],
      ['klantnr', 'sourceId'],
      ['klantnummer', 'sourceId'],
      ['customer_id', 'sourceId'],
      ['customer_no', 'sourceId'],
    ];
    for (const [column, target] of cases) {
      expect([column, proposeMapping('users', [f(column, 'x')]).fields.map((x) => x.target)]).toEqual([column, [target]]);
    }
  });

  it('proposes a date format only when it reads every sample, else names the samples that disagree', () => {
    expect(guessDateFormat(['03/04/1975', '31/12/1988', '1992-05-05'])).toBeUndefined();
    const p = proposeMapping('users', [f('geboortedatum', '03/04/1975', '31/12/1988', '1992-05-05')]);
    const field = p.fields.find((x) => x.target === 'dateOfBirth')!;
    expect(field.spec).toEqual({});
    expect(field.because).toBe(
      'known synonym; no date format proposed: 1992-05-05 does not read as DD/MM/YYYY like 03/04/1975, 31/12/1988; set date: by hand',
    );
    expect(guessDateFormat(['31/02/1990'])).toBeUndefined();
    expect(guessDateFormat(['1990-01-31T10:00:00Z'])).toBe('ISO');
    expect(guessDateFormat(['31-12-1990', '01-02-1991'])).toBe('DD-MM-YYYY');
  });

  it('says why it left a column out', () => {
    const p = proposeMapping('users', [f('email', 'a@x.nl'), f('mail', 'b@x.nl'), f('postcode', '1234 AB'), f('tier', 'gold')]);
    expect(p.unmapped).toEqual([
      { column: 'mail', why: 'also looks like email, which email matches better' },
      { column: 'postcode', why: 'looks like the address field postalCode, but no street or city column makes an address' },
      { column: 'tier', why: 'no Propel field has this name or a known synonym' },
    ]);
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
    expect(yaml).toMatch(/^ {2}# {3}tier: no Propel field has this name or a known synonym\n {2}# {5}e\.g\. attributes:/m);
    const doc = parse(yaml) as { source: unknown; mapping: Record<string, unknown> };
    expect(doc.source).toEqual({ path: 'demo-users.csv', format: 'csv', csv: { delimiter: ';', headers: true } });
    expect(doc.mapping.gender).toEqual({ from: 'sex', map: { man: 'M', vrouw: 'F' }, default: 'U' });
    expect(doc.mapping.parent).toEqual({ id: { from: 'group_id', type: 'integer' } });
    await expect(loadPipeline(join(dir, 'demo-users.users.yaml'), { allowPlaceholders: true })).resolves.toMatchObject({
      name: 'demo-users',
      resource: 'users',
    });

    // As written, unedited: the placeholder is refused before anything is sent.
    const unedited = await runCli(['run', 'demo-users.users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fx.emu, 'init-Secret-1') });
    expect(unedited.code).toBe(2);
    const line = yaml.split('\n').findIndex((l) => l.startsWith('  source: { value: CHANGE_ME }')) + 1;
    expect(unedited.stderr).toContain(`demo-users.users.yaml, line ${line}: mapping.source.value still holds the placeholder CHANGE_ME`);
    expect(fx.emu.log.snapshot().total).toBe(0);

    // With the placeholder filled in: everything but the demo's deliberately broken rows is imported.
    await writeFile(join(dir, 'demo-users.users.yaml'), yaml.replace('source: { value: CHANGE_ME }', 'source: { value: ERP }'));
    const run = await runCli(['run', 'demo-users.users.yaml', '--out', 'out'], { cwd: dir, env: targetEnv(fx.emu, 'init-Secret-1') });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/created\s+299/);
    const anna = fx.emu.store
      .users()
      .map((u) => u.item)
      .find((u) => u.sourceId === 'C0000001')!;
    expect(anna).toMatchObject({
      source: 'ERP',
      firstName: expect.any(String),
      dateOfBirth: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      parent: { id: 2 },
      addresses: [expect.objectContaining({ type: 'invoice', country: 'NL' })],
    });
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
    expect(r.proposal.fields.map((x) => [x.from, x.target])).toEqual([
      ['name.first', 'firstName'],
      ['name.last', 'lastName'],
      ['emails[0]', 'email'],
    ]);
    await expect(initPipeline('customers', 'people.ndjson', { cwd: dir })).rejects.toThrow(/unknown resource "customers"/);
  });
});

describe('the pipeline name init proposes (issue 26)', () => {
  it('is the name part of a file, and for a glob the part before its first wildcard, else its folder', () => {
    expect(stemOf('data/users.csv.gz')).toBe('users');
    expect(stemOf('export/data_0_*_0.csv')).toBe('data_0');
    expect(stemOf('export/part-*.parquet')).toBe('part');
    expect(stemOf('exports/users/*.csv')).toBe('users');
    expect(stemOf('s3://bucket/users/2026-12-05/*.csv.gz')).toBe('2026-12-05');
    expect(stemOf('*.csv')).toBe('pipeline');
  });
});
