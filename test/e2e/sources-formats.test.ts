/**
 * Every source format through the built CLI into a real emulator (issue 3): what the emulator
 * stored is compared exactly, and every result and reject line points back at its file, entry and line.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { buildZip } from '../stages/1-read/helpers.js';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import { CSV_MAPPING, SECRET, emulatorPerScenario, provenance, tmp, user, writePipeline } from './sources-setup.js';
import { readJson, readNdjson } from '../support/files.js';
import { storedUsers } from '../support/emulator.js';

interface Imported {
  emu: Emulator;
  dir: string;
  run: CliRun;
  results: Record<string, unknown>[];
  rejects: Record<string, unknown>[];
  summary: Record<string, unknown>;
}

const freshEmulator = emulatorPerScenario();

/** Writes the inputs and the pipeline into a fresh folder and runs it against a fresh emulator. */
async function importInto(name: string, prepare: (dir: string) => Promise<string>, input?: Buffer): Promise<Imported> {
  const emu = await freshEmulator();
  const dir = await tmp(name);
  const pipeline = await prepare(dir);
  const run = await runCli(['run', pipeline, '--out', 'out'], {
    cwd: dir,
    env: targetEnv(emu, SECRET),
    ...(input !== undefined ? { input } : {}),
  });
  return {
    emu,
    dir,
    run,
    results: await readNdjson(join(dir, 'out', 'results.ndjson')),
    rejects: await readNdjson(join(dir, 'out', 'rejects.ndjson')),
    summary: await readJson(join(dir, 'out', 'summary.json')),
  };
}

