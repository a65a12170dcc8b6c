/**
 * An export that is not UTF-8, read as UTF-8 (the default), through the built CLI (issue 13,
 * point 5): never imported with U+FFFD in place of its letters. A Windows-1252 file is exit 2
 * with one line naming it and the line, before any request; a UTF-8 file damaged only far down
 * has that record rejected at read and the rest imported.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, DEFAULT_CLIENT, type Emulator } from '../../src/emulator/index.js';
import { runCli, targetEnv, type CliRun } from './cli.js';
import { SECRET, countingProxy, readJson, readNdjson, tmp, user, writePipeline, type CountingProxy } from './sources-setup.js';

const opened: Emulator[] = [];
afterAll(async () => {
  await Promise.all(opened.map((e) => e.close()));
});

async function freshEmulator(): Promise<Emulator> {
  const emu = await startEmulator({ clients: [{ id: DEFAULT_CLIENT.id, secret: SECRET }] });
  opened.push(emu);
  return emu;
}

function run(dir: string, pipeline: string, emu: { baseUrl: string; tokenUrl: string }): Promise<CliRun> {
  return runCli(['run', pipeline, '--out', 'out', '--quiet'], { cwd: dir, env: targetEnv(emu, SECRET) });
}

describe('a Windows-1252 export read as UTF-8', () => {
  let emu: Emulator;
  let proxy: CountingProxy;
  let r: CliRun;
  let dir: string;
  beforeAll(async () => {
    emu = await freshEmulator();
    proxy = await countingProxy(emu);
    dir = await tmp('cp1252');
    await writeFile(join(dir, 'klanten.csv'), iconv.encode('id;first;last\nK1;Ann;Smit\nK2;René;Müller\nK3;Zoë;Berg\n', 'windows-1252'));
    const pipeline = await writePipeline(dir, 'users-cp1252', { path: 'klanten.csv', csv: { delimiter: ';' } });
    r = await run(dir, pipeline, proxy);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('exits 2 with one line naming the file, the line and the encoding to set', () => {
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('propel-etl: klanten.csv, line 3: not valid UTF-8 (byte 0xE9); the file looks like windows-1252: set source.csv.encoding: windows-1252\n');
  });

  it('sends nothing, not even a token request', async () => {
    expect(proxy.connections).toBe(0);
    expect(emu.log.total).toBe(0);
    expect(emu.store.users()).toEqual([]);
    expect(await readNdjson(join(dir, 'out', 'results.ndjson'))).toEqual([]);
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({ status: 'aborted', exitCode: 2, error: { code: 'ETL_SOURCE_ENCODING' } });
  });
});

describe('a UTF-8 export with one non-UTF-8 byte at line 40,000', () => {
  const ROWS = 40_500;
  const BAD_LINE = 40_000;
  let emu: Emulator;
  let r: CliRun;
  let dir: string;
  beforeAll(async () => {
    emu = await freshEmulator();
    dir = await tmp('late-byte');
    const parts: Buffer[] = [Buffer.from('id,first,last\n')];
    // Line n holds record n - 1 (the header is line 1).
    for (let n = 2; n <= ROWS + 1; n++) {
      const id = `L${String(n).padStart(6, '0')}`;
      parts.push(n === BAD_LINE ? Buffer.concat([Buffer.from(`${id},Ren`), Buffer.from([0xe9]), Buffer.from(',Müller\n')]) : Buffer.from(`${id},Zoë,Müller\n`));
    }
    await writeFile(join(dir, 'users.csv'), Buffer.concat(parts));
    const pipeline = await writePipeline(dir, 'users-late', { path: 'users.csv' }, undefined, 500);
    r = await run(dir, pipeline, emu);
  }, 120_000);

  it('rejects that record at read with the same words, and exits 1', async () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const rejects = await readNdjson(join(dir, 'out', 'rejects.ndjson'));
    expect(rejects.map((x) => [x.file, x.line, x.stage, x.reason])).toEqual([
      ['users.csv', BAD_LINE, 'read', 'not valid UTF-8 (byte 0xE9); the file looks like windows-1252: set source.csv.encoding: windows-1252'],
    ]);
  });

  it('imports every other record, with no U+FFFD in the emulator\'s store', () => {
    const stored = emu.store.users().map((u) => u.item as Record<string, unknown>);
    expect(stored).toHaveLength(ROWS - 1);
    expect(JSON.stringify(stored).includes('\uFFFD')).toBe(false);
    expect(stored.find((u) => u.sourceId === 'L040001')).toEqual(user('L040001', 'Zoë', 'Müller'));
    expect(stored.some((u) => u.sourceId === `L0${BAD_LINE}`)).toBe(false);
  });
});
