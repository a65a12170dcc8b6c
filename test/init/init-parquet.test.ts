/** `propel-etl init users export.parquet`: the mapping is proposed from the file's schema and first rows. */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initPipeline } from '../../src/init/init-pipeline.js';
import { tmpDir, type TmpDir } from '../support/files.js';
import { writeUsersParquet } from '../stages/1-read/parquet-fixtures.js';

let dir: TmpDir;
beforeAll(async () => {
  dir = tmpDir();
  await writeUsersParquet(join(dir.path, 'export.parquet'), { rows: 50 });
});
afterAll(() => dir.remove());

it('lists the schema in order, maps a DATE column without a date format, and types the attribute hints', async () => {
  const r = await initPipeline('users', 'export.parquet', { cwd: dir.path, output: '-' });
  // first_name is null in the first row: the schema still puts it in its place.
  expect(r.columns.slice(0, 6)).toEqual(['id', 'seq', 'points', 'first_name', 'last_name', 'dob']);
  expect(r.columns).toContain('contact.email');
  expect(r.columns).toContain('phones[0]');
  expect(r.yaml).toMatch(/^ {2}path: export\.parquet\n {2}format: parquet$/m);
  expect(r.yaml).toMatch(/^ {2}dateOfBirth: \{ from: dob \} /m);
  expect(r.yaml).toMatch(/^ {2}email: \{ from: contact\.email, transform: \[trim, lower\] \}/m);
  expect(r.yaml).toContain('attributes: [{ name: CREDIT, type: decimal, value: { from: credit } }]');
  expect(r.yaml).toContain('attributes: [{ name: SIGNED_UP, type: datetime, value: { from: signed_up } }]');
  expect(r.yaml).toContain('attributes: [{ name: SEQ, type: integer, value: { from: seq } }]');
});
