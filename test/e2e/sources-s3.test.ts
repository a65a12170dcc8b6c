/**
 * Exports read straight from object storage (issue 16) through the built CLI: s3rver on loopback
 * as the bucket, the emulator as Propel. What the emulator stored is compared exactly; a response
 * cut mid-body is resumed without a record lost or doubled; a missing object, an empty glob and
 * refused credentials are exit 2 before any connection to Propel, an unreachable endpoint exit 3,
 * and the secret key is in no output and no file.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../stages/1-read/helpers.js';
import { PARQUET_MAPPING, TWO_GROUPS, expectedUsers, writeUsersParquet } from '../stages/1-read/parquet-fixtures.js';
import { runCli, targetEnv, type CliRun } from '../support/cli.js';
import { emulatorPerFile, storedUsers } from '../support/emulator.js';
import { readJson, readNdjson, tempDir, tempLeft } from '../support/files.js';
import { BUCKET, DropProxy, dropProxyPerBlock, s3ServerPerFile } from '../support/s3.js';
import { SECRET, countingProxy, provenance, user, writePipeline } from './sources-setup.js';

const s3Fixture = s3ServerPerFile();
// One proxy in front of it for the tests that count requests or cut a response.
const proxyFixture = dropProxyPerBlock(s3Fixture);
const fixture = emulatorPerFile(SECRET);

const DAY = 'users/2026-12-01';
const GLOB = `s3://${BUCKET}/${DAY}/part-*.csv.gz`;
/** Three parts of three users each, as an unload writes them. */
const parts = [0, 1, 2].map((p) => ({ key: `${DAY}/part-0000${p}.csv.gz`, ids: [0, 1, 2].map((i) => `S${p}${i}`) }));
const csvOf = (ids: readonly string[]): string =>
  `id,first,last,email\n${ids.map((id) => `${id},First ${id},Last ${id}, ${id}@Example.com`).join('\n')}\n`;
const expectedUser = (id: string): Record<string, unknown> => user(id, `First ${id}`, `Last ${id}`, `${id.toLowerCase()}@example.com`);
/** ~1 MB: a cut at 300 kB lands mid-body. */
const bigIds = Array.from({ length: 20_000 }, (_, i) => `B${String(i).padStart(5, '0')}`);

function run(
  dir: string,
  pipeline: string,
  env: NodeJS.ProcessEnv,
  target: { baseUrl: string; tokenUrl: string } = fixture.emu,
  extra: string[] = ['--quiet'],
): Promise<CliRun> {
  return runCli(['run', pipeline, '--out', 'out', ...extra], { cwd: dir, env: { ...targetEnv(target, SECRET), ...env } });
}

/** Every file under `dir`, with its content. */
async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    names
      .filter((d) => d.isFile())
      .map(async (d) => ({ path: join(d.parentPath, d.name), text: await readFile(join(d.parentPath, d.name), 'latin1') })),
  );
}

beforeAll(async () => {
  const s3 = s3Fixture.s3;
  for (const part of parts) await s3.put(part.key, gzipSync(csvOf(part.ids)));
  await s3.put(`${DAY}/_SUCCESS`, '');
  await s3.put(`${DAY}/manifest.json`, JSON.stringify({ entries: parts.map((p) => p.key) }));
  await s3.put('big/users.csv', csvOf(bigIds));
  await s3.put('mixed/users.ndjson', `${JSON.stringify({ id: 'N1', first: 'Nia', last: 'Berg' })}\n`);
  await s3.put(
    'mixed/users.zip',
    buildZip([
      { name: 'export/users.csv', data: Buffer.from(csvOf(['Z1', 'Z2'])) },
      { name: 'README.txt', data: Buffer.from('not data') },
    ]),
  );
});

describe('a gzip CSV glob of three part objects and a _SUCCESS marker', () => {
  it('imports exactly the users of the parts, in key order, each result naming its s3:// object and line', async () => {
    const dir = await tempDir('e2e-s3-glob-');
    const r = await run(dir, await writePipeline(dir, 'users-s3', { path: GLOB }), s3Fixture.s3.env());
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(storedUsers(fixture.emu)).toEqual(parts.flatMap((p) => p.ids).map(expectedUser));
    const results = await readNdjson(join(dir, 'out', 'results.ndjson'));
    expect(provenance(results, 'file', 'line', 'action')).toEqual(
      parts.flatMap((p) => p.ids.map((_, i) => [`s3://${BUCKET}/${p.key}`, i + 2, 'create'])),
    );
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({
      status: 'completed',
      exitCode: 0,
      counts: { read: 9, created: 9 },
    });
  });
});