function expectClean(r: Imported, exitCode: number): void {
  expect(r.run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  expect(r.run.code).toBe(exitCode);
  expect(r.summary).toMatchObject({ status: 'completed', exitCode });
}

describe('a ZIP archive: two CSV entries (one in a nested folder) and one NDJSON entry', () => {
  let r: Imported;
  beforeAll(async () => {
    r = await importInto('zip', async (dir) => {
      const zip = buildZip([
        { name: 'a.csv', data: Buffer.from('id,first,last,email\nZ1,Ann,Smit,ann@example.com\nZ2,Bob,"de Vries",BOB@Example.com\n') },
        { name: 'notes.md', data: Buffer.from('# not data\n') },
        { name: 'exports/', data: Buffer.alloc(0) },
        {
          name: 'exports/2024/b.csv',
          data: Buffer.from('id,first,last,email\r\nZ3,Chloé,Dubois,\r\nZ4,Dirk,"Jansen,\r\nJr.",\r\n'),
          store: true,
        },
        {
          name: 'c.ndjson',
          data: Buffer.from(
            '{"id":"Z5","first":"Eva","last":"Berg"}\n{"id":"Z6","first":"Finn","last":"Holm","email":"finn@example.com"}\n',
          ),
        },
      ]);
      await writeFile(join(dir, 'export.zip'), zip);
      return writePipeline(dir, 'users-zip', { path: 'export.zip', zip: { entries: '*.{csv,ndjson}' } });
    });
  });

  it('imports every record of the chosen entries, exactly', () => {
    expectClean(r, 0);
    expect(storedUsers(r.emu)).toEqual([
      user('Z1', 'Ann', 'Smit', 'ann@example.com'),
      user('Z2', 'Bob', 'de Vries', 'bob@example.com'),
      user('Z3', 'Chloé', 'Dubois'),
      user('Z4', 'Dirk', 'Jansen,\r\nJr.'),
      user('Z5', 'Eva', 'Berg'),
      user('Z6', 'Finn', 'Holm', 'finn@example.com'),
    ]);
  });

  it('names the archive, the entry and the line in every result', () => {
    expect(provenance(r.results, 'file', 'entry', 'line', 'key', 'action')).toEqual([
      ['export.zip', 'a.csv', 2, 'Z1', 'create'],
      ['export.zip', 'a.csv', 3, 'Z2', 'create'],
      ['export.zip', 'c.ndjson', 1, 'Z5', 'create'],
      ['export.zip', 'c.ndjson', 2, 'Z6', 'create'],
      ['export.zip', 'exports/2024/b.csv', 2, 'Z3', 'create'],
      ['export.zip', 'exports/2024/b.csv', 3, 'Z4', 'create'],
    ]);
    expect(r.rejects).toEqual([]);
  });

  it('lists the entry it did not read in summary.json and on the terminal', () => {
    expect(r.summary.skippedEntries).toEqual([{ file: 'export.zip', entry: 'notes.md' }]);
    expect(r.run.stdout).toMatch(/not read +1 archive entry not of this pipeline's format: notes\.md\n/);
  });
});

describe('a glob of gzipped part files, each with its own header', () => {
  let r: Imported;
  beforeAll(async () => {
    r = await importInto('gzip-glob', async (dir) => {
      await mkdir(join(dir, 'exports'));
      const parts: Record<string, string> = {
        // Written out of order, and part 2's columns come in another order: each part's own header counts.
        'users_2024_part_3.csv.gz': 'id;first;last\nG5;Eva;Berg\n',
        'users_2024_part_1.csv.gz': 'id;first;last\nG1;Ann;Smit\nG2;Bob;Bakker\n',
        'users_2024_part_2.csv.gz': 'last;id;first\nDubois;G3;Chloé\nJansen;G4;Dirk\n',
      };
      for (const [name, text] of Object.entries(parts)) await writeFile(join(dir, 'exports', name), gzipSync(text));
      await writeFile(join(dir, 'exports', 'users_2024_manifest.json'), '{"parts":3}');
      return writePipeline(dir, 'users-parts', { path: 'exports/users_*_part_*.csv.gz', csv: { delimiter: ';' } }, CSV_MAPPING);
    });
  });

  it('imports all parts, exactly', () => {
    expectClean(r, 0);
    expect(storedUsers(r.emu)).toEqual([
      user('G1', 'Ann', 'Smit'),
      user('G2', 'Bob', 'Bakker'),
      user('G3', 'Chloé', 'Dubois'),
      user('G4', 'Dirk', 'Jansen'),
      user('G5', 'Eva', 'Berg'),
    ]);
    expect(r.summary).toMatchObject({ counts: { read: 5, sent: 5, created: 5 } });
  });

  it('names the part file and the line in every result', () => {
    expect(provenance(r.results, 'file', 'line', 'key')).toEqual([
      ['exports/users_2024_part_1.csv.gz', 2, 'G1'],
      ['exports/users_2024_part_1.csv.gz', 3, 'G2'],
      ['exports/users_2024_part_2.csv.gz', 2, 'G3'],
      ['exports/users_2024_part_2.csv.gz', 3, 'G4'],
      ['exports/users_2024_part_3.csv.gz', 2, 'G5'],
    ]);
  });
});

describe('a JSON document with the records at /data/users', () => {
  let r: Imported;
  beforeAll(async () => {
    r = await importInto('json', async (dir) => {
      await copyFile(new URL('../fixtures/e2e-sources/users-document.json', import.meta.url), join(dir, 'users.json'));
      return writePipeline(
        dir,
        'users-json',
        { path: 'users.json', json: { pointer: '/data/users' } },
        {
          source: { value: 'ERP' },
          sourceId: 'id',
          language: { value: 'NL' },
          firstName: 'name.first',
          lastName: 'name.last',
          phone: 'phones[0]',
          email: { from: 'contact.email', transform: ['lower'] },
        },
      );
    });
  });

  it('imports the records found by the pointer through nested paths, exactly', () => {
    expectClean(r, 1);
    expect(storedUsers(r.emu)).toEqual([
      {
        source: 'ERP',
        sourceId: 'J1',
        language: 'NL',
        firstName: 'Zoë',
        lastName: 'Ångström',
        phone: '+31 20 123 4567',
        email: 'zoe@example.com',
      },
      { source: 'ERP', sourceId: 'J2', language: 'NL', firstName: 'José', lastName: "O'Brien" },
      { source: 'ERP', sourceId: 'J3', language: 'NL', firstName: 'Łukasz', lastName: 'Nowak', phone: '+48 22 555 0100' },
    ]);
  });

  it('points results and the read reject at the line where each record starts', () => {
    expect(provenance(r.results, 'file', 'line', 'key')).toEqual([
      ['users.json', 6, 'J1'],
      ['users.json', 12, 'J2'],
      ['users.json', 14, 'J3'],
    ]);
    expect(r.rejects).toEqual([
      {
        file: 'users.json',
        line: 13,
        stage: 'read',
        reason: 'record 3 is a string, not a JSON object',
        reasons: ['record 3 is a string, not a JSON object'],
        record: 'not an object',
      },
    ]);
  });
});

describe('a windows-1252 CSV with é and €', () => {
  let r: Imported;
  beforeAll(async () => {
    r = await importInto('cp1252', async (dir) => {
      const bytes = iconv.encode('id;first;last;company\r\nW1;René;Café;Brasserie €uro\r\nW2;Zoë;Müller;Prijs 5 €\r\n', 'windows-1252');
      // The euro sign is 0x80 in windows-1252 (a control character in latin1): the file really is cp1252.
      expect(bytes.includes(0x80)).toBe(true);
      await writeFile(join(dir, 'legacy.csv'), bytes);
      return writePipeline(
        dir,
        'users-1252',
        { path: 'legacy.csv', csv: { delimiter: ';', encoding: 'windows-1252' } },
        { ...CSV_MAPPING, company: 'company' },
      );
    });
  });

  it('imports the decoded text, exactly', () => {
    expectClean(r, 0);
    expect(storedUsers(r.emu)).toEqual([
      { ...user('W1', 'René', 'Café'), company: 'Brasserie €uro' },
      { ...user('W2', 'Zoë', 'Müller'), company: 'Prijs 5 €' },
    ]);
    expect(provenance(r.results, 'file', 'line', 'key')).toEqual([
      ['legacy.csv', 2, 'W1'],
      ['legacy.csv', 3, 'W2'],
    ]);
  });
});

describe('NDJSON with a blank and a broken line', () => {
  let r: Imported;
  beforeAll(async () => {
    r = await importInto('ndjson', async (dir) => {
      const lines = [
        '{"id":"N1","first":"Ann","last":"Smit"}',
        '',
        '{"id":"N2","first":"Bob", broken',
        '{"id":"N3","first":"Cas","last":"Kok"}',
        '',
      ];
      await writeFile(join(dir, 'users.jsonl'), lines.join('\n'));
      return writePipeline(dir, 'users-ndjson', { path: 'users.jsonl' });
    });
  });

  it('rejects the broken line at stage read with its line, imports the rest and exits 1', () => {
    expectClean(r, 1);
    expect(storedUsers(r.emu)).toEqual([user('N1', 'Ann', 'Smit'), user('N3', 'Cas', 'Kok')]);
    expect(provenance(r.results, 'file', 'line', 'key')).toEqual([
      ['users.jsonl', 1, 'N1'],
      ['users.jsonl', 4, 'N3'],
    ]);
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ file: 'users.jsonl', line: 3, stage: 'read', record: '{"id":"N2","first":"Bob", broken' });
    expect(String(r.rejects[0]?.reason)).toMatch(/^line is not valid JSON/);
    expect(r.summary).toMatchObject({ counts: { read: 3, rejected: { read: 1, total: 1 }, created: 2 } });
  });
});

describe('standard input (path -), gzipped, piped into the process', () => {
  let r: Imported;
  beforeAll(async () => {
    const input = gzipSync('id,first,last\nS1,Ann,Smit\nS2,Bob,Bakker\nS3,Cas,Kok\n');
    r = await importInto('stdin', (dir) => writePipeline(dir, 'users-stdin', { path: '-', format: 'csv' }), input);
  });

  it('imports what was piped, exactly, with - as the file', () => {
    expectClean(r, 0);
    expect(storedUsers(r.emu)).toEqual([user('S1', 'Ann', 'Smit'), user('S2', 'Bob', 'Bakker'), user('S3', 'Cas', 'Kok')]);
    expect(provenance(r.results, 'file', 'line', 'key')).toEqual([
      ['-', 2, 'S1'],
      ['-', 3, 'S2'],
      ['-', 4, 'S3'],
    ]);
  });
});
