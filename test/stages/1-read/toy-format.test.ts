import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/run/run-pipeline.js';
import { FORMATS } from '../../../src/stages/1-read/formats/index.js';
import { readNdjson, tempDir } from '../../support/files.js';
import { writeUsersPipeline } from '../../support/pipeline.js';
import { toyFormat } from '../../support/toy-format.js';

// Adding a format is one file (test/support/toy-format.ts) and one line: this one.
beforeAll(() => FORMATS.register(toyFormat));

const MAPPING = { source: { value: 'TOY' }, sourceId: 'id', language: { value: 'NL' }, firstName: 'first', email: 'email' };
const INPUT = [
  'id=T1;first=Ann;email=ann@example.com',
  'id=T2;first=Bob;email=bob@example.com',
  'this line has no pairs',
  '',
  'id=T3;first=Cas;email=cas@example.com',
  '',
].join('\n');

describe('a format added by one file and one registry line', () => {
  it('is chosen by its extension and runs end to end: records mapped, sent and settled with their lines; a bad line is a read reject', async () => {
    const dir = await tempDir('propel-toy-');
    await writeFile(join(dir, 'users.kv'), INPUT);
    await writeUsersPipeline(dir, 'p.json', {
      name: 'toy-users',
      source: { path: 'users.kv' },
      mapping: MAPPING,
      batchSize: 10,
      send: { concurrency: 1 },
    });
    const r = await runPipeline({ pipeline: join(dir, 'p.json'), target: 'local', out: join(dir, 'run'), cwd: dir, env: {} });
    expect(r.exitCode).toBe(1);
    expect(r.summary.counts).toMatchObject({ read: 4, created: 3, rejected: { read: 1, total: 1 } });
    const results = await readNdjson(join(dir, 'run', 'results.ndjson'));
    expect(results.map((l) => [l.key, l.line])).toEqual([
      ['T1', 1],
      ['T2', 2],
      ['T3', 5],
    ]);
    const rejects = await readNdjson(join(dir, 'run', 'rejects.ndjson'));
    expect(rejects).toMatchObject([{ file: 'users.kv', line: 3, stage: 'read', reason: '"this line has no pairs" is not key=value' }]);
  });

  it('is named by source.format, and a misspelt name is exit 2 naming the key, its line and the nearest format', async () => {
    const dir = await tempDir('propel-toy-');
    await writeFile(join(dir, 'users.txt'), INPUT);
    await writeUsersPipeline(dir, 'p.json', {
      name: 'toy-named',
      source: { path: 'users.txt', format: 'toy' },
      mapping: MAPPING,
      batchSize: 10,
      send: { concurrency: 1 },
    });
    const r = await runPipeline({
      pipeline: join(dir, 'p.json'),
      target: 'local',
      out: join(dir, 'run'),
      cwd: dir,
      env: {},
      mode: 'validate',
    });
    expect(r.summary.counts).toMatchObject({ read: 4, rejected: { read: 1 } });

    await writeUsersPipeline(dir, 'typo.json', {
      name: 'toy-typo',
      source: { path: 'users.txt', format: 'tyo' },
      mapping: MAPPING,
      batchSize: 10,
      send: {},
    });
    const refused = runPipeline({ pipeline: join(dir, 'typo.json'), target: 'local', out: join(dir, 'run2'), cwd: dir, env: {} });
    await expect(refused).rejects.toMatchObject({ code: 'ETL_SOURCE_FORMAT', exitCode: 2, context: { key: 'source.format', line: 6 } });
    await expect(refused).rejects.toThrow(
      /^unknown source format "tyo" \(did you mean "toy"\?\); use one of csv, ndjson, json, parquet, toy$/,
    );
  });
});