describe('other formats from a bucket', () => {
  it('reads NDJSON, and a ZIP archive through a private download removed at the end', async () => {
    const dir = await tempDir('e2e-s3-formats-');
    const scratch = await tempDir('e2e-s3-tmp-');
    const env = s3Fixture.s3.env({ TMPDIR: scratch });
    const ndjson = await run(dir, await writePipeline(dir, 'users-ndjson', { path: `s3://${BUCKET}/mixed/users.ndjson` }), env);
    expect([ndjson.code, ndjson.stderr]).toEqual([0, '']);
    const zip = await run(dir, await writePipeline(dir, 'users-zip', { path: `s3://${BUCKET}/mixed/users.zip` }), env, fixture.emu, [
      '--quiet',
      '--fresh',
    ]);
    expect([zip.code, zip.stderr]).toEqual([0, '']);
    expect(storedUsers(fixture.emu)).toEqual([user('N1', 'Nia', 'Berg'), expectedUser('Z1'), expectedUser('Z2')]);
    const results = await readNdjson(join(dir, 'out', 'results.ndjson'));
    expect(provenance(results, 'file', 'entry', 'line')).toEqual([
      [`s3://${BUCKET}/mixed/users.zip`, 'export/users.csv', 2],
      [`s3://${BUCKET}/mixed/users.zip`, 'export/users.csv', 3],
    ]);
    expect(await tempLeft(scratch)).toEqual([]);
  });
});

describe('a ZIP archive in a bucket', () => {
  it('is downloaded once per run, although the run opens it for its checks and for reading', async () => {
    const { proxy } = proxyFixture;
    const dir = await tempDir('e2e-s3-zip-once-');
    const scratch = await tempDir('e2e-s3-zip-tmp-');
    // Past 128 KiB, so the identity's fingerprint of its two ends is two ranged reads, not the whole object.
    await s3Fixture.s3.put(
      'mixed/users-padded.zip',
      buildZip([
        { name: 'export/users.csv', data: Buffer.from(csvOf(['Z1', 'Z2'])) },
        { name: 'padding.bin', data: randomBytes(200_000) },
      ]),
    );
    const r = await run(
      dir,
      await writePipeline(dir, 'users-zip-once', { path: `s3://${BUCKET}/mixed/users-padded.zip` }),
      s3Fixture.s3.env({ AWS_ENDPOINT_URL_S3: proxy.endpoint, TMPDIR: scratch }),
      fixture.emu,
      ['--quiet', '--fresh'],
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await readJson(join(dir, 'out', 'summary.json'))).toMatchObject({ counts: { read: 2, created: 2 } });
    expect(
      proxy.requests.filter((line) => line.startsWith(`GET /${BUCKET}/mixed/users-padded.zip`) && !line.endsWith('(range)')),
    ).toHaveLength(1);
    // The shared download is removed at the run's end all the same.
    expect(await tempLeft(scratch)).toEqual([]);
  });
});

