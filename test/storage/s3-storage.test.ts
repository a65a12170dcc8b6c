import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, TransportError } from '../../src/core/errors.js';
import { storageFor } from '../../src/storage/index.js';
import { LazyS3Storage } from '../../src/storage/s3/lazy-s3-storage.js';
import { S3Storage, type S3StorageOptions } from '../../src/storage/s3/s3-storage.js';
import { ACCESS_KEY_ID, BUCKET, DropProxy, SECRET_ACCESS_KEY, s3ServerPerFile } from '../support/s3.js';
import { VirtualClock } from '../support/virtual-clock.js';

const fixture = s3ServerPerFile();
const PREFIX = 'users/2026-12-01';
const parts = ['part-00002.csv.gz', 'part-00000.csv.gz', 'part-00001.csv.gz'];
/** 300 KB: several socket reads, so a cut lands mid-body. */
const big = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `row ${String(i).padStart(6, '0')}\n`).join(''));
const md5 = (b: string | Buffer): string => createHash('md5').update(b).digest('hex');

function storage(options: Partial<S3StorageOptions> = {}, endpoint = fixture.s3.endpoint): S3Storage {
  return new S3Storage({
    settings: { endpoint },
    env: {},
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    clock: new VirtualClock({ autoAdvance: true }),
    ...options,
  });
}

async function text(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

beforeAll(async () => {
  for (const name of parts) await fixture.s3.put(`${PREFIX}/${name}`, `content of ${name}`);
  for (const name of ['_SUCCESS', 'manifest.json', 'sub/part-00003.csv.gz', '.part-hidden.csv.gz'])
    await fixture.s3.put(`${PREFIX}/${name}`, 'not data');
  await fixture.s3.put('users/2026-11-30/part-00000.csv.gz', 'yesterday');
  await fixture.s3.put('digits.txt', '0123456789');
  await fixture.s3.put('big.csv', big);
});

describe('S3Storage.list', () => {
  it('lists a glob over every page, sorted by key, leaving out what it does not match (markers, deeper folders, dot names)', async () => {
    const objects = await storage({ pageSize: 2 }).list(`s3://${BUCKET}/${PREFIX}/part-*.csv.gz`);
    expect(objects).toEqual(
      [...parts].sort().map((name) => {
        const url = `s3://${BUCKET}/${PREFIX}/${name}`;
        return { display: url, location: url, size: `content of ${name}`.length, version: md5(`content of ${name}`) };
      }),
    );
  });

  it('returns [] for a glob matching nothing, and names a missing bucket (exit 2)', async () => {
    expect(await storage().list(`s3://${BUCKET}/${PREFIX}/*.parquet`)).toEqual([]);
    const missing = await storage()
      .list('s3://no-such-bucket/x/*.csv')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).describe()).toBe('s3://no-such-bucket: bucket "no-such-bucket" not found');
  });

  it('refuses an access key the service does not know: exit 2 naming bucket and action, without the secret', async () => {
    const secret = 'wJalrXUtnFEMI-not-to-be-printed';
    const denied = await storage({ credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: secret } })
      .list(`s3://${BUCKET}/${PREFIX}/*.gz`)
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ConfigError);
    expect((denied as ConfigError).code).toBe('ETL_S3_ACCESS');
    expect((denied as ConfigError).describe()).toBe(
      `s3://${BUCKET}: access denied: s3:ListBucket on bucket "${BUCKET}" refused (InvalidAccessKeyId: the access key id is not known to the service)`,
    );
    expect(JSON.stringify(denied) + String((denied as Error).stack)).not.toContain(secret);
  });

  it('gives up on an endpoint nobody listens on after its attempts (exit 3)', async () => {
    const proxy = await DropProxy.start(fixture.s3.port);
    const closed = proxy.endpoint;
    await proxy.close();
    const failure = await storage({ maxAttempts: 2 }, closed)
      .list(`s3://${BUCKET}/x/*.csv`)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TransportError);
    expect((failure as TransportError).describe()).toBe(`s3://${BUCKET}: ${closed} unreachable after 2 attempts (ECONNREFUSED)`);
  });
});

describe('S3Storage.stat', () => {
  it('stats an object with its ETag as the version', async () => {
    expect(await storage().stat(`s3://${BUCKET}/digits.txt`)).toEqual({
      display: `s3://${BUCKET}/digits.txt`,
      location: `s3://${BUCKET}/digits.txt`,
      size: 10,
      version: md5('0123456789'),
    });
  });

  it('tells a missing object from a missing bucket (exit 2)', async () => {
    const object = (await storage()
      .stat(`s3://${BUCKET}/nope.csv`)
      .catch((e: unknown) => e)) as ConfigError;
    expect([object.exitCode, object.describe()]).toEqual([2, `s3://${BUCKET}/nope.csv: object not found`]);
    const bucket = (await storage()
      .stat('s3://no-such-bucket/nope.csv')
      .catch((e: unknown) => e)) as ConfigError;
    expect([bucket.exitCode, bucket.describe()]).toEqual([2, 's3://no-such-bucket: bucket "no-such-bucket" not found']);
  });
});

