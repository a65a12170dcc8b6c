/**
 * An export that is not UTF-8, read as UTF-8 (the default), through the built CLI (issue 13,
 * point 5): never imported with U+FFFD in place of its letters. A Windows-1252 file is exit 2
 * with one line naming it and the line, before any connection, also as the last file of a glob;
 * a UTF-8 file damaged only far down has that record rejected at read and the rest imported.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import { emulatorPerFile } from '../support/emulator.js';
import { readJson, readNdjson } from '../support/files.js';
import { CSV_MAPPING, SECRET, countingProxy, tmp, user, writePipeline } from './sources-setup.js';

const fixture = emulatorPerFile(SECRET);

function run(dir: string, pipeline: string, emu: { baseUrl: string; tokenUrl: string }): Promise<CliRun> {
  return runCli(['run', pipeline, '--out', 'out', '--quiet'], { cwd: dir, env: targetEnv(emu, SECRET) });
}

const NOT_UTF8 = 'not valid UTF-8 (byte 0xE9); the file looks like windows-1252: set source.csv.encoding: windows-1252';

describe('a Windows-1252 export read as UTF-8', () => {
  it.each([
    ['alone', { 'klanten.csv': 'id;first;last\nK1;Ann;Smit\nK2;René;Müller\n' }, 'klanten.csv', 'klanten.csv, line 3'],
    [
      'as the third file of a glob',
      {
        'part-1.csv': 'id;first;last\nP1;Ann;Smit\n',
        'part-2.csv': 'id;first;last\nP2;Bob;Berg\n',
        'part-3.csv': 'id;first;last\nP3;René;Müller\n',
      },
      'part-*.csv',
      'part-3.csv, line 2',
    ],
  ])('%s: exits 2 with one line naming the file and line, before any connection', async (name, files, path, where) => {
    const proxy = await countingProxy(fixture.emu);
    try {
      const dir = await tmp('cp1252');
      for (const [file, text] of Object.entries(files)) {
        // Only the file named in the message is Windows-1252; the others are plain ASCII.
        await writeFile(join(dir, file), file === where.split(',')[0] ? iconv.encode(text, 'windows-1252') : text);
      }
      const r = await run(
        dir,
        await writePipeline(dir, `users-${name.replace(/\W+/g, '-')}`, { path, csv: { delimiter: ';' } }, CSV_MAPPING),
        proxy,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`propel-etl: ${where}: ${NOT_UTF8}\n`);
      expect(proxy.connections).toBe(0);
      expect(fixture.emu.log.total).toBe(0);
      expect(fixture.emu.store.users()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('a UTF-8 export with one non-UTF-8 byte at line 40,000', () => {
  it('rejects that record at read with the same words and imports every other one, no U+FFFD in the store; exit 1', async () => {
    const rows = 40_500;
    const badLine = 40_000;
    const dir = await tmp('late-byte');
    const parts: Buffer[] = [Buffer.from('id,first,last\n')];
    // Line n holds record n - 1 (the header is line 1).
    for (let n = 2; n <= rows + 1; n++) {
      const id = `L${String(n).padStart(6, '0')}`;
      parts.push(
        n === badLine
          ? Buffer.concat([Buffer.from(`${id},Ren`), Buffer.from([0xe9]), Buffer.from(',Müller\n')])
          : Buffer.from(`${id},Zoë,Müller\n`),
      );
    }
    await writeFile(join(dir, 'users.csv'), Buffer.concat(parts));
    const r = await run(dir, await writePipeline(dir, 'users-late', { path: 'users.csv' }, CSV_MAPPING, 500), fixture.emu);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const rejects = await readNdjson(join(dir, 'out', 'rejects.ndjson'));
    expect(rejects.map((x) => [x.file, x.line, x.stage, x.reason])).toEqual([['users.csv', badLine, 'read', NOT_UTF8]]);
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({ status: 'completed', exitCode: 1 });
    const stored = fixture.emu.store.users().map((u) => u.item as Record<string, unknown>);
    expect(stored).toHaveLength(rows - 1);
    expect(JSON.stringify(stored).includes('\uFFFD')).toBe(false);
    expect(stored.find((u) => u.sourceId === 'L040001')).toEqual(user('L040001', 'Zoë', 'Müller'));
    expect(stored.some((u) => u.sourceId === `L0${badLine}`)).toBe(false);
  }, 120_000);
});
