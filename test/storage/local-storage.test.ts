import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { LocalStorage, STDIN, storageFor, StdinStorage } from '../../src/storage/index.js';
import { chunked } from '../stages/1-read/helpers.js';
import { tmpDir, type TmpDir } from '../support/files.js';

let dir: TmpDir;
const storage = new LocalStorage();

beforeAll(() => {
  dir = tmpDir();
  mkdirSync(join(dir.path, 'exports/2024'), { recursive: true });
  for (const name of ['b.csv', 'a.csv', '.hidden.csv', 'notes.txt', '2024/c.csv'])
    writeFileSync(join(dir.path, 'exports', name), `data of ${name}`);
  writeFileSync(join(dir.path, 'digits.txt'), '0123456789');
});

afterAll(() => dir.remove());

describe('LocalStorage', () => {
  it('lists a glob sorted, named as the pattern is written (relative or absolute), without hidden files', async () => {
    expect((await storage.list('exports/*.csv', dir.path)).map((o) => o.display)).toEqual(['exports/a.csv', 'exports/b.csv']);
    expect((await storage.list('exports/**/*.csv', dir.path)).map((o) => o.display)).toEqual([
      'exports/2024/c.csv',
      'exports/a.csv',
      'exports/b.csv',
    ]);
    const absolute = await storage.list(join(dir.path, 'exports/*.csv'), '/elsewhere');
    expect(absolute.map((o) => [o.display, o.location])).toEqual([
      [join(dir.path, 'exports/a.csv'), join(dir.path, 'exports/a.csv')],
      [join(dir.path, 'exports/b.csv'), join(dir.path, 'exports/b.csv')],
    ]);
    expect(await storage.list('missing/*.csv', dir.path)).toEqual([]);
  });

  it('stats an object with <size>:<mtimeMs> as its version, and refuses a missing one or a folder (exit 2)', async () => {
    const { size, mtimeMs } = statSync(join(dir.path, 'digits.txt'));
    expect(await storage.stat('digits.txt', dir.path)).toEqual({
      display: 'digits.txt',
      location: join(dir.path, 'digits.txt'),
      size: 10,
      version: `${size}:${Math.trunc(mtimeMs)}`,
    });
    const missing = await storage.stat('nope.csv', dir.path).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).describe()).toBe('nope.csv: source file not found');
    expect(((await storage.stat('exports', dir.path).catch((e: unknown) => e)) as ConfigError).describe()).toBe(
      'exports: source is not a file',
    );
  });

  it('streams from an offset, reads byte ranges and gives the file itself as the local path', async () => {
    const object = await storage.stat('digits.txt', dir.path);
    let text = '';
    for await (const chunk of storage.openStream(object, 4)) text += String(chunk);
    expect(text).toBe('456789');
    expect(Buffer.from(await storage.readRange(object, 2, 5)).toString()).toBe('234');
    expect(Buffer.from(await storage.readRange(object, 8, 20)).toString()).toBe('89');
    const local = await storage.localFile(object);
    expect(local.path).toBe(join(dir.path, 'digits.txt'));
    await local.release();
    expect(statSync(local.path).size).toBe(10);
  });
});

describe('storageFor', () => {
  it('serves local paths from the file system and - from the given stdin, which has no random access', async () => {
    expect(storageFor('/tmp/x.csv').scheme).toBe('file');
    const stdin = storageFor(STDIN, { stdin: chunked(Buffer.from('abc'), 1) });
    expect(stdin).toBeInstanceOf(StdinStorage);
    const [object] = await stdin.list('-', '/');
    let text = '';
    for await (const chunk of stdin.openStream(object!)) text += String(chunk);
    expect(text).toBe('abc');
    await expect(stdin.readRange(object!, 0, 4)).rejects.toThrow(ConfigError);
    await expect(stdin.localFile(object!)).rejects.toThrow(ConfigError);
    expect(() => stdin.openStream(object!, 1)).toThrow(ConfigError);
  });
});
