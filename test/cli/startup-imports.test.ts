/**
 * What the CLI loads. A plain run of a local CSV must not load what only other runs need (the
 * AWS SDK, SQLite, prom-client, the embedded emulator, Parquet and ZIP readers, iconv, pino, init):
 * each is megabytes of RSS and tens of milliseconds of CPU on every start. Recorded in the child
 * by a preload (test/support/record-imports.mjs), so the test does not depend on timings or sizes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, targetEnv } from '../support/cli.js';
import { emulatorPerFile } from '../support/emulator.js';
import { tempDir } from '../support/files.js';
import { writeUsersPipeline } from '../support/pipeline.js';

const SECRET = 'startup-Secret-4417';
const PRELOAD = fileURLToPath(new URL('../support/record-imports.mjs', import.meta.url));

/** Modules (by a piece of their URL) that only some runs or commands need. */
const ON_DEMAND = {
  'AWS SDK (s3:// inputs)': '/node_modules/@aws-sdk/',
  'SQLite (delta: and the state command)': '/node_modules/better-sqlite3/',
  'delta state': '/dist/state/delta-state.js',
  'prom-client (--metrics-file, --pushgateway)': '/node_modules/prom-client/',
  'embedded emulator (targets local, demo)': '/dist/emulator/server.js',
  'Parquet reader': '/node_modules/hyparquet',
  'ZIP reader': '/node_modules/node-stream-zip/',
  'iconv (inputs not in UTF-8)': '/node_modules/iconv-lite/',
  'pino (--log-format json)': '/node_modules/pino/',
  init: '/dist/init/',
} as const;

/** The CLI as a child with the recorder preloaded: its result and the URLs of what it loaded. */
async function loadedBy(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string; loaded: string[] }> {
  const file = join(cwd, `loaded-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, '');
  const r = await runCli(args, { cwd, env: { ...env, NODE_OPTIONS: `--import ${PRELOAD}`, RECORD_IMPORTS_FILE: file } });
  const loaded = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  return { code: r.code, stderr: r.stderr, loaded };
}

const present = (loaded: readonly string[], piece: string): boolean => loaded.some((url) => url.includes(piece));

function expectAbsent(loaded: readonly string[], pieces: Readonly<Record<string, string>>): void {
  const found = Object.entries(pieces)
    .filter(([, piece]) => present(loaded, piece))
    .map(([name]) => name);
  expect(found).toEqual([]);
}

describe('what the CLI loads at start', () => {
  const fixture = emulatorPerFile(SECRET);

  it('--version loads commander and the command declarations only', async () => {
    const dir = await tempDir('propel-startup-');
    const r = await loadedBy(['--version'], dir);
    expect(r.code).toBe(0);
    // The recorder works: the entry point and commander are in the list.
    expect(present(r.loaded, '/dist/cli/main.js')).toBe(true);
    expect(present(r.loaded, '/node_modules/commander/')).toBe(true);
    expectAbsent(r.loaded, {
      ...ON_DEMAND,
      'the pipeline (run, validate)': '/dist/run/',
      'the stages': '/dist/stages/',
      undici: '/node_modules/undici/',
      Ajv: '/node_modules/ajv/',
      yaml: '/node_modules/yaml/',
      'report page': '/dist/outputs/report/render-report.js',
    });
  });

  it('a run of a local CSV to a remote target loads none of what other runs need', async () => {
    const dir = await tempDir('propel-startup-');
    await writeFile(join(dir, 'users.csv'), 'id,first,email\nA1,Ann,ann@example.com\nA2,Bob,bob@example.com\n');
    await writeUsersPipeline(dir, 'users.json', {
      name: 'startup-users',
      source: { path: 'users.csv' },
      mapping: { source: { value: 'CRM' }, sourceId: 'id', language: { value: 'NL' }, firstName: 'first', email: 'email' },
      batchSize: 10,
      send: { concurrency: 1 },
    });
    const r = await loadedBy(['run', 'users.json', '--out', 'run'], dir, targetEnv(fixture.emu, SECRET));
    expect(r.code, r.stderr).toBe(0);
    expect(fixture.emu.store.users()).toHaveLength(2);
    // The recorder works: what this run does need is in the list.
    expect(present(r.loaded, '/node_modules/undici/')).toBe(true);
    expect(present(r.loaded, '/dist/stages/1-read/csv-reader.js')).toBe(true);
    expectAbsent(r.loaded, ON_DEMAND);
  }, 30_000);
});
