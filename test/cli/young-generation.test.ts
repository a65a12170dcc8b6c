import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reexecArgs, SEMI_SPACE_MB } from '../../src/cli/young-generation.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/files.js';
import { usersPipeline } from '../support/pipeline.js';

const FLAG = `--max-semi-space-size=${SEMI_SPACE_MB}`;
const RECORD_EXEC = fileURLToPath(new URL('../support/record-exec.mjs', import.meta.url));

describe('the young generation of a run', () => {
  it('is capped by re-executing run and validate only, unless the user sized the heap', () => {
    const argv = ['/usr/bin/node', '/opt/propel-etl/dist/cli/main.js', 'run', 'users.yaml', '--resume'];
    expect(reexecArgs(argv, ['--enable-source-maps'], undefined)).toEqual([
      '/usr/bin/node',
      FLAG,
      '--enable-source-maps',
      '/opt/propel-etl/dist/cli/main.js',
      'run',
      'users.yaml',
      '--resume',
    ]);
    expect(reexecArgs([...argv.slice(0, 2), 'validate', 'users.yaml'], [], undefined)?.[1]).toBe(FLAG);
    for (const command of ['init', 'emulator', 'state', '--version', undefined]) {
      expect(reexecArgs([...argv.slice(0, 2), ...(command !== undefined ? [command] : [])], [], undefined)).toBeUndefined();
    }
    expect(reexecArgs(argv, [], '--max-old-space-size=512')).toBeUndefined();
    // The re-executed process carries the flag: it does not do it again.
    expect(reexecArgs(argv, [FLAG], undefined)).toBeUndefined();
  });

  it('where Node has process.execve, the run goes on in the same process with the flag; elsewhere unchanged', async () => {
    const dir = await tempDir('young-gen-');
    await writeFile(join(dir, 'users.csv'), 'id,name\nU1,Ann\nU2,Bob\n');
    const mapping = { source: { value: 'T' }, sourceId: 'id', language: { value: 'NL' }, firstName: 'name' };
    await writeFile(
      join(dir, 'users.json'),
      usersPipeline({ name: 'young', source: { path: 'users.csv' }, mapping, batchSize: 10, send: { concurrency: 1 } }),
    );
    const record = join(dir, 'exec.ndjson');
    const r = await runCli(['validate', 'users.json', '--out', 'out', '--quiet'], {
      cwd: dir,
      env: { NODE_OPTIONS: `--import ${RECORD_EXEC}`, RECORD_EXEC: record },
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const images = (await readFile(record, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; pid: number; execArgv: string[] });
    const hasExecve = typeof (process as unknown as { execve?: unknown }).execve === 'function';
    if (hasExecve) {
      expect(images.map((i) => i.event)).toEqual(['start', 'start', 'exit']);
      expect(new Set(images.map((i) => i.pid)).size).toBe(1);
      expect(images[0]!.execArgv).not.toContain(FLAG);
      expect(images[2]!.execArgv).toContain(FLAG);
    } else {
      expect(images.map((i) => i.event)).toEqual(['start', 'exit']);
      expect(images[1]!.execArgv).not.toContain(FLAG);
    }
  });
});
