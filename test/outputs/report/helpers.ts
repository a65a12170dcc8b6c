/** A small demo export and its pipeline in a scratch folder, for runs the report and CLI tests look at. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDemoUsers } from '../../../src/demo/demo-data.js';
import { tempDir } from '../../support/files.js';

const DEMO_PIPELINE = new URL('../../../pipelines/demo-users.yaml', import.meta.url);

/** Writes `count` demo users and demo-users.yaml pointing at them; `batch` and `send` replace the demo's. */
export async function demoFolder(count: number, opts: { batch?: string; send?: string; prefix?: string } = {}): Promise<string> {
  const dir = await tempDir(opts.prefix ?? 'report-');
  await writeDemoUsers(join(dir, 'users.csv'), count);
  let yaml = await readFile(DEMO_PIPELINE, 'utf8');
  yaml = yaml.replace(/^ {2}path: .*$/m, '  path: users.csv');
  yaml = yaml.replace(/^batch: .*$/m, `batch: ${opts.batch ?? '{ size: 50 }'}`);
  yaml = yaml.replace(/^send: .*$/m, `send: ${opts.send ?? '{ concurrency: 2, maxRetries: 3, timeout: 10s }'}`);
  yaml = yaml.replace(/^errors: .*$/m, 'errors: { maxRejects: 10% }');
  // The demo's nightly delta would make a test's second run depend on the first one's state.
  yaml = yaml.replace(/^delta: .*$/m, '');
  await writeFile(join(dir, 'demo-users.yaml'), yaml);
  return dir;
}