describe('S3Storage reads', () => {
  it('streams from an offset and reads byte ranges', async () => {
    const s = storage();
    const object = await s.stat(`s3://${BUCKET}/digits.txt`);
    expect(await text(s.openStream(object, 4))).toBe('456789');
    expect(await text(s.openStream(object))).toBe('0123456789');
    expect(Buffer.from(await s.readRange(object, 2, 5)).toString()).toBe('234');
    expect(Buffer.from(await s.readRange(object, 8, 20)).toString()).toBe('89');
    expect((await s.readRange(object, 10, 12)).length).toBe(0);
  });

  it('downloads an object to a private file, kept for the run after release() and removed by releaseDownloads()', async () => {
    const s = storage();
    const object = await s.stat(`s3://${BUCKET}/big.csv`);
    const local = await s.localFile(object);
    expect(readFileSync(local.path).equals(big)).toBe(true);
    expect(statSync(local.path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(local.path)).mode & 0o777).toBe(0o700);
    await local.release();
    expect(existsSync(local.path)).toBe(true);
    const again = await s.localFile(object);
    expect(again.path).toBe(local.path);
    await again.release();
    await s.releaseDownloads();
    expect(existsSync(dirname(local.path))).toBe(false);
  });
});

describe('S3Storage resumes a dropped connection', () => {
  let proxy: DropProxy;
  beforeAll(async () => {
    proxy = await DropProxy.start(fixture.s3.port);
  });
  afterAll(() => proxy.close());

  it('goes on with a ranged GET from the byte reached: every byte once, in order', async () => {
    const resumedAt: number[] = [];
    const clock = new VirtualClock({ autoAdvance: true });
    const s = storage({ onResume: (offset) => resumedAt.push(offset), clock }, proxy.endpoint);
    const object = await s.stat(`s3://${BUCKET}/big.csv`);
    proxy.cutNextGet(`/${BUCKET}/big.csv`, 100_000);
    const chunks: Buffer[] = [];
    for await (const chunk of s.openStream(object)) chunks.push(chunk as Buffer);
    expect(proxy.cuts).toBe(1);
    expect(resumedAt).toHaveLength(1);
    expect(resumedAt[0]).toBeGreaterThan(0);
    expect(resumedAt[0]).toBeLessThan(big.length);
    expect(proxy.headsAfterCut.join('\n').toLowerCase()).toContain(`range: bytes=${resumedAt[0]}-${big.length - 1}`);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    expect(clock.slept).toEqual([250]);
  });

  it('stops after maxResumes breaks in a row without progress (exit 3)', async () => {
    const s = storage({ maxResumes: 1, onResume: () => proxy.cutNextGet(`/${BUCKET}/big.csv`, 0, true) }, proxy.endpoint);
    const object = await s.stat(`s3://${BUCKET}/big.csv`);
    proxy.cutNextGet(`/${BUCKET}/big.csv`, 150_000);
    const failure = await text(s.openStream(object)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TransportError);
    expect((failure as TransportError).describe()).toMatch(
      new RegExp(`^s3://${BUCKET}/big.csv: ${proxy.endpoint}: reading broke off at byte \\d+, 2 times in a row`),
    );
  });
});

describe('S3 endpoints', () => {
  it('refuses plain http off loopback and credentials in the URL, naming the setting (exit 2)', () => {
    expect(() => storage({}, 'http://minio.internal:9000')).toThrow(
      'source.s3.endpoint must use https (plain http only to localhost/127.0.0.1); got http://minio.internal:9000',
    );
    expect(() => new S3Storage({ env: { AWS_ENDPOINT_URL: 'http://10.0.0.5:9000' } })).toThrow('AWS_ENDPOINT_URL must use https');
    expect(() => storage({}, 'https://key:secret@minio.example')).toThrow(/^source.s3.endpoint must not hold credentials/);
  });
});

describe('storageFor', () => {
  it('serves s3:// from one S3Storage per service settings, shared by listing and reads', () => {
    const a = storageFor('s3://exports/a/*.csv', { s3: { endpoint: 'https://minio.example.com' } });
    expect(a).toBeInstanceOf(LazyS3Storage);
    expect(storageFor('s3://exports/b.csv', { s3: { endpoint: 'https://minio.example.com' } })).toBe(a);
    expect(storageFor('s3://exports/b.csv', { s3: { endpoint: 'https://r2.example.com', region: 'auto' } })).not.toBe(a);
    expect(storageFor('exports/b.csv').scheme).toBe('file');
  });
});

describe('LazyS3Storage (what storageFor hands out: the SDK is imported on the first request)', () => {
  const lazy = (settings: S3StorageOptions['settings'] = { endpoint: fixture.s3.endpoint }): LazyS3Storage =>
    new LazyS3Storage({
      settings,
      env: {},
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
      clock: new VirtualClock({ autoAdvance: true }),
    });

  it('checks the endpoint when it is made, before any request, as S3Storage does', () => {
    expect(() => lazy({ endpoint: 'http://10.0.0.5:9000' })).toThrow('source.s3.endpoint must use https');
    expect(() => storageFor('s3://exports/a.csv', { s3: { endpoint: 'http://10.0.0.5:9000' } })).toThrow(ConfigError);
  });

  it('lists, stats and reads like S3Storage, a stream opened before any other request too', async () => {
    const object = await lazy().stat(`s3://${BUCKET}/digits.txt`);
    // A fresh storage whose first call is openStream: the SDK is still loading when the stream is returned.
    expect(await text(lazy().openStream(object, 4))).toBe('456789');
    const s = lazy();
    expect((await s.list(`s3://${BUCKET}/${PREFIX}/part-*.csv.gz`)).map((o) => o.display)).toEqual(
      (await storage().list(`s3://${BUCKET}/${PREFIX}/part-*.csv.gz`)).map((o) => o.display),
    );
    expect(Buffer.from(await s.readRange(object, 2, 5)).toString()).toBe('234');
    expect(await text(s.openStream(object))).toBe('0123456789');
  });
});
