import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFolder } from '../outputs/report/helpers.js';

// The built package as a user gets it: the root export of package.json, i.e. dist/index.js.
type Lib = typeof import('../../src/index.js');

describe("import { runPipeline } from 'propel-etl' (the built package root)", () => {
  let lib: Lib;
  let emu: Awaited<ReturnType<Lib['startEmulator']>>;
  let dir: string;

  beforeAll(async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      exports: { '.': { import: string } };
    };
    expect(pkg.exports['.'].import).toBe('./dist/index.js');
    lib = (await import('propel-etl')) as unknown as Lib;
    emu = await lib.startEmulator({});
    for (let id = 1; id <= 20; id++) emu.store.seedUsergroup({ id, name: `G${id}` });
    dir = await demoFolder(300, { prefix: 'library-' });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('resolves to dist/index.js, not the sources', async () => {
    expect(import.meta.resolve('propel-etl')).toMatch(/\/dist\/index\.js$/);
  });

  it('runs a pipeline from code with the same results and files as the CLI', async () => {
    const c = emu.clients[0]!;
    const events: string[] = [];
    const result = await lib.runPipeline({
      pipeline: join(dir, 'demo-users.yaml'),
      target: { name: 'emu', kind: 'http', baseUrl: emu.baseUrl, tokenUrl: emu.tokenUrl, clientId: c.id, clientSecret: c.secret },
      out: join(dir, 'out'),
      onEvent: (e) => events.push(e.type),
    });
    expect(result.exitCode).toBe(1);
    expect(result.summary.counts).toMatchObject({ read: 300, created: 299, rejected: { map: 1, total: 1 } });
    expect(result.rejects.groups[0]).toMatchObject({ stage: 'map', count: 1, example: { file: 'users.csv', line: 138 } });
    expect(events[0]).toBe('start');
    expect(events.at(-1)).toBe('end');
    const summary = JSON.parse(await readFile(join(result.outDir, 'summary.json'), 'utf8')) as unknown;
    expect(summary).toEqual(result.summary);
    await expect(readFile(join(result.outDir, 'report.html'), 'utf8')).resolves.toMatch(/<!doctype html>/);
  });
});