describe('a Parquet object', () => {
  it('imports by ranged GETs the same store as the same file read locally, each result naming its s3:// object and row', async () => {
    const { proxy } = proxyFixture;
    const dir = await tempDir('e2e-s3-parquet-');
    await writeUsersParquet(join(dir, 'users.parquet'), { codec: 'zstd' });
    await s3Fixture.s3.put('parquet/users.parquet', await readFile(join(dir, 'users.parquet')));
    const path = `s3://${BUCKET}/parquet/users.parquet`;
    const fromS3 = await run(
      dir,
      await writePipeline(dir, 'users-s3-parquet', { path }, PARQUET_MAPPING, 500),
      s3Fixture.s3.env({ AWS_ENDPOINT_URL_S3: proxy.endpoint }),
    );
    expect([fromS3.code, fromS3.stderr]).toEqual([0, '']);
    const gets = proxy.requests.filter((line) => line.startsWith(`GET /${BUCKET}/parquet/users.parquet`));
    const ranged = gets.filter((line) => line.endsWith('(range)'));
    // The footer, then the column chunks group by group; the one whole GET is the run's fingerprint of the object's first 64 KiB (here all of it).
    expect(ranged.length).toBeGreaterThan(10);
    expect(gets.length - ranged.length).toBeLessThanOrEqual(1);
    const stored = storedUsers(fixture.emu);
    expect(stored).toEqual(expectedUsers(0, TWO_GROUPS));
    const results = await readNdjson(join(dir, 'out', 'results.ndjson'));
    expect(provenance(results, 'file', 'line').sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual(
      expectedUsers(0, TWO_GROUPS).map((_, i) => [path, i + 1]),
    );

    fixture.emu.store.clear();
    const fromFile = await run(
      dir,
      await writePipeline(dir, 'users-local-parquet', { path: 'users.parquet' }, PARQUET_MAPPING, 500),
      {},
      fixture.emu,
      ['--quiet', '--fresh'],
    );
    expect([fromFile.code, fromFile.stderr]).toEqual([0, '']);
    expect(storedUsers(fixture.emu)).toEqual(stored);
  }, 120_000);
});

describe('a connection dropped mid-object', () => {
  it('is resumed with a ranged GET from the byte reached: every user imported once, nothing lost or doubled', async () => {
    const { proxy } = proxyFixture;
    const dir = await tempDir('e2e-s3-drop-');
    proxy.cutNextGet(`/${BUCKET}/big/users.csv`, 300_000);
    const r = await run(
      dir,
      await writePipeline(dir, 'users-drop', { path: `s3://${BUCKET}/big/users.csv` }, undefined, 500),
      s3Fixture.s3.env({ AWS_ENDPOINT_URL_S3: proxy.endpoint }),
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(proxy.cuts).toBe(1);
    expect(proxy.headsAfterCut.join('\n')).toMatch(/\r\nrange: bytes=\d+-\d+\r\n/i);
    const stored = storedUsers(fixture.emu);
    expect(stored.map((u) => u.sourceId)).toEqual(bigIds);
    expect(stored.at(-1)).toEqual(expectedUser(bigIds.at(-1)!));
    const results = await readNdjson(join(dir, 'out', 'results.ndjson'));
    expect(results).toHaveLength(bigIds.length);
    expect(new Set(results.map((x) => x.line)).size).toBe(bigIds.length);
    expect(fixture.emu.log.duplicates()).toEqual([]);
  }, 120_000);
});

describe('failures before anything is sent: one line, exit 2, no connection to Propel', () => {
  it.each([
    ['a missing object', `s3://${BUCKET}/users/2026-12-01/users.csv`, `s3://${BUCKET}/users/2026-12-01/users.csv: object not found`],
    ['a missing bucket', 's3://no-such-bucket/users.csv', 's3://no-such-bucket: bucket "no-such-bucket" not found'],
    [
      'a glob matching nothing (markers alone)',
      `s3://${BUCKET}/users/2026-12-02/part-*.csv.gz`,
      `s3://${BUCKET}/users/2026-12-02/part-*.csv.gz: no object matches the pattern`,
    ],
  ])('%s', async (_name, path, line) => {
    await s3Fixture.s3.put('users/2026-12-02/_SUCCESS', '');
    const proxy = await countingProxy(fixture.emu);
    try {
      const dir = await tempDir('e2e-s3-missing-');
      const r = await run(dir, await writePipeline(dir, 'users-missing', { path }), s3Fixture.s3.env(), proxy);
      expect([r.code, r.stderr, r.stdout]).toEqual([2, `propel-etl: ${line}\n`, '']);
      expect(proxy.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('wrong credentials: names the bucket and the refused action; the secret key is in no output, log or file', async () => {
    const secretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY-e2e-s3-secret';
    const proxy = await countingProxy(fixture.emu);
    try {
      const dir = await tempDir('e2e-s3-denied-');
      const env = s3Fixture.s3.env({ AWS_ACCESS_KEY_ID: 'AKIAE2EWRONGKEY', AWS_SECRET_ACCESS_KEY: secretKey });
      const r = await run(dir, await writePipeline(dir, 'users-denied', { path: GLOB }), env, proxy, ['--log-format', 'json']);
      expect(r.code).toBe(2);
      // With --log-format json the error is a JSON line too (level, code, message, where).
      const last = JSON.parse(r.stderr.trim().split('\n').at(-1) ?? '') as { level: number; code: string; message: string };
      expect(last).toMatchObject({ level: 50, code: 'ETL_S3_ACCESS' });
      expect(last.message).toContain(
        `access denied: s3:ListBucket on bucket "${BUCKET}" refused (InvalidAccessKeyId: the access key id is not known to the service)`,
      );
      expect(proxy.connections).toBe(0);
      for (const text of [r.stdout, r.stderr, ...(await filesUnder(dir)).map((f) => f.text)]) expect(text).not.toContain(secretKey);
      const debug = await run(dir, await writePipeline(dir, 'users-denied-debug', { path: GLOB }), env, proxy, ['--debug']);
      expect(debug.code).toBe(2);
      expect(debug.stdout + debug.stderr).not.toContain(secretKey);
    } finally {
      await proxy.close();
    }
  });
});

describe('an endpoint nobody answers on', () => {
  it('exits 3 after the retries, naming the endpoint', async () => {
    const closed = await DropProxy.start(s3Fixture.s3.port);
    const endpoint = closed.endpoint;
    await closed.close();
    const dir = await tempDir('e2e-s3-unreachable-');
    const r = await run(
      dir,
      await writePipeline(dir, 'users-unreachable', { path: GLOB }),
      s3Fixture.s3.env({ AWS_ENDPOINT_URL_S3: endpoint }),
    );
    expect([r.code, r.stderr]).toEqual([3, `propel-etl: s3://${BUCKET}: ${endpoint} unreachable after 4 attempts (ECONNREFUSED)\n`]);
  }, 60_000);
});

describe('init from a bucket', () => {
  it('writes a starter pipeline from the first object of a glob, keeping the s3:// glob as its path', async () => {
    const dir = await tempDir('e2e-s3-init-');
    const r = await runCli(['init', 'users', GLOB, '-o', 'users.yaml'], { cwd: dir, env: s3Fixture.s3.env() });
    expect([r.code, r.stdout]).toEqual([0, '']);
    const yaml = await readFile(join(dir, 'users.yaml'), 'utf8');
    // Three records: those of the first part alone, though the glob names three.
    expect(yaml).toContain(`from ${GLOB} (first 3 records read)`);
    expect(yaml).toContain(`  path: "${GLOB}"\n`);
    expect(yaml).toContain('name: part\n');
    expect(yaml).toContain('  email: { from: email, transform: [trim, lower] }');
  });
});
